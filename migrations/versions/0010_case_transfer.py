"""a case handed over to another office, until it accepts

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 21:20:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('transfer_to_office_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('transfer_requested_at', core.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('transfer_requested_by_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_cases_transfer_to_office_id', ['transfer_to_office_id'])
        batch_op.create_foreign_key('fk_cases_transfer_to_office', 'offices', ['transfer_to_office_id'], ['id'])
        batch_op.create_foreign_key('fk_cases_transfer_requested_by', 'staff', ['transfer_requested_by_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cases_transfer_requested_by', type_='foreignkey')
        batch_op.drop_constraint('fk_cases_transfer_to_office', type_='foreignkey')
        batch_op.drop_index('ix_cases_transfer_to_office_id')
        batch_op.drop_column('transfer_requested_by_id')
        batch_op.drop_column('transfer_requested_at')
        batch_op.drop_column('transfer_to_office_id')
