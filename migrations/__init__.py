"""Alembic migrations; ``core.migrate`` runs them without an alembic.ini."""
