"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

from core.db import get_engine
from core.migrate import alembic_config, current_revision


def test_migrated_schema_matches_the_models(env):
    """Given a database upgraded by the migrations, when Alembic compares it with the models,
    then it finds no difference (no forgotten migration), and the revision is the head."""
    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
    assert current_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()
