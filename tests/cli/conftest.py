"""The command line against a throwaway SQLite database in a temporary data directory.

No broker is configured, so the relay after each commit finds no Redis (a private socket path in
the temporary directory) and leaves the outbox rows for later: nothing leaves the test.
"""

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core import celery_app as celery_module
from core.config import get_settings
from core.db import reset_engine

DEMO_HOUSEHOLDS = 40
DEMO_SEED = 1


def apply_settings() -> None:
    """Make settings, engine and the Celery app follow the current environment."""
    get_settings.cache_clear()
    reset_engine()  # closes SQLite connections, which also folds the WAL into the file
    celery_module.configure(celery_module.app, get_settings())


def use_data_dir(monkeypatch: pytest.MonkeyPatch, directory: Path) -> None:
    for name in ("WILLKOMMEN_DATABASE_URL", "WILLKOMMEN_BROKER_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WILLKOMMEN_DATA_DIR", str(directory))
    monkeypatch.setenv("WILLKOMMEN_ENVIRONMENT", "test")
    # Settings also read ./.env: run where there is none, so a developer's .env cannot point the
    # tests at a real database.
    monkeypatch.chdir(directory)
    apply_settings()


@pytest.fixture
def runner() -> CliRunner:
    # Wide enough that Rich does not wrap table cells the tests look for.
    return CliRunner(env={"COLUMNS": "250"})


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """An empty data directory: the CLI's SQLite database will be created there."""
    use_data_dir(monkeypatch, tmp_path)
    yield tmp_path
    monkeypatch.undo()
    apply_settings()


@pytest.fixture(scope="session")
def demo_snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the demo loaded once per test run; tests get copies of it."""
    directory = tmp_path_factory.mktemp("demo")
    with pytest.MonkeyPatch.context() as monkeypatch:
        use_data_dir(monkeypatch, directory)
        result = CliRunner().invoke(
            app, ["demo", "--households", str(DEMO_HOUSEHOLDS), "--seed", str(DEMO_SEED)]
        )
        assert result.exit_code == 0, result.output
        reset_engine()
    apply_settings()
    return directory / "willkommen.db"


@pytest.fixture
def demo_dir(data_dir: Path, demo_snapshot: Path) -> Path:
    """A data directory holding its own copy of the demo database."""
    reset_engine()
    shutil.copy(demo_snapshot, data_dir / "willkommen.db")
    return data_dir
