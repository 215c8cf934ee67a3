"""A real browser against a real server: uvicorn in its own process, Debian's Chromium driven by
Playwright. Screenshots of the main pages go to test-artifacts/screenshots/."""

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import unavailable
from tests.services import ROOT
from tests.web.conftest import web_world  # noqa: F401 - the same staff as the HTTP tests

SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync",
]  # fmt: skip
VIEWPORTS = {"desktop": {"width": 1280, "height": 900}, "tablet": {"width": 820, "height": 1180}}
# WILLKOMMEN_BROWSER_MATRIX=pairwise (CI): each viewport once, each database once — desktop on
# SQLite, tablet on PostgreSQL — instead of all four; `make test` runs all four.
PAIRWISE = {("desktop", "sqlite"), ("tablet", "postgres")}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if os.environ.get("WILLKOMMEN_BROWSER_MATRIX") != "pairwise":
        return
    kept, dropped = [], []
    for item in items:
        params = getattr(item, "callspec", None)
        pair = (params.params.get("page"), params.params.get("database_url")) if params else None
        browser_test = pair is not None and None not in pair and "/browser/" in str(item.path)
        (dropped if browser_test and pair not in PAIRWISE else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def chromium_path() -> str | None:
    return os.environ.get("WILLKOMMEN_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        unavailable("no chromium on PATH (scripts/ensure-chromium installs Debian's package)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(params=list(VIEWPORTS))
def page(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A fresh browser tab at desktop and at tablet size."""
    context = browser.new_context(viewport=VIEWPORTS[request.param], locale="de-DE",
                                  timezone_id="Europe/Berlin")  # fmt: skip
    page = context.new_page()
    page.viewport_name = request.param  # type: ignore[attr-defined]
    yield page
    context.close()


@pytest.fixture
def screenshot(page: Page) -> Callable[[str], Path]:
    """Save a full-page screenshot as test-artifacts/screenshots/<name>-<viewport>.png."""

    def take(name: str) -> Path:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}-{page.viewport_name}.png"  # type: ignore[attr-defined]
        page.screenshot(path=str(path), full_page=True)
        return path

    return take
