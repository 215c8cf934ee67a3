"""Small helpers shared by tests: advancing a case, letting time pass, reading rows."""

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, select

from core.celery_app import app as celery_app
from core.db import unit_of_work
from models import Case, CaseStep, Reminder
from models.enums import ReminderStatus
from workflows.engine import advance, outbox


def step(case_id: int, trigger: str, actor_id: int | None, **params: Any) -> Case:
    """Advance the case in its own committed transaction, as a request would; return once the
    process's relay thread has published what the change queued (deterministic tests)."""
    with unit_of_work() as session:
        case = advance(session, case_id, trigger, actor_id=actor_id, **params)
    outbox.settle()
    return case


def pass_time(days: float) -> None:
    """Let ``days`` pass: everything scheduled or due comes that much closer."""
    delta = timedelta(days=days)
    with unit_of_work() as session:
        scheduled = select(Reminder).where(Reminder.status == ReminderStatus.SCHEDULED)
        for reminder in session.exec(scheduled):
            reminder.due_at -= delta
        for case_step in session.exec(select(CaseStep).where(col(CaseStep.due_at).is_not(None))):
            case_step.due_at -= delta  # type: ignore[operator]
        for case in session.exec(select(Case)):
            case.milestone_due_at = case.milestone_due_at and case.milestone_due_at - delta
            case.next_due_at = case.next_due_at and case.next_due_at - delta


def run_sweep() -> None:
    """Ask the workers to dispatch due reminders, as celery beat does every minute."""
    celery_app.send_task("reminders.dispatch_due")


def reminders(case_id: int) -> list[Reminder]:
    with unit_of_work() as session:
        query = select(Reminder).where(Reminder.case_id == case_id).order_by(col(Reminder.id))
        return list(session.exec(query))


def reminder_statuses(case_id: int) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for reminder in reminders(case_id):
        result.setdefault(reminder.kind, []).append(reminder.status)
    return result


def in_hours(hours: float) -> datetime:
    from core.clock import utc_now

    return utc_now() + timedelta(hours=hours)


def drawn_signature(width: int = 300, height: int = 100) -> bytes:
    """A PNG as the tablet's signature field sends it: transparent, with one dark stroke."""
    import io

    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    ImageDraw.Draw(image).line([(20, 70), (90, 20), (160, 75), (280, 30)], fill="#111", width=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def signed() -> Any:
    """Evidence for ``consent.grant`` in tests that are about something else: signed on the
    tablet."""
    from workflows.consent.evidence import signature

    return signature(drawn_signature())
