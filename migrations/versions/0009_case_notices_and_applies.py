"""case notices, and what made each step apply

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 21:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'case_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=120), nullable=False),
        sa.Column('text', sa.String(length=500), nullable=False),
        sa.Column('created_at', core.types.UTCDateTime(), nullable=False),
        sa.Column('done_at', core.types.UTCDateTime(), nullable=True),
        sa.Column('done_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['done_by_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('case_id', 'key'),
    )
    op.create_index('ix_case_notices_case_done', 'case_notices', ['case_id', 'done_at'])
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('applies', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_column('applies')
    op.drop_index('ix_case_notices_case_done', table_name='case_notices')
    op.drop_table('case_notices')
