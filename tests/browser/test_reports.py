"""The report page in a real browser: the supervisor picks a period, the charts are drawn by
the vendored Chart.js (no request leaves the site), small cells read "< 5", and the XLSX
download arrives. Screenshots at desktop and tablet size."""

from datetime import timedelta

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from tests.browser.test_case_journey import sign_in
from tests.workflows.reports.conftest import fill

pytestmark = pytest.mark.slow


def test_the_supervisor_reads_the_report_with_its_charts(
    page: Page, live_server, web_world, screenshot, tmp_path
):
    today = fill(web_world)
    outside: list[str] = []
    page.on(
        "request", lambda r: outside.append(r.url) if not r.url.startswith(live_server) else None
    )
    sign_in(page, live_server, web_world.emails["supervisor"])
    page.get_by_role("link", name="Berichte").click()
    page.get_by_label("Von", exact=True).fill((today - timedelta(days=30)).isoformat())
    page.get_by_role("button", name="Anzeigen").click()
    expect(page.locator("#section-visits")).to_contain_text("< 5")
    drawn = page.evaluate("() => Chart.getChart('chart-referrals').data.datasets[0].data")
    assert drawn == [5]
    assert page.evaluate("() => Chart.getChart('chart-durations') !== undefined")
    screenshot("bericht")
    with page.expect_download() as download:
        page.get_by_role("link", name="Als Excel (XLSX)").click()
    path = tmp_path / "bericht.xlsx"
    download.value.save_as(path)
    rows = {r[1]: r[2] for r in load_workbook(path).active.iter_rows(min_row=3, values_only=True)}  # type: ignore[union-attr]
    assert rows["Haushalte aufgenommen"] == 6
    assert outside == []
