"""timeline index on case events

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 18:00:00.000000
"""
from collections.abc import Sequence

from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # (case_id, at, id) serves every lookup by case_id too: it replaces the plain index.
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index('ix_case_events_case_at', ['case_id', 'at', 'id'], unique=False)
        batch_op.drop_index('ix_case_events_case_id')


def downgrade() -> None:
    with op.batch_alter_table('case_events', schema=None) as batch_op:
        batch_op.create_index('ix_case_events_case_id', ['case_id'], unique=False)
        batch_op.drop_index('ix_case_events_case_at')
