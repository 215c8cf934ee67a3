"""A case's timeline: history, notes, reminders and referrals merged into one list, newest first.

A pure read model (it never writes) for the case page. Each entry is placed at the moment that
tells staff the most:

- history entries and notes: when they were written;
- reminders: when sent; a failed one when the last attempt began; a pending one (scheduled,
  queued, sending) when it is due, so the planned ones sort above today; a cancelled one when it
  was planned (the moment of cancelling is not recorded);
- referrals: when sent, and a second entry when the partner answered.

The timeline is read a page at a time, so a page costs the same however long the history is:
each source (history, reminders, referrals, answers) is read with its own ``ORDER BY time DESC
LIMIT`` after a cursor — the (time, source, id) of the last entry shown, never an OFFSET — and
the few rows are merged here. Rows are Core rows, not ORM entities.
"""

import re
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from functools import cache
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Row,
    Select,
    and_,
    bindparam,
    case,
    func,
    or_,
    type_coerce,
    union_all,
)
from sqlalchemy import select as sql_select
from sqlalchemy.orm.util import identity_key
from sqlmodel import Session, SQLModel, col

from core.clock import utc_now
from core.types import UTCDateTime
from models import Case, CaseEvent, CaseStep, Referral, Reminder, Staff
from models.enums import (
    PARTNER_CATEGORY_LABELS,
    REFERRAL_STATUS_LABELS,
    REMINDER_KIND_LABELS,
    Channel,
    Recipient,
    ReminderStatus,
)
from workflows.appointments import answers as appointment_answers
from workflows.casework import handover, household, notes
from workflows.casework.notes import NOTE_TRIGGER
from workflows.consultations import history as consultation_history
from workflows.engine.definition import get_workflow
from workflows.engine.errors import CaseNotFound, DomainError
from workflows.messaging.household_mail import HOUSEHOLD_KINDS
from workflows.messaging.resend import RESEND_TRIGGER
from workflows.move_in import step_label
from workflows.move_in.states import CASE_STATE_LABELS, MILESTONE_LABELS, STEP_STATE_LABELS
from workflows.network import volunteers as network_volunteers
from workflows.obstacles import tags as obstacle_tags
from workflows.referrals import answers, sending

SYSTEM = "System"
PAGE_SIZE = 50
PLANNED_MAX = 50  # planned entries shown on the first page (the soonest); a case has a handful


class EntryKind(StrEnum):
    EVENT = "event"  # a transition, the opening of the case, a consent recorded or withdrawn
    NOTE = "note"
    REMINDER = "reminder"
    REFERRAL = "referral"
    ANSWER = "answer"  # a partner's answer to a referral


class Source(StrEnum):
    """Where an entry is read from; written into the cursor of a page link."""

    EVENT = "event"  # history entries and notes
    REMINDER = "reminder"
    REFERRAL = "referral"
    ANSWER = "answer"


# Of entries at the same moment, the history entry is shown above what it set off.
_RANK = {Source.REMINDER: 0, Source.ANSWER: 1, Source.REFERRAL: 2, Source.EVENT: 3}
_SOURCE = {
    EntryKind.EVENT: Source.EVENT,
    EntryKind.NOTE: Source.EVENT,
    EntryKind.REMINDER: Source.REMINDER,
    EntryKind.REFERRAL: Source.REFERRAL,
    EntryKind.ANSWER: Source.ANSWER,
}

EVENT_TITLES = {
    "open_case": "Fall eröffnet",
    "grant_consent": "Einwilligung erfasst",
    "withdraw_consent": "Einwilligung widerrufen",
    RESEND_TRIGGER: "Nachricht erneut gesendet",
    household.EDIT_TRIGGER: "Haushaltsdaten geändert",
    household.ADD_MEMBER_TRIGGER: "Person hinzugefügt",
    household.EDIT_MEMBER_TRIGGER: "Person geändert",
    household.REMOVE_MEMBER_TRIGGER: "Person ausgetragen",
    handover.REASSIGN_TRIGGER: "Zuständigkeit geändert",
    handover.REQUEST_TRIGGER: "Übergabe an anderes Büro angefragt",
    handover.ACCEPT_TRIGGER: "Übergabe angenommen",
    handover.DECLINE_TRIGGER: "Übergabe abgelehnt",
    handover.WITHDRAW_TRIGGER: "Übergabe zurückgezogen",
    sending.REFER_TRIGGER: "Weitervermittlung ohne Schritt",
    answers.REPORT_TRIGGER: "Ergebnis vom Partner",
    appointment_answers.TRIGGER: "Antwort des Haushalts",
    "erase_on_request": "Daten auf Antrag gelöscht (Art. 17 DSGVO)",  # workflows.privacy.erasure
    **consultation_history.TITLES,
    **obstacle_tags.TITLES,
    **network_volunteers.TITLES,
}
REMINDER_TITLES = REMINDER_KIND_LABELS
RECIPIENT_LABELS = {
    Recipient.CASEWORKER: "an Mitarbeiter:in",
    Recipient.HOUSEHOLD: "an den Haushalt",
    Recipient.PARTNER: "an den Partner",
    Recipient.SUPERVISORS: "an die Leitung",
}
CHANNEL_WORDS = {
    Channel.EMAIL: "per E-Mail",
    Channel.SMS: "per SMS",
    Channel.LETTER: "per Brief",
    Channel.PHONE: "per Anruf",
    Channel.HELPER: "über die Vertrauensperson",
}
REMINDER_STATUS_LABELS = {
    ReminderStatus.SCHEDULED: "geplant",
    ReminderStatus.QUEUED: "in Versand",
    ReminderStatus.SENDING: "wird gesendet",
    ReminderStatus.SENT: "gesendet",
    ReminderStatus.FAILED: "fehlgeschlagen",
    ReminderStatus.CANCELLED: "entfallen",
    ReminderStatus.TASK: "beim Büro zu erledigen",
}


class InvalidCursor(DomainError):
    """A page link whose cursor was cut short or altered (a 400, not a server error)."""

    def __init__(self) -> None:
        super().__init__(
            "Der Link zu älteren Einträgen ist ungültig. Bitte die Seite des Falls neu laden."
        )


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
    order: int = 0  # the row's id: tie-break between entries of the same moment (later first)
    letter: str | None = None  # a household message: where to print it as a letter (PDF)

    @property
    def key(self) -> tuple[datetime, int, int]:
        """The entry's place in the timeline: every entry has its own."""
        return (self.at, _RANK[_SOURCE[self.kind]], self.order)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"(-?\d{1,18})-([a-z]+)-(\d{1,18})")


@dataclass(frozen=True)
class Cursor:
    """The place of the last entry shown; the next page holds the entries older than it."""

    at: datetime
    source: Source
    id: int

    @classmethod
    def after(cls, entry: Entry) -> "Cursor":
        return cls(entry.at, _SOURCE[entry.kind], entry.order)

    def __str__(self) -> str:
        """``1764000000123456-event-42``: microseconds since 1970 (UTC), source, row id."""
        return f"{(self.at - _EPOCH) // timedelta(microseconds=1)}-{self.source}-{self.id}"

    @classmethod
    def parse(cls, text: str) -> "Cursor":
        """The cursor of a page link; anything not written by ``str`` is InvalidCursor."""
        match = _CURSOR.fullmatch(text)
        if match is None or match[2] not in Source._value2member_map_:
            raise InvalidCursor
        try:
            at = _EPOCH + timedelta(microseconds=int(match[1]))
        except OverflowError:
            raise InvalidCursor from None
        return cls(at, Source(match[2]), int(match[3]))


@dataclass(frozen=True)
class TimelinePage:
    """Entries newest first, and where the next (older) page starts; None: there is none."""

    entries: list[Entry]
    older: Cursor | None
    planned: list[Entry] = field(default_factory=list)  # first page only; soonest first


def timeline_page(
    session: Session,
    case_id: int,
    now: datetime,
    before: Cursor | None = None,
    size: int = PAGE_SIZE,
    reader: Staff | None = None,
) -> TimelinePage:
    """One page of what happened to the case, newest first: the first page (no ``before``)
    holds the entries up to ``now`` and the planned ones after it; the next, those older than
    ``before``. Confidential notes show their text only to a ``reader`` who may read them."""
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(case_id)
    coming: list[_Placed] = []
    if before is None:  # the first page: per source, the past and the planned in one query
        both = [_read_around(session, s, case_id, now, size + 1) for s in Source]
        past = _newest([p for p, _ in both], size + 1)
        coming = sorted((p for _, rows in both for p in rows), key=lambda p: p[:3])[:PLANNED_MAX]
    else:
        past = _newest([_read(session, s, case_id, before, size + 1) for s in Source], size + 1)
    built = _Builder(session, case, [*past, *coming], reader)
    entries = [built.entry(placed) for placed in past[:size]]
    older = Cursor.after(entries[-1]) if len(past) > size else None
    planned = [built.entry(placed) for placed in coming]
    return TimelinePage(entries=entries, older=older, planned=planned)


def timeline(
    session: Session, case_id: int, now: datetime | None = None, reader: Staff | None = None
) -> list[Entry]:
    """The whole timeline, planned entries on top, newest first, read page by page: for
    exports and checks; a page shows one ``timeline_page``."""
    now = now or utc_now()
    page = timeline_page(session, case_id, now, reader=reader)
    found = [*reversed(page.planned), *page.entries]
    while page.older is not None:
        page = timeline_page(session, case_id, now, before=page.older, reader=reader)
        found += page.entries
    return found


# --------------------------------------------------------------------------------------------
# Reading: one LIMIT query per source


def _time(source: Source) -> ColumnElement[datetime]:
    """The moment an entry of ``source`` is placed at, as SQL."""
    if source is Source.EVENT:
        return col(CaseEvent.at)  # type: ignore[return-value]
    if source is Source.REFERRAL:
        return col(Referral.created_at)  # type: ignore[return-value]
    if source is Source.ANSWER:
        return col(Referral.answered_at)  # type: ignore[return-value]
    status, sent_at = col(Reminder.status), col(Reminder.sent_at)
    moment = case(
        (and_(status == ReminderStatus.SENT, sent_at.is_not(None)), sent_at),
        (
            status == ReminderStatus.FAILED,
            func.coalesce(Reminder.claimed_at, Reminder.queued_at, Reminder.due_at),
        ),
        (status == ReminderStatus.CANCELLED, col(Reminder.created_at)),
        else_=col(Reminder.due_at),
    )
    return type_coerce(moment, UTCDateTime())


def _id(source: Source) -> ColumnElement[int]:
    if source is Source.EVENT:
        return col(CaseEvent.id)  # type: ignore[return-value]
    return col(Reminder.id if source is Source.REMINDER else Referral.id)  # type: ignore[return-value]


# A row's place in the timeline (time, rank, id), its source, the row.
_Placed = tuple[datetime, int, int, Source, Row[Any]]


def _newest(found: list[list[_Placed]], count: int) -> list[_Placed]:
    return sorted((p for rows in found for p in rows), key=lambda p: p[:3], reverse=True)[:count]


def _read(
    session: Session, source: Source, case_id: int, before: Cursor, limit: int
) -> list[_Placed]:
    """Up to ``limit`` rows of one source older than the cursor, newest first."""
    params: dict[str, Any] = {"case_id": case_id, "at": before.at, "row_id": before.id}
    rank, cursor_rank = _RANK[source], _RANK[before.source]
    # Of the cursor's moment, lower ranks are shown below its entry, higher ones above.
    bound = "up_to" if rank < cursor_rank else "before" if rank > cursor_rank else "keyset"
    rows = session.execute(_statement(source, bound, limit), params)
    return [(row.at, _RANK[source], row.id, source, row) for row in rows]


def _read_around(
    session: Session, source: Source, case_id: int, now: datetime, limit: int
) -> tuple[list[_Placed], list[_Placed]]:
    """Up to ``limit`` rows of one source up to ``now`` (newest first) and up to
    ``PLANNED_MAX`` after it (soonest first), in one statement."""
    rows = session.execute(_around(source, limit), {"case_id": case_id, "at": now})
    placed = [(row.at, _RANK[source], row.id, source, row) for row in rows]
    return [p for p in placed if p[0] <= now], [p for p in placed if p[0] > now]


@cache
def _around(source: Source, limit: int) -> CompoundSelect[Any]:
    """The past and the planned rows of a source, each part with its own order and limit."""
    past = _statement(source, "up_to", limit).subquery()
    planned = _statement(source, "after", PLANNED_MAX).subquery()
    return union_all(sql_select(past), sql_select(planned))


@cache
def _statement(source: Source, bound: str, limit: int) -> Select[Any]:
    """One source's rows of a case (``:case_id``) around ``:at``, built once per shape."""
    time, row_id = _time(source), _id(source)
    at = bindparam("at", type_=UTCDateTime())
    where = {
        "up_to": time <= at,
        "before": time < at,
        "keyset": or_(time < at, and_(time == at, row_id < bindparam("row_id"))),
        "after": time > at,
    }[bound]
    order = (time, row_id) if bound == "after" else (time.desc(), row_id.desc())
    query = _columns(source).add_columns(time.label("at")).where(where)
    return query.order_by(*order).limit(limit)


_TABLES = SQLModel.metadata.tables


def _columns(source: Source) -> Select[Any]:
    case_id: BindParameter[int] = bindparam("case_id")
    if source is Source.EVENT:
        event = _TABLES["case_events"].c
        fields: tuple[str, ...] = (
            "id",
            "actor_id",
            "trigger",
            "step_kind",
            "from_state",
            "to_state",
            "note",
            "confidential",
        )
        return sql_select(*(event[n] for n in fields)).where(event.case_id == case_id)
    if source is Source.REMINDER:
        reminder = _TABLES["reminders"].c
        fields = (
            *("id", "kind", "recipient", "step_id", "milestone", "status", "attempts"),
            *("last_error", "due_at", "sent_at", "cancelled_reason", "channel"),
        )
        return sql_select(*(reminder[n] for n in fields)).where(reminder.case_id == case_id)
    referral, partner = _TABLES["referrals"].c, _TABLES["partners"].c
    fields = ("id", "step_id", "status", "created_by_id", "partner_id", "answer_note")
    return (
        sql_select(
            *(referral[n] for n in fields),
            partner.name.label("partner_name"),
            partner.category.label("partner_category"),
        )
        .outerjoin(_TABLES["partners"], partner.id == referral.partner_id)
        .where(referral.case_id == case_id)
    )


# --------------------------------------------------------------------------------------------
# Building the entries


_ABOUT_STEPS = (Source.REMINDER, Source.REFERRAL, Source.ANSWER)


def _step_kinds(session: Session, case: Case, step_ids: set[int | None]) -> dict[int, str]:
    """The kind of each step the entries name: from the session where a page read the steps
    already, else in one query."""
    kinds: dict[int, str] = {}
    for step_id in step_ids - {None}:
        step = session.identity_map.get(identity_key(CaseStep, step_id))
        if step is None:
            query = sql_select(col(CaseStep.id), col(CaseStep.kind))
            found = session.execute(query.where(col(CaseStep.case_id) == case.id))
            return {row_id: kind for row_id, kind in found}
        kinds[step_id] = step.kind  # type: ignore[index]
    return kinds


class _Builder:
    """Turns rows into entries; the names they mention are read once, for all of them."""

    def __init__(
        self, session: Session, case: Case, placed: list[_Placed], reader: Staff | None
    ) -> None:
        self.workflow = get_workflow(case.workflow, case.workflow_version)
        self.case_id, self.office_id, self.reader = case.id, case.office_id, reader
        rows = {s: [row for *_, source, row in placed if source is s] for s in Source}
        actors = {r.actor_id for r in rows[Source.EVENT]}
        actors |= {r.created_by_id for s in (Source.REFERRAL, Source.ANSWER) for r in rows[s]}
        self.names = _staff_names(session, actors)
        self.steps = _step_kinds(session, case, {r.step_id for s in _ABOUT_STEPS for r in rows[s]})
        self.build = {
            Source.EVENT: self.event,
            Source.REMINDER: self.reminder,
            Source.REFERRAL: self.referral,
            Source.ANSWER: self.answer,
        }

    def entry(self, placed: _Placed) -> Entry:
        *_, source, row = placed
        return self.build[source](row)

    def actor(self, actor_id: int | None) -> str:
        return (
            SYSTEM if actor_id is None else self.names.get(actor_id, f"Mitarbeiter:in {actor_id}")
        )

    def event(self, row: Row[Any]) -> Entry:
        actor = self.actor(row.actor_id)
        if row.trigger == NOTE_TRIGGER and row.confidential:
            readable = notes.may_read(self.reader, row.actor_id, self.office_id)
            return Entry(
                row.at, EntryKind.NOTE, notes.CONFIDENTIAL_TITLE, actor=actor,
                text=row.note if readable else None, change=None if readable else notes.HIDDEN,
                status="confidential", status_label="vertraulich", order=row.id,
            )  # fmt: skip
        if row.trigger == NOTE_TRIGGER:
            return Entry(row.at, EntryKind.NOTE, "Notiz", actor=actor, text=row.note, order=row.id)
        return Entry(
            row.at,
            EntryKind.EVENT,
            EVENT_TITLES.get(row.trigger) or self.workflow.label(row.trigger),
            actor=actor,
            change=_change(row),
            text=row.note,
            step=_step_label(row.step_kind),
            order=row.id,
        )

    def reminder(self, row: Row[Any]) -> Entry:
        subject = _step_label(self.steps.get(row.step_id)) if row.step_id else None
        if row.milestone:
            subject = MILESTONE_LABELS.get(row.milestone, row.milestone)
        return Entry(
            row.at,
            EntryKind.REMINDER,
            REMINDER_TITLES.get(row.kind, row.kind),
            status=row.status,
            status_label=REMINDER_STATUS_LABELS.get(row.status, row.status),
            text=row.cancelled_reason,
            step=subject,
            recipient=RECIPIENT_LABELS.get(row.recipient, row.recipient)
            + (f" · {CHANNEL_WORDS.get(row.channel, row.channel)}" if row.channel else ""),
            due_at=row.due_at,
            sent_at=row.sent_at,
            attempts=row.attempts,
            error=row.last_error,
            order=row.id,
            letter=f"/cases/{self.case_id}/nachrichten/{row.id}/brief.pdf"
            if row.kind in HOUSEHOLD_KINDS and row.status != ReminderStatus.CANCELLED
            else None,
        )

    def referral(self, row: Row[Any]) -> Entry:
        name = row.partner_name or f"Partner {row.partner_id}"
        category = PARTNER_CATEGORY_LABELS.get(row.partner_category)
        return Entry(
            row.at,
            EntryKind.REFERRAL,
            f"Weitervermittelt an {name}",
            actor=self.actor(row.created_by_id),
            status=row.status,  # the referral's current status
            status_label=REFERRAL_STATUS_LABELS.get(row.status, row.status),
            step=_step_label(self.steps.get(row.step_id)),
            partner=f"{name} ({category})" if category else name,
            order=row.id,
        )

    def answer(self, row: Row[Any]) -> Entry:
        name = row.partner_name or f"Partner {row.partner_id}"
        sent = self.referral(row)
        return replace(
            sent,
            kind=EntryKind.ANSWER,
            title=f"Antwort von {name}",
            actor=None,
            text=row.answer_note,
        )


def _staff_names(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    query = sql_select(col(Staff.id), col(Staff.name)).where(col(Staff.id).in_(wanted))
    return {staff_id: name for staff_id, name in session.execute(query)}


def _step_label(kind: str | None) -> str | None:
    if kind is None:
        return None
    return step_label(kind)


def _change(event: Row[Any]) -> str | None:
    """``"offen → erledigt"``; None when the state stayed (a visit moved) or none is recorded."""
    if event.to_state is None or event.from_state == event.to_state:
        return None
    labels = STEP_STATE_LABELS if event.step_kind else CASE_STATE_LABELS
    after = labels.get(event.to_state, event.to_state)
    if event.from_state is None:
        return after
    return f"{labels.get(event.from_state, event.from_state)} → {after}"
