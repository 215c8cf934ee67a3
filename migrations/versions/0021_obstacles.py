"""integration obstacles: the office's list, obstacles on cases

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-30 17:17:11.374244
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.types


revision: str = '0021'
down_revision: str | None = '0020'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('obstacle_kinds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('label', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('area', sa.String(length=40), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('office_id', 'code')
    )
    with op.batch_alter_table('obstacle_kinds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_obstacle_kinds_office_id'), ['office_id'], unique=False)

    op.create_table('case_obstacles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('kind_id', sa.Integer(), nullable=False),
    sa.Column('step_kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('noted_at', core.types.UTCDateTime(), nullable=False),
    sa.Column('noted_by_id', sa.Integer(), nullable=True),
    sa.Column('resolved_at', core.types.UTCDateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('resolution', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['kind_id'], ['obstacle_kinds.id'], ),
    sa.ForeignKeyConstraint(['noted_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('case_obstacles', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_case_obstacles_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_case_obstacles_kind_id'), ['kind_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('case_obstacles', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_case_obstacles_kind_id'))
        batch_op.drop_index(batch_op.f('ix_case_obstacles_case_id'))

    op.drop_table('case_obstacles')
    with op.batch_alter_table('obstacle_kinds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_obstacle_kinds_office_id'))

    op.drop_table('obstacle_kinds')
