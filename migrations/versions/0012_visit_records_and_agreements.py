"""visit records, agreements made at visits, the day a step was really done

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29 22:00:00.000000
"""
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types


revision: str = '0012'
down_revision: str | None = '0011'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'visit_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('appointment_id', sa.Integer(), nullable=True),
        sa.Column('held_at', core.types.UTCDateTime(), nullable=False),
        sa.Column('participants', sa.String(length=500), nullable=False),
        sa.Column('interpreter_language', sa.String(length=3), nullable=True),
        sa.Column('interpreter_name', sa.String(length=120), nullable=True),
        sa.Column('topics', sa.String(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=True),
        sa.Column('recorded_at', core.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id']),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['staff.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('appointment_id'),
    )
    op.create_index('ix_visit_records_case_id', 'visit_records', ['case_id'])
    op.create_table(
        'agreements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('case_id', sa.Integer(), nullable=False),
        sa.Column('visit_record_id', sa.Integer(), nullable=False),
        sa.Column('what', sa.String(length=500), nullable=False),
        sa.Column('owner', sa.String(length=120), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('done_at', core.types.UTCDateTime(), nullable=True),
        sa.Column('done_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['case_id'], ['cases.id']),
        sa.ForeignKeyConstraint(['done_by_id'], ['staff.id']),
        sa.ForeignKeyConstraint(['visit_record_id'], ['visit_records.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_agreements_case_id', 'agreements', ['case_id'])
    op.create_index('ix_agreements_visit_record_id', 'agreements', ['visit_record_id'])
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.add_column(sa.Column('done_on', sa.Date(), nullable=True))
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('agreement_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_reminders_agreement', 'agreements', ['agreement_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reminders_agreement', type_='foreignkey')
        batch_op.drop_column('agreement_id')
    with op.batch_alter_table('case_steps', schema=None) as batch_op:
        batch_op.drop_column('done_on')
    op.drop_index('ix_agreements_visit_record_id', table_name='agreements')
    op.drop_index('ix_agreements_case_id', table_name='agreements')
    op.drop_table('agreements')
    op.drop_index('ix_visit_records_case_id', table_name='visit_records')
    op.drop_table('visit_records')
