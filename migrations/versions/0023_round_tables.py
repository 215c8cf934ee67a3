"""round tables: meetings, guests, decisions and actions

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-30 17:44:50.360014
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.types


revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('round_tables',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('district', sa.String(length=40), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('starts_at', core.types.UTCDateTime(), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('place', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('agenda', sa.JSON(), nullable=False),
    sa.Column('minutes', sqlmodel.sql.sqltypes.AutoString(length=8000), nullable=True),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('uid', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('round_tables', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_tables_office_id'), ['office_id'], unique=False)

    op.create_table('round_table_guests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_table_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('organisation', sqlmodel.sql.sqltypes.AutoString(length=160), nullable=True),
    sa.Column('invited_sequence', sa.Integer(), nullable=True),
    sa.Column('invited_at', core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['partner_contacts.id'], ),
    sa.ForeignKeyConstraint(['round_table_id'], ['round_tables.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('round_table_guests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_table_guests_round_table_id'), ['round_table_id'], unique=False)

    op.create_table('round_table_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_table_id', sa.Integer(), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
    sa.Column('owner_staff_id', sa.Integer(), nullable=True),
    sa.Column('owner_contact_id', sa.Integer(), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('done_at', core.types.UTCDateTime(), nullable=True),
    sa.Column('reminder_claimed_at', core.types.UTCDateTime(), nullable=True),
    sa.Column('reminded_at', core.types.UTCDateTime(), nullable=True),
    sa.Column('created_at', core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['owner_contact_id'], ['partner_contacts.id'], ),
    sa.ForeignKeyConstraint(['owner_staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['round_table_id'], ['round_tables.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('round_table_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_table_items_round_table_id'), ['round_table_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('round_table_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_table_items_round_table_id'))

    op.drop_table('round_table_items')
    with op.batch_alter_table('round_table_guests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_table_guests_round_table_id'))

    op.drop_table('round_table_guests')
    with op.batch_alter_table('round_tables', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_tables_office_id'))

    op.drop_table('round_tables')
