"""The supervisors' daily digest: overdue steps and failed messages of their offices.

Claimed per supervisor and day (a unique row) before sending, so a task delivered twice sends
one digest. Case numbers only: no household names leave in a digest.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage

from sqlalchemy import delete, or_
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core import mail
from core.clock import berlin, format_berlin, utc_now
from core.config import Settings
from models import Case, CaseStep, DigestDelivery, Office, Reminder, Staff
from models.enums import CHANNEL_LABELS, ReminderStatus, Role
from workflows.engine.access import visible_office_ids
from workflows.messaging.compose import case_link
from workflows.move_in import step_label
from workflows.move_in.states import OPEN_STEP_STATES
from workflows.oversight import figures


@dataclass(frozen=True)
class Digest:
    overdue: list[tuple[Case, str, str, datetime]]  # case, office, step label, due
    failed: list[tuple[Case, str, str, int]]  # case, office, reminder kind, attempts
    by_channel: dict[str, int] = field(default_factory=dict)  # failures per channel


def supervisors(session: Session) -> list[int]:
    query = select(Staff.id).where(Staff.role == Role.SUPERVISOR, col(Staff.active).is_(True))
    return [staff_id for staff_id in session.exec(query) if staff_id is not None]


def gather(session: Session, staff: Staff, now: datetime) -> Digest:
    offices = visible_office_ids(staff)
    overdue_q = (
        select(Case, Office.name, CaseStep.kind, CaseStep.due_at)
        .join(CaseStep, col(CaseStep.case_id) == Case.id)
        .join(Office, col(Office.id) == Case.office_id)
        .where(col(CaseStep.state).in_(OPEN_STEP_STATES), col(CaseStep.due_at) < now)
        .order_by(col(CaseStep.due_at))
    )
    failed_q = (
        select(Case, Office.name, Reminder.kind, Reminder.attempts)
        .join(Reminder, col(Reminder.case_id) == Case.id)
        .join(Office, col(Office.id) == Case.office_id)
        .where(
            or_(
                col(Reminder.status) == ReminderStatus.FAILED,
                col(Reminder.failed_channels).is_not(None),
            ),
            col(Case.closed_at).is_(None),
        )
        .order_by(col(Reminder.id))
    )
    if offices is not None:
        overdue_q = overdue_q.where(col(Case.office_id).in_(offices))
        failed_q = failed_q.where(col(Case.office_id).in_(offices))
    rows = session.exec(overdue_q)
    overdue = [(c, o, step_label(k), due) for c, o, k, due in rows if due is not None]
    failed = [(c, o, kind, n) for c, o, kind, n in session.exec(failed_q)]
    by_channel = figures.failures_by_channel(session, offices)
    return Digest(overdue=overdue, failed=failed, by_channel=by_channel)


def prune(session: Session, before: date) -> int:
    """Forget the digests of days before ``before`` (only today's claim keeps a digest from
    going out twice); returns how many went."""
    result = session.execute(delete(DigestDelivery).where(col(DigestDelivery.day) < before))
    return result.rowcount  # type: ignore[attr-defined, no-any-return]


def claim(session: Session, staff_id: int, day: date, now: datetime) -> bool:
    """Take today's digest for this supervisor; False if another delivery already has it."""
    try:
        with session.begin_nested():
            session.add(DigestDelivery(staff_id=staff_id, day=day, claimed_at=now))
        return True
    except IntegrityError:
        return False


def compose(staff: Staff, digest: Digest, now: datetime, settings: Settings) -> EmailMessage:
    lines = [f"Guten Morgen {staff.name},", "", f"Stand {format_berlin(now)}:", ""]
    lines.append(f"Überfällige Schritte: {len(digest.overdue)}")
    lines += [f"  {c.number} ({o}): {label}, fällig seit {format_berlin(due)}\n"
              f"    {case_link(settings, c.id)}"
              for c, o, label, due in digest.overdue]  # fmt: skip
    channels = " · ".join(f"{CHANNEL_LABELS.get(c, c)} {n}" for c, n in digest.by_channel.items())
    lines += ["", f"Fehlgeschlagene Nachrichten: {len(digest.failed)}"]
    if channels:
        lines.append(f"  nach Weg: {channels}")
    lines += [f"  {c.number} ({o}): {kind}, {tries} Versuche\n    {case_link(settings, c.id)}"
              for c, o, kind, tries in digest.failed]  # fmt: skip
    message = mail.new_message()
    message["From"] = settings.mail_from
    message["To"] = staff.email
    message["Subject"] = (
        f"Tagesübersicht: {len(digest.overdue)} überfällig, {len(digest.failed)} fehlgeschlagen"
    )
    message.set_content("\n".join(lines) + "\n")
    return message


def today(now: datetime) -> date:
    return berlin(now).date()


def mark(session: Session, staff_id: int, day: date, status: str, error: str | None = None) -> None:
    row = session.exec(
        select(DigestDelivery).where(DigestDelivery.staff_id == staff_id, DigestDelivery.day == day)
    ).one()
    row.status, row.last_error = status, error
    if status == "sent":
        row.sent_at = utc_now()
