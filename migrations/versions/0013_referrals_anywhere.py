"""referrals without a step, with a message and the partner's report; partners' languages

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29 22:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types


revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.alter_column('step_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('message', sa.String(length=4000), nullable=True))
        batch_op.add_column(sa.Column('reported_at', core.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('report_note', sa.String(length=1000), nullable=True))
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.add_column(sa.Column('languages', sa.JSON(), nullable=False, server_default='[]'))
        batch_op.add_column(sa.Column('capacity_note', sa.String(length=300), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_column('capacity_note')
        batch_op.drop_column('languages')
    with op.batch_alter_table('referrals', schema=None) as batch_op:
        batch_op.drop_column('report_note')
        batch_op.drop_column('reported_at')
        batch_op.drop_column('message')
        batch_op.alter_column('step_id', existing_type=sa.Integer(), nullable=False)
