"""a step on a waiting list: follow-up date and reason

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29 21:40:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('hold_until', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('hold_reason', sa.String(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.drop_column('hold_reason')
        batch_op.drop_column('hold_until')
