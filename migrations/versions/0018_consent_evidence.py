"""consent evidence: the signed form (scan or tablet signature), an optional expiry, renewals

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-30 05:10:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types

revision: str = '0018'
down_revision: str | None = '0017'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_on', sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column('replaced_at', core.types.UTCDateTime(), nullable=True)
        )
    op.create_table(
        'consent_evidence',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('consent_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('content_type', sa.String(length=40), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=True),
        sa.Column('sha256', sa.String(length=64), nullable=True),
        sa.Column('recorded_at', core.types.UTCDateTime(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['consent_id'], ['consents.id']),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('consent_id'),
    )


def downgrade() -> None:
    op.drop_table('consent_evidence')
    with op.batch_alter_table('consents', schema=None) as batch_op:
        batch_op.drop_column('replaced_at')
        batch_op.drop_column('expires_on')
