"""Escalations to the supervisors, bundled: one mail per set of recipients per sweep.

The due sweep hands every escalation it found (a step or a visit overdue) to one task; here
they are grouped by who receives them (an office's supervisors, or those responsible for all
offices) and each group becomes one mail, each item with a link to its case. A case number
and the step name, never a household's name: the mail leaves the database.
"""

import hashlib
import hmac
from collections import defaultdict
from email.message import EmailMessage
from email.utils import parseaddr

from sqlmodel import Session, col, select

from core import mail
from core.clock import format_berlin
from core.config import Settings
from models import Case, CaseStep, Office, Reminder, Staff
from models.enums import ReminderKind
from workflows.messaging.compose import Undeliverable, case_link, supervisors_of
from workflows.move_in import step_label
from workflows.move_in.states import MILESTONE_LABELS


def groups(session: Session, reminder_ids: list[int]) -> list[list[int]]:
    """The reminders grouped by their recipients (the same supervisors get one mail)."""
    rows = session.exec(
        select(Reminder.id, Case.office_id)
        .join(Case, col(Case.id) == Reminder.case_id)
        .where(col(Reminder.id).in_(reminder_ids))
        .order_by(col(Reminder.id))
    ).all()
    by_office: dict[int, list[int]] = defaultdict(list)
    for reminder_id, office_id in rows:
        by_office[office_id].append(reminder_id)  # type: ignore[arg-type]
    by_people: dict[tuple[int, ...], list[int]] = defaultdict(list)
    for office_id, ids in by_office.items():
        people = tuple(sorted(s.id for s in supervisors_of(session, office_id) if s.id))
        by_people[people] += ids
    return [sorted(ids) for ids in by_people.values()]


def _item(session: Session, reminder: Reminder, case: Case) -> str:
    if reminder.kind == ReminderKind.STEP_OVERDUE:
        step = session.get(CaseStep, reminder.step_id)
        assert step is not None
        label = step_label(step.kind)
        legal = ", gesetzliche Frist" if step.legal_deadline else ""
        since = format_berlin(step.due_at) if step.due_at else "–"
        what = f"{label} – fällig war {since}{legal}"
    else:
        label = MILESTONE_LABELS.get(reminder.milestone or "", "Termin")
        due = format_berlin(case.milestone_due_at) if case.milestone_due_at else "–"
        what = f"{label} – hätte bis {due} stattfinden sollen"
    return f"  - {what}"


def compose(session: Session, reminders: list[Reminder], settings: Settings) -> EmailMessage:
    """One mail for these escalations (all to the same supervisors), grouped by case."""
    cases = {r.case_id: session.get(Case, r.case_id) for r in reminders}
    first = next(iter(cases.values()))
    assert first is not None
    people = [s.email for s in supervisors_of(session, first.office_id) if s.email]
    if not people:
        raise Undeliverable("Keine E-Mail-Adresse für die Leitung hinterlegt.")
    offices = {c.office_id: session.get(Office, c.office_id) for c in cases.values() if c}
    message = mail.new_message()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(people)
    message["Message-ID"] = bundle_id([r.id for r in reminders if r.id], settings)
    message["X-Willkommen-Reminders"] = ",".join(str(r.id) for r in reminders)
    office_names = ", ".join(sorted(o.name for o in offices.values() if o))
    if len(reminders) == 1:
        only = reminders[0]
        case = cases[only.case_id]
        assert case is not None
        message["Subject"] = f"Überfällig: {_short(session, only, case)} im Fall {case.number}"
    else:
        message["Subject"] = (
            f"Überfällig: {len(reminders)} Fristen in {len(cases)} "
            f"{'Fall' if len(cases) == 1 else 'Fällen'} ({office_names})"
        )
    lines = [
        "Guten Tag,",
        "",
        f"folgende Fristen sind überschritten (Büro {office_names}):",
        "",
    ]
    for case_id, case in sorted(cases.items()):
        assert case is not None
        assignee = _assignee(session, case)
        lines.append(f"{case.number} – zuständig: {assignee}")
        lines.append(f"  {case_link(settings, case_id)}")
        lines += [_item(session, r, case) for r in reminders if r.case_id == case_id]
        lines.append("")
    lines.append("Diese Nachricht fasst alle Meldungen eines Durchlaufs zusammen.")
    message.set_content("\n".join(lines) + "\n")
    message["Content-Language"] = "de"
    return message


def _short(session: Session, reminder: Reminder, case: Case) -> str:
    if reminder.kind == ReminderKind.STEP_OVERDUE:
        step = session.get(CaseStep, reminder.step_id)
        return step_label(step.kind) if step else "Schritt"
    return MILESTONE_LABELS.get(reminder.milestone or "", "Termin")


def _assignee(session: Session, case: Case) -> str:
    person = session.get(Staff, case.assignee_id) if case.assignee_id else None
    return person.name if person else "niemand"


def bundle_id(reminder_ids: list[int], settings: Settings) -> str:
    """The same on every attempt for the same reminders (a receiver drops a resent copy)."""
    key = settings.secret_key.get_secret_value().encode()
    members = ",".join(str(i) for i in sorted(reminder_ids))
    tag = hmac.new(key, f"escalations-{members}".encode(), hashlib.sha256).hexdigest()[:16]
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "lokal-willkommen.invalid"
    return f"<escalations-{min(reminder_ids)}.{tag}@{domain}>"
