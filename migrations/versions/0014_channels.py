"""household contact channels in order of preference; the channel each message took;
households' answers to appointments

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-30 00:10:00.000000
"""
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import core.types


revision: str = '0014'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Before: an unordered set of "email", "phone", "letter", "visit". After: channels in order of
# preference; "visit" (reached at the visits) becomes the letter handed over there.
_ORDER = ('email', 'letter', 'phone')


def _reorder(old: list[str]) -> list[str]:
    present = {'letter' if c == 'visit' else c for c in old}
    return [c for c in _ORDER if c in present] or ['letter', 'phone']


def upgrade() -> None:
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('failed_channels', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('provider_ref', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('delivered_at', core.types.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('handled_by_id', sa.Integer(), nullable=True))
        batch_op.create_index(
            batch_op.f('ix_reminders_provider_ref'), ['provider_ref'], unique=True
        )
        batch_op.create_foreign_key(
            'fk_reminders_handled_by_id_staff', 'staff', ['handled_by_id'], ['id']
        )
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.add_column(sa.Column('helper_name', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('helper_phone', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('helper_email', sa.String(length=200), nullable=True))
    op.create_table(
        'appointment_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('appointment_id', sa.Integer(), nullable=False),
        sa.Column('sequence', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('created_at', core.types.UTCDateTime(), nullable=False),
        sa.Column('answered_at', core.types.UTCDateTime(), nullable=True),
        sa.Column('answer', sa.String(length=20), nullable=True),
        sa.Column('note', sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(['appointment_id'], ['appointments.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('appointment_id', 'sequence'),
    )
    with op.batch_alter_table('appointment_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_appointment_answers_token'), ['token'], unique=True)
    households = sa.table(
        'households', sa.column('id', sa.Integer()), sa.column('contact_channels', sa.JSON())
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(households.c.id, households.c.contact_channels)).all():
        old = row.contact_channels
        if isinstance(old, str):
            old = json.loads(old)
        bind.execute(
            households.update()
            .where(households.c.id == row.id)
            .values(contact_channels=_reorder(list(old or [])))
        )
    # Messages to households that failed only for want of an email address: the next delivery
    # chooses a channel; these become calls to make (nothing was ever sent).
    reminders = sa.table(
        'reminders',
        sa.column('status', sa.String()),
        sa.column('recipient', sa.String()),
        sa.column('last_error', sa.String()),
        sa.column('channel', sa.String()),
    )
    bind.execute(
        reminders.update()
        .where(
            reminders.c.status == 'failed',
            reminders.c.recipient == 'household',
            reminders.c.last_error.like('Keine E-Mail-Adresse%'),
        )
        .values(status='task', channel='phone')
    )


def downgrade() -> None:
    with op.batch_alter_table('appointment_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_appointment_answers_token'))
    op.drop_table('appointment_answers')
    with op.batch_alter_table('households', schema=None) as batch_op:
        batch_op.drop_column('helper_email')
        batch_op.drop_column('helper_phone')
        batch_op.drop_column('helper_name')
    with op.batch_alter_table('reminders', schema=None) as batch_op:
        batch_op.drop_constraint('fk_reminders_handled_by_id_staff', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_reminders_provider_ref'))
        batch_op.drop_column('handled_by_id')
        batch_op.drop_column('delivered_at')
        batch_op.drop_column('provider_ref')
        batch_op.drop_column('failed_channels')
        batch_op.drop_column('channel')
