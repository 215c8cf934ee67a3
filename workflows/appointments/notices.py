"""What the household hears about an appointment: invitation, update, reminder, cancellation.

Shared by the visits (``workflows.move_in.effects.BookVisit``, ``CloseCase``) and the
consultation-hour appointments (``workflows.appointments.consultations``). Every message is a
reminder row, composed when sent.
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from core.clock import shift_local
from core.config import Settings
from models import Appointment, Case, Reminder
from models.enums import (
    PENDING_REMINDER_STATUSES,
    AppointmentStatus,
    Recipient,
    ReminderKind,
    ReminderStatus,
)
from workflows.engine import reminders


def cancel_appointment_reminders(session: Session, appointment: Appointment, reason: str) -> None:
    """Every email about ``appointment`` not sent yet no longer applies (it moved or ended)."""
    query = select(Reminder).where(
        Reminder.appointment_id == appointment.id,
        col(Reminder.status).in_(PENDING_REMINDER_STATUSES),
    )
    for reminder in session.exec(query):
        reminders.cancel(session, reminder, reason)


def announce_appointment(
    session: Session,
    case: Case,
    appointment: Appointment,
    now: datetime,
    settings: Settings,
    moved: bool,
) -> None:
    """Tell the household at once (invitation or update with its .ics), remind it the day before."""
    kind = ReminderKind.APPOINTMENT_UPDATE if moved else ReminderKind.APPOINTMENT_INVITATION
    links = {"appointment_id": appointment.id}
    reminders.schedule(session, case, kind, Recipient.HOUSEHOLD, now, now, **links)
    before = timedelta(hours=settings.visit_reminder_hours_before)
    remind_at = shift_local(appointment.starts_at, -before)
    if remind_at > now:  # the invitation itself was the reminder for a visit that soon
        reminders.schedule(
            session, case, ReminderKind.APPOINTMENT_REMINDER, Recipient.HOUSEHOLD, remind_at, now,
            **links,
        )  # fmt: skip


def call_off_appointment(
    session: Session, case: Case, appointment: Appointment, now: datetime, reason: str
) -> None:
    """The appointment is off, and its pending emails; a household that was told of it (an
    invitation or update sent or being sent) gets the cancellation."""
    appointment.status = AppointmentStatus.CANCELLED
    appointment.sequence += 1  # a cancellation is one more change of the calendar entry
    told = select(Reminder.id).where(
        Reminder.appointment_id == appointment.id,
        col(Reminder.kind).in_(
            [ReminderKind.APPOINTMENT_INVITATION, ReminderKind.APPOINTMENT_UPDATE]
        ),
        col(Reminder.status).in_([ReminderStatus.SENT, ReminderStatus.SENDING]),
    )
    cancel_appointment_reminders(session, appointment, reason)
    if session.exec(told).first() is None:
        return
    reminders.schedule(
        session, case, ReminderKind.APPOINTMENT_CANCELLATION, Recipient.HOUSEHOLD, now, now,
        appointment_id=appointment.id,
    )  # fmt: skip
