"""A case's timeline: history, notes, reminders and referrals merged into one list, newest first.

A pure read model (it never writes) for the case page. Each entry is placed at the moment that
tells staff the most:

- history entries and notes: when they were written;
- reminders: when sent; a failed one when the last attempt began; a pending one (scheduled,
  queued, sending) when it is due, so the planned ones sort above today; a cancelled one when it
  was planned (the moment of cancelling is not recorded);
- referrals: when sent, and a second entry when the partner answered.
"""

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from models import Case, CaseEvent, CaseStep, Partner, Referral, Reminder, Staff
from models.enums import (
    PARTNER_CATEGORY_LABELS,
    REMINDER_KIND_LABELS,
    Recipient,
    ReferralStatus,
    ReminderStatus,
)
from workflows.definition import get_workflow
from workflows.errors import CaseNotFound
from workflows.move_in import STEPS
from workflows.notes import NOTE_TRIGGER
from workflows.states import CASE_STATE_LABELS, MILESTONE_LABELS, STEP_STATE_LABELS

SYSTEM = "System"


class EntryKind(StrEnum):
    EVENT = "event"  # a transition, the opening of the case, a consent recorded or withdrawn
    NOTE = "note"
    REMINDER = "reminder"
    REFERRAL = "referral"
    ANSWER = "answer"  # a partner's answer to a referral


EVENT_TITLES = {
    "open_case": "Fall eröffnet",
    "grant_consent": "Einwilligung erfasst",
    "withdraw_consent": "Einwilligung widerrufen",
}
REMINDER_TITLES = REMINDER_KIND_LABELS
RECIPIENT_LABELS = {
    Recipient.CASEWORKER: "an Mitarbeiter:in",
    Recipient.HOUSEHOLD: "an den Haushalt",
    Recipient.PARTNER: "an den Partner",
    Recipient.SUPERVISORS: "an die Leitung",
}
REMINDER_STATUS_LABELS = {
    ReminderStatus.SCHEDULED: "geplant",
    ReminderStatus.QUEUED: "in Versand",
    ReminderStatus.SENDING: "wird gesendet",
    ReminderStatus.SENT: "gesendet",
    ReminderStatus.FAILED: "fehlgeschlagen",
    ReminderStatus.CANCELLED: "entfallen",
}
REFERRAL_STATUS_LABELS = {
    ReferralStatus.SENT: "gesendet",
    ReferralStatus.ACCEPTED: "angenommen",
    ReferralStatus.DECLINED: "abgelehnt",
    ReferralStatus.DONE: "erledigt",
    ReferralStatus.WITHDRAWN: "zurückgezogen",
}


@dataclass(frozen=True)
class Entry:
    """One line of the timeline; fields that do not apply to its kind stay empty."""

    at: datetime
    kind: EntryKind
    title: str
    actor: str | None = None  # who did it ("System" for the engine); None: nobody's act
    change: str | None = None  # "offen → erledigt"
    text: str | None = None  # the note, the reason given, the partner's answer
    status: str | None = None  # machine value, e.g. "failed" (a CSS class)
    status_label: str | None = None
    step: str | None = None  # the step the entry is about
    partner: str | None = None
    recipient: str | None = None
    due_at: datetime | None = None
    sent_at: datetime | None = None
    attempts: int = 0
    error: str | None = None
    order: int = 0  # tie-break between entries of the same moment (later rows first)


def timeline(session: Session, case_id: int) -> list[Entry]:
    """Everything that happened to the case, and the reminders still planned, newest first."""
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(case_id)
    step_rows = session.exec(select(CaseStep).where(CaseStep.case_id == case_id))
    steps = {row.id: row.kind for row in step_rows}
    events = list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)))
    referrals = list(session.exec(select(Referral).where(Referral.case_id == case_id)))
    reminders = list(session.exec(select(Reminder).where(Reminder.case_id == case_id)))
    actors = {e.actor_id for e in events} | {r.created_by_id for r in referrals}
    names = _staff_names(session, actors)
    entries = [_event_entry(case, event, names) for event in events]
    entries += [_reminder_entry(reminder, steps) for reminder in reminders]
    entries += _referral_entries(session, referrals, steps, names)
    return sorted(entries, key=lambda e: (e.at, _RANK[e.kind], e.order), reverse=True)


# Of entries at the same moment, the history entry is shown above what it set off.
_RANK = {
    EntryKind.REMINDER: 0,
    EntryKind.ANSWER: 1,
    EntryKind.REFERRAL: 2,
    EntryKind.EVENT: 3,
    EntryKind.NOTE: 3,
}


def _staff_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    query = select(Staff.id, Staff.name).where(col(Staff.id).in_(wanted))
    return {staff_id: name for staff_id, name in session.exec(query) if staff_id is not None}


def _actor(actor_id: int | None, names: dict[int, str]) -> str:
    return SYSTEM if actor_id is None else names.get(actor_id, f"Mitarbeiter:in {actor_id}")


def _step_label(kind: str | None) -> str | None:
    if kind is None:
        return None
    return STEPS[kind].label if kind in STEPS else kind


def _event_entry(case: Case, event: CaseEvent, names: dict[int, str]) -> Entry:
    actor, order = _actor(event.actor_id, names), event.id or 0
    if event.trigger == NOTE_TRIGGER:
        return Entry(event.at, EntryKind.NOTE, "Notiz", actor=actor, text=event.note, order=order)
    title = EVENT_TITLES.get(event.trigger) or get_workflow(
        case.workflow, case.workflow_version
    ).label(event.trigger)
    return Entry(
        event.at,
        EntryKind.EVENT,
        title,
        actor=actor,
        change=_change(event),
        text=event.note,
        step=_step_label(event.step_kind),
        order=order,
    )


def _change(event: CaseEvent) -> str | None:
    """``"offen → erledigt"``; None when the state stayed (a visit moved) or none is recorded."""
    if event.to_state is None or event.from_state == event.to_state:
        return None
    labels = STEP_STATE_LABELS if event.step_kind else CASE_STATE_LABELS
    after = labels.get(event.to_state, event.to_state)
    if event.from_state is None:
        return after
    return f"{labels.get(event.from_state, event.from_state)} → {after}"


def _reminder_at(reminder: Reminder) -> datetime:
    if reminder.status == ReminderStatus.SENT and reminder.sent_at is not None:
        return reminder.sent_at
    if reminder.status == ReminderStatus.FAILED:
        return reminder.claimed_at or reminder.queued_at or reminder.due_at
    if reminder.status == ReminderStatus.CANCELLED:
        return reminder.created_at
    return reminder.due_at


def _reminder_entry(reminder: Reminder, steps: dict[int | None, str]) -> Entry:
    subject = _step_label(steps.get(reminder.step_id)) if reminder.step_id else None
    if reminder.milestone:
        subject = MILESTONE_LABELS.get(reminder.milestone, reminder.milestone)
    return Entry(
        _reminder_at(reminder),
        EntryKind.REMINDER,
        REMINDER_TITLES.get(reminder.kind, reminder.kind),
        status=reminder.status,
        status_label=REMINDER_STATUS_LABELS.get(reminder.status, reminder.status),
        text=reminder.cancelled_reason,
        step=subject,
        recipient=RECIPIENT_LABELS.get(reminder.recipient, reminder.recipient),
        due_at=reminder.due_at,
        sent_at=reminder.sent_at,
        attempts=reminder.attempts,
        error=reminder.last_error,
        order=reminder.id or 0,
    )


def _referral_entries(
    session: Session,
    referrals: list[Referral],
    steps: dict[int | None, str],
    names: dict[int, str],
) -> list[Entry]:
    partner_ids = {r.partner_id for r in referrals}
    partners = {
        p.id: p for p in session.exec(select(Partner).where(col(Partner.id).in_(partner_ids)))
    }
    entries = []
    for referral in referrals:
        partner = partners.get(referral.partner_id)
        name = partner.name if partner else f"Partner {referral.partner_id}"
        category = PARTNER_CATEGORY_LABELS.get(partner.category) if partner else None
        sent = Entry(
            referral.created_at,
            EntryKind.REFERRAL,
            f"Weitervermittelt an {name}",
            actor=_actor(referral.created_by_id, names),
            status=referral.status,  # the referral's current status
            status_label=REFERRAL_STATUS_LABELS.get(referral.status, referral.status),
            step=_step_label(steps.get(referral.step_id)),
            partner=f"{name} ({category})" if category else name,
            order=referral.id or 0,
        )
        entries.append(sent)
        if referral.answered_at is not None:
            answer = replace(sent, at=referral.answered_at, kind=EntryKind.ANSWER, actor=None)
            entries.append(replace(answer, title=f"Antwort von {name}", text=referral.answer_note))
    return entries
