"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlmodel import SQLModel

from core.db import get_engine
from core.migrate import alembic_config, current_revision, upgrade


def test_migrated_schema_matches_the_models(env):
    """Given a database upgraded by the migrations, when Alembic compares it with the models,
    then it finds no difference (no forgotten migration), and the revision is the head."""
    with get_engine().connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []
    assert current_revision() == ScriptDirectory.from_config(alembic_config()).get_current_head()


def _reminder_storage() -> tuple[str, list[str] | None]:
    """The gateway-reference index's definition and (PostgreSQL) the reminders' storage options."""
    engine = get_engine()
    with engine.connect() as connection:
        if engine.dialect.name != "postgresql":
            query = "SELECT sql FROM sqlite_master WHERE name = 'ix_reminders_provider_ref'"
            return connection.execute(text(query)).scalar_one(), None
        query = "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_reminders_provider_ref'"
        options = "SELECT reloptions FROM pg_class WHERE relname = 'reminders'"
        return (
            connection.execute(text(query)).scalar_one(),
            connection.execute(text(options)).scalar_one(),
        )


def test_reminder_storage_keeps_room_and_indexes_sms_references_only(env):
    """Given the migrated schema, then the gateway-reference index holds only rows that have a
    reference (a partial unique index, as measured in bench scenario 5) and on PostgreSQL the
    reminders' pages keep 10 % free for updated rows; 0019 can be undone and done again."""
    postgres = get_engine().dialect.name == "postgresql"
    migrated = _reminder_storage()
    index, options = migrated
    assert "UNIQUE" in index.upper() and "provider_ref IS NOT NULL" in index
    assert options == (["fillfactor=90"] if postgres else None)

    command.downgrade(alembic_config(), "0018")
    index, options = _reminder_storage()
    assert "UNIQUE" in index.upper() and "WHERE" not in index.upper() and options is None

    upgrade()
    assert _reminder_storage() == migrated


def test_a_migration_that_copies_the_cases_table_keeps_every_case(world):
    """Given a database with a case (steps, history, reminders pointing at it), when the
    migration adding the variant to cases is undone and done again — SQLite copies the table
    for it — then the case and everything referring to it are still there."""
    case_id = world.open_case()
    counts = "SELECT (SELECT count(*) FROM cases), (SELECT count(*) FROM case_steps)"
    with get_engine().connect() as connection:
        before = connection.execute(text(counts)).one()
    command.downgrade(alembic_config(), "0023")
    upgrade()
    with get_engine().connect() as connection:
        after = connection.execute(text(counts)).one()
        kept = connection.execute(text(f"SELECT variant_id FROM cases WHERE id = {case_id}"))
        assert kept.one() == (None,)
    assert after == before and before[0] == 1
