"""Offices' variants of a workflow (revisions with author and reason); the case records its own.

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-30 19:58:39.450688
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.types


revision: str = '0024'
down_revision: str | None = '0023'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('workflow_variants',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('workflow', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('overrides', sa.JSON(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('office_id', 'workflow', 'revision')
    )
    with op.batch_alter_table('workflow_variants', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workflow_variants_office_id'), ['office_id'], unique=False)

    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.add_column(sa.Column('variant_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_cases_variant_id', 'workflow_variants', ['variant_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('cases', schema=None) as batch_op:
        batch_op.drop_constraint('fk_cases_variant_id', type_='foreignkey')
        batch_op.drop_column('variant_id')

    with op.batch_alter_table('workflow_variants', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workflow_variants_office_id'))

    op.drop_table('workflow_variants')
