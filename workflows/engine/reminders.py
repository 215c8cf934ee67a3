"""Reminder rows: scheduled with the change, dispatched when due, cancelled when moot.

Reminders days or weeks ahead are rows with a due time, found by the ``reminders.dispatch_due``
sweep, never long Celery countdowns. Each row is claimed before it is sent, so a second
dispatcher, a second delivery of the same task or a retry racing a duplicate sends nothing twice.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, bindparam, or_, update
from sqlalchemy import case as when
from sqlalchemy import select as sa_select
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, col, select

from core.config import Settings
from core.db import hold
from models import Agreement, Appointment, Case, CaseStep, Referral, Reminder
from models.enums import (
    OPEN_REMINDER_STATUSES,
    AppointmentStatus,
    Recipient,
    ReferralStatus,
    ReminderKind,
    ReminderStatus,
)
from workflows.engine import outbox
from workflows.engine.definition import get_workflow

SEND_TASK = "messages.send_reminder"
# Reminders to the supervisors (escalations) go out bundled: one task per sweep takes them all
# and sends one mail per set of recipients (``workflows.oversight.escalations``).
BUNDLE_TASK = "messages.send_escalations"
BUNDLED = (Recipient.SUPERVISORS,)


def schedule(
    session: Session,
    case: Case,
    kind: ReminderKind,
    recipient: Recipient,
    due_at: datetime,
    now: datetime,
    **links: Any,
) -> Reminder:
    """Plan one email; one that is already due is queued at once (sent after commit)."""
    due_now = due_at <= now
    reminder = Reminder(
        case_id=case.id,  # type: ignore[arg-type]
        kind=kind,
        recipient=recipient,
        due_at=due_at,
        status=ReminderStatus.QUEUED if due_now else ReminderStatus.SCHEDULED,
        created_at=now,
        queued_at=now if due_now else None,
        **links,
    )
    session.add(reminder)
    change: _Scheduled | None = session.info.get(_TOGETHER)
    if change is not None:
        change.created[id(reminder)] = reminder
    if due_now:
        if change is not None:
            change.due_now.append(reminder)
        else:
            _enqueue(session, [reminder])
    return reminder


_TOGETHER = "reminders_scheduled"


@dataclass
class _Scheduled:
    """The reminders one change scheduled (held until it ends), and those due at once."""

    created: dict[int, Reminder] = field(default_factory=dict)  # by id(): rows compare by value
    due_now: list[Reminder] = field(default_factory=list)


@contextmanager
def queued_together(session: Session) -> Iterator[None]:
    """One change: reminders due now that it schedules go to the outbox together at its end —
    one flush for the reminders and one INSERT for their outbox rows, not one of each per
    reminder."""
    if _TOGETHER in session.info:  # already inside one: the outermost queues
        yield
        return
    change = session.info[_TOGETHER] = _Scheduled()
    try:
        yield
    finally:
        del session.info[_TOGETHER]
    _enqueue(session, change.due_now)


def _enqueue(session: Session, due: list[Reminder]) -> None:
    if not due:
        return
    session.flush()  # their ids
    _send(session, [(reminder.id, reminder.recipient) for reminder in due])  # type: ignore[misc]


def _send(session: Session, due: list[tuple[int, str]]) -> None:
    """One send task per reminder; the escalations among them together, in one bundle task."""
    single = [{"reminder_id": rid} for rid, recipient in due if recipient not in BUNDLED]
    bundled = [rid for rid, recipient in due if recipient in BUNDLED]
    if single:
        outbox.enqueue_many(session, SEND_TASK, single)
    if bundled:
        outbox.enqueue_many(session, BUNDLE_TASK, [{"reminder_ids": bundled}])


def _queue(session: Session, ids: list[int], now: datetime) -> None:
    if not ids:
        return
    session.execute(
        update(Reminder)
        .where(col(Reminder.id).in_(ids))
        .values(status=ReminderStatus.QUEUED, queued_at=now)
        .execution_options(synchronize_session=False)
    )
    recipients = session.exec(
        select(Reminder.id, Reminder.recipient).where(col(Reminder.id).in_(ids))
    ).all()
    _send(session, [(rid, recipient) for rid, recipient in recipients if rid is not None])


APPOINTMENT_KINDS = (
    ReminderKind.VISIT,
    ReminderKind.APPOINTMENT_INVITATION,
    ReminderKind.APPOINTMENT_UPDATE,
    ReminderKind.APPOINTMENT_REMINDER,
)
# Sent while a referral waits for the partner's answer.
OPEN_REFERRAL_KINDS = (
    ReminderKind.REFERRAL,
    ReminderKind.REFERRAL_REMINDER,
    ReminderKind.REFERRAL_UNANSWERED,
)


def why_obsolete(session: Session, reminder: Reminder, case: Case) -> str | None:
    """Why this reminder no longer applies, or None while it still does."""
    # These two tell of an ending, so they still apply once the case is closed.
    if reminder.kind == ReminderKind.APPOINTMENT_CANCELLATION:
        appointment = session.get(Appointment, reminder.appointment_id)
        cancelled = appointment is not None and appointment.status == AppointmentStatus.CANCELLED
        return None if cancelled else "Termin nicht abgesagt"
    if reminder.kind == ReminderKind.REFERRAL_WITHDRAWN:
        referral = session.get(Referral, reminder.referral_id)
        withdrawn = referral is not None and referral.status == ReferralStatus.WITHDRAWN
        return None if withdrawn else "Weitervermittlung nicht zurückgezogen"
    workflow = get_workflow(case.workflow, case.workflow_version)
    if workflow.is_closed(case.state):
        return "Fall abgeschlossen"
    if reminder.kind in (ReminderKind.REGISTRATION_DEADLINE, ReminderKind.STEP_OVERDUE):
        step = session.get(CaseStep, reminder.step_id)
        if step is None or step.state not in workflow.open_step_states:
            return "Schritt bereits erledigt"
    elif reminder.kind == ReminderKind.STEP_REMINDER:
        step = session.get(CaseStep, reminder.step_id)
        if step is None or step.state not in workflow.household_step_states:
            return "Schritt erledigt oder weitervermittelt"
    elif reminder.kind == ReminderKind.AGREEMENT_DUE:
        agreement = session.get(Agreement, reminder.agreement_id)
        if agreement is None or agreement.done_at is not None:
            return "Vereinbarung erledigt"
    elif reminder.kind == ReminderKind.HOLD_FOLLOW_UP:
        step = session.get(CaseStep, reminder.step_id)
        if step is None or step.hold_until is None:
            return "Schritt nicht mehr auf der Warteliste"
    elif reminder.kind == ReminderKind.MILESTONE_OVERDUE:
        if case.state not in workflow.milestone_states.get(reminder.milestone or "", ()):
            return "Termin hat stattgefunden"
    elif reminder.kind in APPOINTMENT_KINDS:
        appointment = session.get(Appointment, reminder.appointment_id)
        if appointment is None or appointment.status != AppointmentStatus.SCHEDULED:
            return "Termin nicht mehr geplant"
    elif reminder.kind in OPEN_REFERRAL_KINDS:
        referral = session.get(Referral, reminder.referral_id)
        if referral is None or referral.status != ReferralStatus.SENT:
            return "Weitervermittlung nicht mehr offen"
    return None


def cancel(session: Session, reminder: Reminder, reason: str) -> None:
    reminder.status = ReminderStatus.CANCELLED
    reminder.cancelled_reason = reason


# Not yet out: planned, queued, or waiting for the caseworker (a call, a letter).
_PENDING = select(Reminder).where(
    Reminder.case_id == bindparam("case_id"), col(Reminder.status).in_(OPEN_REMINDER_STATUSES)
)
# Those about some steps: their own, and those about the steps' referrals.
_PENDING_OF_STEPS = _PENDING.where(
    or_(
        col(Reminder.step_id).in_(bindparam("step_ids", expanding=True)),
        col(Reminder.referral_id).in_(
            select(Referral.id).where(col(Referral.step_id).in_(bindparam("step_ids")))
        ),
    )
)


def cancel_obsolete(
    session: Session, case: Case, *, steps: list[CaseStep] | None = None, **only: Any
) -> int:
    """Cancel the case's pending reminders that no longer apply; returns how many.

    With ``steps`` (a change that moved only these steps), only the reminders about them and
    their referrals are judged; the others depend on nothing that changed. Reminders scheduled
    in the current change (``queued_together``) are left alone: they were made for the state
    it leaves behind. Whatever is missed here is judged again before it is sent (``claim``).
    """
    params: dict[str, Any] = {"case_id": case.id}
    query = _PENDING
    if steps is not None:
        if not steps:
            return 0
        if any(step.id is None for step in steps):
            session.flush()  # steps opened by this change
        query, params["step_ids"] = _PENDING_OF_STEPS, [step.id for step in steps]
    for name, value in only.items():
        query = query.where(getattr(Reminder, name) == value)
    fresh = session.info.get(_TOGETHER)
    found = session.exec(query, params=params)
    pending = [r for r in found if fresh is None or id(r) not in fresh.created]
    _related = _load_related(session, pending)  # held, so judging finds them in the session
    cancelled = 0
    for reminder in pending:
        reason = why_obsolete(session, reminder, case)
        if reason is not None:
            cancel(session, reminder, reason)
            cancelled += 1
    return cancelled


def _load_related(session: Session, pending: list[Reminder]) -> list[Any]:
    """The appointments, referrals and steps ``why_obsolete`` looks at: one query per kind."""
    related: list[Any] = []
    for model, link in (
        (Appointment, "appointment_id"),
        (Referral, "referral_id"),
        (CaseStep, "step_id"),
    ):
        ids = {getattr(r, link) for r in pending} - {None}
        ids = {i for i in ids if identity_key(model, i) not in session.identity_map}
        if ids:
            related += session.exec(select(model).where(col(model.id).in_(ids)))  # type: ignore[attr-defined]
    return related


def dispatch_due(session: Session, now: datetime, settings: Settings) -> int:
    """Queue the reminders that are due (and those whose worker vanished); returns how many."""
    limit = settings.dispatch_batch_size
    due = select(Reminder.id).where(
        Reminder.status == ReminderStatus.SCHEDULED, col(Reminder.due_at) <= now
    )
    due = due.order_by(col(Reminder.due_at)).limit(limit).with_for_update(skip_locked=True)
    ids = [rid for rid in session.exec(due) if rid is not None]
    # One query per status, not an OR: each stays an index range scan on (status, …) even after
    # SQLite has gathered statistics (bench/RESULTS.md, scenario 5).
    for status, since, lease in (
        (ReminderStatus.SENDING, Reminder.claimed_at, settings.sending_lease_seconds),
        (ReminderStatus.QUEUED, Reminder.queued_at, settings.queued_lease_seconds),
    ):
        lease_end = now - timedelta(seconds=lease)
        lost = select(Reminder.id).where(col(Reminder.status) == status, col(since) < lease_end)
        lost = lost.limit(limit).with_for_update(skip_locked=True)
        ids += [rid for rid in session.exec(lost) if rid is not None]
    _queue(session, ids, now)
    return len(ids)


_CLAIMED = (
    sa_select(Reminder, Case, Appointment, CaseStep, Referral, Agreement)  # (sqlmodel's: <= 4)
    .join(Case, col(Case.id) == Reminder.case_id)
    .outerjoin(Appointment, col(Appointment.id) == Reminder.appointment_id)
    .outerjoin(CaseStep, col(CaseStep.id) == Reminder.step_id)
    .outerjoin(Referral, col(Referral.id) == Reminder.referral_id)
    .outerjoin(Agreement, col(Agreement.id) == Reminder.agreement_id)
    .where(col(Reminder.id) == bindparam("reminder_id"))
    .execution_options(populate_existing=True)
)


def claim(session: Session, reminder_id: int, now: datetime) -> Reminder | None:
    """Take a queued reminder for sending; None if another delivery has it or it is moot."""
    result = session.execute(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id, col(Reminder.status) == ReminderStatus.QUEUED)
        .values(status=ReminderStatus.SENDING, attempts=Reminder.attempts + 1, claimed_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return None
    # The reminder and every row that decides whether it still applies, in one read, held
    # for the delivery (whose composing reads them again, from the session).
    row = session.execute(_CLAIMED, {"reminder_id": reminder_id}).one()
    hold(session, *row)
    reminder, case = row[0], row[1]
    reason = why_obsolete(session, reminder, case)
    if reason is not None:
        cancel(session, reminder, reason)
        return None
    return reminder


def mark_sent(
    session: Session,
    reminder_id: int,
    now: datetime,
    *,
    channel: str | None = None,
    provider_ref: str | None = None,
) -> None:
    """Sent: one UPDATE, nothing read (a delivery marks in a transaction of its own)."""
    failed_over = and_(
        col(Reminder.failed_channels).is_not(None), col(Reminder.failed_channels) != ""
    )
    values: dict[str, Any] = {
        "status": ReminderStatus.SENT,
        "sent_at": now,
        "provider_ref": provider_ref,
        # kept when the message took another channel: it tells why
        "last_error": when((failed_over, Reminder.last_error), else_=None),
    }
    if channel is not None:
        values["channel"] = channel
    session.execute(
        update(Reminder)
        .where(col(Reminder.id) == reminder_id)
        .values(values)
        .execution_options(synchronize_session=False)
    )


def fall_back(session: Session, reminder_id: int, channel: str, error: str, now: datetime) -> None:
    """``channel`` failed for good for this household message: note it, and queue the message
    again, for the household's next channel (``workflows.messaging.channels``)."""
    reminder = session.get(Reminder, reminder_id)
    assert reminder is not None
    tried = [c for c in (reminder.failed_channels or "").split(",") if c]
    reminder.failed_channels = ",".join(dict.fromkeys([*tried, channel]))[:40]
    reminder.last_error = error[:500]
    reminder.channel, reminder.provider_ref, reminder.attempts = None, None, 0
    session.flush()
    _queue(session, [reminder_id], now)


def record_failure(
    session: Session,
    reminder_id: int,
    error: str,
    now: datetime,
    settings: Settings,
    *,
    permanent: bool = False,
) -> float | None:
    """Note a failed attempt. Returns the pause before the next attempt, or None: given up."""
    reminder = session.get(Reminder, reminder_id)
    assert reminder is not None
    reminder.last_error = error[:500]
    delays = settings.smtp_retry_delays_seconds
    if permanent or reminder.attempts > len(delays):
        reminder.status = ReminderStatus.FAILED
        return None
    reminder.status, reminder.queued_at = ReminderStatus.QUEUED, now
    return delays[reminder.attempts - 1]
