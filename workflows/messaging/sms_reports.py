"""The SMS gateway's delivery reports: a text message delivered, or not after all.

A report names the gateway's id of the message (``Reminder.provider_ref``). "delivered" is
noted on the message; "undelivered" or "failed" is a delivery failure of the SMS channel: the
message goes on to the household's next channel, as when the gateway refuses it at once. Any
other status (queued, sending, sent) says nothing new. A report for an unknown id, or a second
report of the same outcome, changes nothing.
"""

from datetime import datetime

from sqlmodel import Session, col, select

from models import Reminder
from models.enums import Channel, ReminderStatus
from workflows.engine import reminders

DELIVERED = "delivered"
NOT_DELIVERED = ("undelivered", "failed")


def record(
    session: Session, provider_ref: str, status: str, error_code: str | None, now: datetime
) -> str:
    """Apply one report; returns what it did ("delivered", "next channel", "ignored")."""
    query = select(Reminder).where(col(Reminder.provider_ref) == provider_ref)
    reminder = session.exec(query.with_for_update()).first()
    if reminder is None or reminder.status != ReminderStatus.SENT:
        return "ignored"
    if reminder.channel != Channel.SMS:
        return "ignored"
    if status == DELIVERED:
        if reminder.delivered_at is None:
            reminder.delivered_at = now
        return "delivered"
    if status in NOT_DELIVERED:
        code = f" (Fehler {error_code})" if error_code else ""
        error = f"SMS: nicht zugestellt{code}"
        reminders.fall_back(session, reminder.id, Channel.SMS, error, now)  # type: ignore[arg-type]
        return "next channel"
    return "ignored"
