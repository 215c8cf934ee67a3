"""Round-table actions follow a workflow of their own (open, done, dropped) with a history.

Actions done before keep "done"; every other item is "open" (a decision has no lifecycle).

Revision ID: 0025
Revises: 0024
Create Date: 2026-11-30 22:32:57.764676
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.types


revision: str = '0025'
down_revision: str | None = '0024'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('round_table_item_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('from_state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('to_state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['staff.id'], name='fk_round_table_item_events_actor_id'),
    sa.ForeignKeyConstraint(['item_id'], ['round_table_items.id'], name='fk_round_table_item_events_item_id'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('round_table_item_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_table_item_events_item_id'), ['item_id'], unique=False)

    with op.batch_alter_table('round_table_items', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default='open'))
        batch_op.add_column(sa.Column('workflow_version', sa.Integer(), nullable=False, server_default='1'))
        batch_op.create_index(batch_op.f('ix_round_table_items_state'), ['state'], unique=False)
    op.execute("UPDATE round_table_items SET state = 'done' WHERE done_at IS NOT NULL")


def downgrade() -> None:
    # A dropped action was never done: it reads as open again, as it did before.
    with op.batch_alter_table('round_table_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_table_items_state'))
        batch_op.drop_column('workflow_version')
        batch_op.drop_column('state')

    with op.batch_alter_table('round_table_item_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_table_item_events_item_id'))

    op.drop_table('round_table_item_events')
