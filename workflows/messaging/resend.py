"""Sending a failed message again, once staff fixed its cause (an address, the mail server).

Only a message that failed can be sent again: one that was delivered, or is on its way, is
refused, so a resend never makes a second copy of a delivered message. The resend is a row in
the case's history (who, when, which message); the message itself goes the usual way, through
the outbox, claim and send, with its own Message-ID.
"""

from datetime import datetime

from sqlmodel import Session

from core.clock import utc_now
from models import Case, CaseEvent, Reminder
from models.enums import REMINDER_KIND_LABELS, ReminderStatus
from workflows.engine import outbox, reminders
from workflows.engine.access import may_work_on
from workflows.engine.errors import Conflict, NotFound

RESEND_TRIGGER = "resend_message"


class MessageNotFound(NotFound):
    def __init__(self, reminder_id: int) -> None:
        super().__init__(f"Nachricht {reminder_id} nicht gefunden.")


class NotFailed(Conflict):
    """Only a failed message can be sent again."""

    def __init__(self) -> None:
        super().__init__(
            "Diese Nachricht ist nicht fehlgeschlagen (zugestellt, unterwegs oder abgesagt) "
            "und wird nicht noch einmal gesendet."
        )


def resend(
    session: Session, reminder_id: int, *, actor_id: int, now: datetime | None = None
) -> Reminder:
    """Queue a failed message once more and record who did it on the case's history."""
    now = now or utc_now()
    reminder = session.get(Reminder, reminder_id, with_for_update=True)
    case = session.get(Case, reminder.case_id) if reminder is not None else None
    if reminder is None or case is None or not may_work_on(session, actor_id, case.office_id):
        raise MessageNotFound(reminder_id)  # another office's message is not shown either
    if reminder.status != ReminderStatus.FAILED:
        raise NotFailed()
    reminder.status, reminder.queued_at, reminder.claimed_at = ReminderStatus.QUEUED, now, None
    reminder.attempts, reminder.last_error = 0, None
    label = REMINDER_KIND_LABELS.get(reminder.kind, reminder.kind)
    session.add(
        CaseEvent(
            case_id=case.id,  # type: ignore[arg-type]
            at=now,
            actor_id=actor_id,
            trigger=RESEND_TRIGGER,
            note=f"{label} (Nachricht {reminder.id})",
        )
    )
    outbox.enqueue(session, reminders.SEND_TASK, reminder_id=reminder_id)
    session.flush()
    return reminder
