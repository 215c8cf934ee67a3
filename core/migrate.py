"""Create or upgrade the database schema with Alembic, for the configured database."""

from pathlib import Path

from alembic import command
from alembic.config import Config

import migrations

SCRIPT_LOCATION = str(Path(migrations.__file__).parent)


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", SCRIPT_LOCATION)
    return config


def upgrade(revision: str = "head") -> None:
    """Bring the schema of the configured database to ``revision``."""
    command.upgrade(alembic_config(), revision)


def current_revision() -> str | None:
    from alembic.runtime.migration import MigrationContext

    from core.db import get_engine

    with get_engine().connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
