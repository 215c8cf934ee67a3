"""Which channel carries a household message: the first of the household's that can.

A household lists how it can be reached, preferred first (``Household.contact_channels``).
When a message is due, each listed channel is asked in turn whether it can carry this message
now (``why_not``); the first that can, does. A channel that failed for this message for good
is not asked again. When none can, the message becomes a call on the caseworker's list: a
household is never left with no message at all.

Email and SMS go out through the workers; a letter or a call is a task for the caseworker
(``workflows.messaging.by_hand``); the helper channel mails the household's contact person or
volunteer, or asks the caseworker to call them.
"""

from datetime import datetime, timedelta

from sqlmodel import Session

from core import sms
from core.config import Settings
from models import Appointment, CaseStep, Household, Reminder
from models.enums import CHANNEL_LABELS, Channel, ReminderKind
from workflows.messaging.household_mail import APPOINTMENT_KINDS

# Channels the workers send on; the others wait for the caseworker.
AUTOMATIC = (Channel.EMAIL, Channel.SMS)


def about(session: Session, reminder: Reminder) -> datetime | None:
    """The moment the message is about (the appointment, the deadline), or None."""
    if reminder.kind in APPOINTMENT_KINDS and reminder.appointment_id is not None:
        appointment = session.get(Appointment, reminder.appointment_id)
        return appointment.starts_at if appointment else None
    if reminder.step_id is not None:
        step = session.get(CaseStep, reminder.step_id)
        return step.due_at if step else None
    return None


def why_not(
    channel: str,
    household: Household,
    kind: str,
    by: datetime | None,
    now: datetime,
    settings: Settings,
) -> str | None:
    """Why ``channel`` cannot carry this message now, or None when it can."""
    if channel == Channel.EMAIL:
        return None if household.email else "keine E-Mail-Adresse"
    if channel == Channel.SMS:
        if not sms.configured(settings):
            return "kein SMS-Gateway eingerichtet"
        return None if sms.mobile_number(household.phone) else "keine Handynummer"
    if channel == Channel.LETTER:
        if kind == ReminderKind.APPOINTMENT_REMINDER:
            return "ein Brief käme zu spät"
        if by is not None and by - now < timedelta(days=settings.letter_lead_days):
            return "ein Brief käme zu spät"
        return None
    if channel == Channel.PHONE:
        return None if household.phone else "keine Telefonnummer"
    if channel == Channel.HELPER:
        reachable = household.helper_email or household.helper_phone
        return None if household.helper_name and reachable else "keine Vertrauensperson"
    return "unbekannter Kontaktweg"


def failed(reminder: Reminder) -> list[str]:
    return [c for c in (reminder.failed_channels or "").split(",") if c]


def choose(
    session: Session, reminder: Reminder, household: Household, now: datetime, settings: Settings
) -> Channel:
    """The household's first channel that can carry ``reminder`` and has not failed for it;
    a call when none can (the caseworker reads it out, or finds another way)."""
    tried = failed(reminder)
    by = about(session, reminder)
    for channel in household.contact_channels:
        if channel in tried:
            continue
        if why_not(channel, household, reminder.kind, by, now, settings) is None:
            return Channel(channel)
    return Channel.PHONE


def label(channel: str | None) -> str:
    return CHANNEL_LABELS.get(channel or "", channel or "–")
