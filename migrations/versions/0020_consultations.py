"""consultation hours: schedule, closures, bookings, contacts, visitors; calendar feeds

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-30 14:43:12.731622
"""
from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import core.types

revision: str = '0020'
down_revision: str | None = '0019'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('visitors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('created_at', core.types.UTCDateTime(), nullable=False),
    sa.Column('last_seen_on', sa.Date(), nullable=True),
    sa.Column('erased_at', core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('visitors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_visitors_office_id'), ['office_id'], unique=False)

    op.create_table('calendar_feeds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', core.types.UTCDateTime(), nullable=False),
    sa.Column('revoked_at', core.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('token_hash')
    )
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calendar_feeds_staff_id'), ['staff_id'], unique=False)

    op.create_table('consultation_closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hour_id', sa.Integer(), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.types.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['hour_id'], ['consultation_hours.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('hour_id', 'day')
    )
    with op.batch_alter_table('consultation_closures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_closures_hour_id'), ['hour_id'], unique=False)

    op.create_table('consultation_duties',
    sa.Column('hour_id', sa.Integer(), nullable=False),
    sa.Column('staff_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['hour_id'], ['consultation_hours.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.PrimaryKeyConstraint('hour_id', 'staff_id')
    )
    with op.batch_alter_table('consultation_duties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_duties_staff_id'), ['staff_id'], unique=False)

    op.create_table('consultation_bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('hour_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', core.types.UTCDateTime(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('appointment_id', sa.Integer(), nullable=True),
    sa.Column('visitor_id', sa.Integer(), nullable=True),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('interpreter_needed', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=40), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', core.types.UTCDateTime(), nullable=False),
    sa.Column('cancelled_reason', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['created_by_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['hour_id'], ['consultation_hours.id'], ),
    sa.ForeignKeyConstraint(['visitor_id'], ['visitors.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consultation_bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_bookings_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_bookings_hour_id'), ['hour_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_bookings_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_bookings_visitor_id'), ['visitor_id'], unique=False)

    op.create_table('consultation_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('sub_location_id', sa.Integer(), nullable=True),
    sa.Column('hour_id', sa.Integer(), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('case_id', sa.Integer(), nullable=True),
    sa.Column('visitor_id', sa.Integer(), nullable=True),
    sa.Column('staff_id', sa.Integer(), nullable=True),
    sa.Column('occurred_at', core.types.UTCDateTime(), nullable=False),
    sa.Column('walk_in', sa.Boolean(), nullable=False),
    sa.Column('persons', sa.Integer(), nullable=False),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=True),
    sa.Column('interpreter_used', sa.Boolean(), nullable=False),
    sa.Column('outcome', sa.String(length=40), nullable=False),
    sa.Column('referred_to', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
    sa.Column('note', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=True),
    sa.ForeignKeyConstraint(['booking_id'], ['consultation_bookings.id'], ),
    sa.ForeignKeyConstraint(['case_id'], ['cases.id'], ),
    sa.ForeignKeyConstraint(['hour_id'], ['consultation_hours.id'], ),
    sa.ForeignKeyConstraint(['office_id'], ['offices.id'], ),
    sa.ForeignKeyConstraint(['staff_id'], ['staff.id'], ),
    sa.ForeignKeyConstraint(['sub_location_id'], ['sub_locations.id'], ),
    sa.ForeignKeyConstraint(['visitor_id'], ['visitors.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('consultation_contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_contacts_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_contacts_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_contacts_office_id'), ['office_id'], unique=False)

    with op.batch_alter_table('consultation_hours', schema=None) as batch_op:
        # Hours kept before: half-hour slots, one household each (as the demo data had them).
        batch_op.add_column(
            sa.Column('slot_minutes', sa.Integer(), nullable=False, server_default='30')
        )
        batch_op.add_column(sa.Column('capacity', sa.Integer(), nullable=False, server_default='1'))
        batch_op.add_column(sa.Column('valid_from', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('valid_to', sa.Date(), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('consultation_hours', schema=None) as batch_op:
        batch_op.drop_column('valid_to')
        batch_op.drop_column('valid_from')
        batch_op.drop_column('capacity')
        batch_op.drop_column('slot_minutes')

    with op.batch_alter_table('consultation_contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_contacts_office_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_contacts_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_consultation_contacts_case_id'))

    op.drop_table('consultation_contacts')
    with op.batch_alter_table('consultation_bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_bookings_visitor_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_bookings_starts_at'))
        batch_op.drop_index(batch_op.f('ix_consultation_bookings_hour_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_bookings_case_id'))

    op.drop_table('consultation_bookings')
    with op.batch_alter_table('consultation_duties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_duties_staff_id'))

    op.drop_table('consultation_duties')
    with op.batch_alter_table('consultation_closures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_closures_hour_id'))

    op.drop_table('consultation_closures')
    with op.batch_alter_table('calendar_feeds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calendar_feeds_staff_id'))

    op.drop_table('calendar_feeds')
    with op.batch_alter_table('visitors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_visitors_office_id'))

    op.drop_table('visitors')
