"""Read models for supervisors: workload per office, overdue deadlines, failed messages, durations.

Every function takes the offices the supervisor may see (``None``: all, from
``workflows.engine.access.visible_office_ids``) and answers with a fixed number of grouped queries,
whatever the number of cases.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from statistics import median
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from core.clock import berlin
from models import Case, CaseStep, Household, Office, Reminder, Staff
from models.enums import Channel, Recipient, ReminderStatus
from workflows.move_in.states import (
    MILESTONE_LABELS,
    MILESTONE_STATES,
    OPEN_STEP_STATES,
    CaseState,
    StepKind,
    StepState,
)

# Enough rows for a screen; the total is always counted.
DEFAULT_LIMIT = 100
# Durations are taken over steps finished in this window, so old practice fades out and the
# query stays bounded however many closed cases the database holds.
DURATION_WINDOW = timedelta(days=365)

RECIPIENT_LABELS: dict[str, str] = {
    Recipient.CASEWORKER: "Fallbearbeitung",
    Recipient.HOUSEHOLD: "Haushalt",
    Recipient.PARTNER: "Partner",
    Recipient.SUPERVISORS: "Leitung",
}


@dataclass(frozen=True)
class OfficeLoad:
    """One office's open work: open steps per kind (how many overdue), active cases per state."""

    office_id: int
    office_name: str
    open_steps: dict[str, int] = field(default_factory=dict)
    overdue_steps: dict[str, int] = field(default_factory=dict)
    cases_by_state: dict[str, int] = field(default_factory=dict)

    @property
    def open_cases(self) -> int:
        return sum(self.cases_by_state.values())

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue_steps.values())


@dataclass(frozen=True)
class OverdueItem:
    """A deadline that has passed: an open step, or a case's welcome or follow-up visit."""

    case_id: int
    case_number: str
    office_name: str
    kind: str  # a StepKind value, or a Milestone value when ``milestone`` is set
    milestone: bool
    due_at: datetime
    legal_deadline: bool
    assignee_name: str | None

    @property
    def last_day(self) -> date:
        """The last day allowed, in Dortmund: a deadline at midnight ends the day before."""
        return berlin(self.due_at - timedelta(microseconds=1)).date()

    def days_overdue(self, now: datetime) -> int:
        """Calendar days since the last day allowed (1 on the day after it)."""
        return max(0, (berlin(now).date() - self.last_day).days)


@dataclass(frozen=True)
class FailedMessage:
    reminder_id: int
    case_id: int
    case_number: str
    office_name: str
    kind: str
    recipient: str
    attempts: int
    last_error: str | None
    at: datetime  # the last attempt (or the due time, if it never got that far)
    channels: list[str] = field(default_factory=list)  # those that failed (email, sms, …)
    # A household message goes on to its next channel: where it stands now ("sent" by SMS,
    # a "task" for the caseworker); None for one that failed for good.
    now_status: str | None = None
    now_channel: str | None = None


@dataclass(frozen=True)
class StepDuration:
    kind: str
    median_days: float
    count: int


T = TypeVar("T")


@dataclass(frozen=True)
class Listing(Generic[T]):
    """The first rows of a longer list and how many there are in all."""

    rows: list[T]
    total: int


def _in_offices(column: Any, office_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    return [] if office_ids is None else [col(column).in_(list(office_ids))]


def _offices(session: Session, office_ids: Sequence[int] | None) -> list[Office]:
    query = select(Office).where(*_in_offices(Office.id, office_ids))
    return list(session.exec(query.order_by(col(Office.name))))


def office_loads(
    session: Session, office_ids: Sequence[int] | None, now: datetime
) -> list[OfficeLoad]:
    """Per office: open steps per kind, how many of them are overdue, active cases per state."""
    loads = {
        office.id: OfficeLoad(office_id=office.id, office_name=office.name)  # type: ignore[arg-type]
        for office in _offices(session, office_ids)
    }
    overdue = func.sum(case((col(CaseStep.due_at) < now, 1), else_=0))
    steps = (
        select(Case.office_id, CaseStep.kind, func.count(), overdue)
        .join(Case, col(Case.id) == CaseStep.case_id)
        .where(
            col(CaseStep.state).in_(OPEN_STEP_STATES),
            col(Case.state) != CaseState.CLOSED,
            *_in_offices(Case.office_id, office_ids),
        )
        .group_by(col(Case.office_id), col(CaseStep.kind))
    )
    for office_id, kind, count, late in session.exec(steps):
        if office_id in loads:
            loads[office_id].open_steps[kind] = count
            if late:
                loads[office_id].overdue_steps[kind] = int(late)
    states = (
        select(Case.office_id, Case.state, func.count())
        .where(col(Case.state) != CaseState.CLOSED, *_in_offices(Case.office_id, office_ids))
        .group_by(col(Case.office_id), col(Case.state))
    )
    for office_id, state, count in session.exec(states):
        if office_id in loads:
            loads[office_id].cases_by_state[state] = count
    return list(loads.values())


def _milestone_of_state() -> ColumnElement[str]:
    whens = [
        (col(Case.state).in_(states), literal(milestone))
        for milestone, states in MILESTONE_STATES.items()
    ]
    return case(*whens, else_=literal(""))


def overdue(
    session: Session,
    office_ids: Sequence[int] | None,
    now: datetime,
    limit: int = DEFAULT_LIMIT,
) -> Listing[OverdueItem]:
    """Open steps and case visits past their deadline, the longest overdue first."""
    step_rows: Select[*tuple[Any, ...]] = (
        sql_select(
            col(Case.id).label("case_id"),
            col(Office.name).label("office_name"),
            col(CaseStep.kind).label("kind"),
            literal(False).label("milestone"),
            col(CaseStep.due_at).label("due_at"),
            col(CaseStep.legal_deadline).label("legal"),
            col(Staff.name).label("assignee"),
        )
        .join(Case, col(Case.id) == CaseStep.case_id)
        .join(Office, col(Office.id) == Case.office_id)
        .outerjoin(Staff, col(Staff.id) == Case.assignee_id)
        .where(
            col(CaseStep.state).in_(OPEN_STEP_STATES),
            col(CaseStep.due_at) < now,
            col(Case.state) != CaseState.CLOSED,
            *_in_offices(Case.office_id, office_ids),
        )
    )
    milestone_rows: Select[*tuple[Any, ...]] = (
        sql_select(
            col(Case.id).label("case_id"),
            col(Office.name).label("office_name"),
            _milestone_of_state().label("kind"),
            literal(True).label("milestone"),
            col(Case.milestone_due_at).label("due_at"),
            literal(False).label("legal"),
            col(Staff.name).label("assignee"),
        )
        .join(Office, col(Office.id) == Case.office_id)
        .outerjoin(Staff, col(Staff.id) == Case.assignee_id)
        .where(
            col(Case.milestone_due_at) < now,
            col(Case.state) != CaseState.CLOSED,
            *_in_offices(Case.office_id, office_ids),
        )
    )
    both = step_rows.union_all(milestone_rows).subquery()
    total = session.execute(sql_select(func.count()).select_from(both)).scalar_one()
    query = sql_select(both).order_by(both.c.due_at, both.c.case_id, both.c.kind).limit(limit)
    rows = [
        OverdueItem(
            case_id=row.case_id,
            case_number=_number(row.case_id),
            office_name=row.office_name,
            kind=row.kind,
            milestone=bool(row.milestone),
            due_at=row.due_at,
            legal_deadline=bool(row.legal),
            assignee_name=row.assignee,
        )
        for row in session.execute(query)
    ]
    return Listing(rows=rows, total=total)


def _number(case_id: int) -> str:
    return f"LW-{case_id:06d}"  # as models.Case.number, for rows read without the Case entity


def _failures(office_ids: Sequence[int] | None) -> list[ColumnElement[bool]]:
    """Real delivery failures: messages given up on, and household messages whose channel
    failed for good (they went on to the next channel; shown while the case is open). A
    household that simply has no email address is no failure: it is reached another way."""
    fell_back = and_(col(Reminder.failed_channels).is_not(None), col(Case.closed_at).is_(None))
    return [
        or_(col(Reminder.status) == ReminderStatus.FAILED, fell_back),
        *_in_offices(Case.office_id, office_ids),
    ]


def _failed_on(status: str, channel: str | None, failed_channels: str | None) -> list[str]:
    if failed_channels:
        return [c for c in failed_channels.split(",") if c]
    return [channel or Channel.EMAIL] if status == ReminderStatus.FAILED else []


def failed_messages(
    session: Session, office_ids: Sequence[int] | None, limit: int = DEFAULT_LIMIT
) -> Listing[FailedMessage]:
    """Delivery failures (``_failures``), the most recent first."""
    where = _failures(office_ids)
    at = func.coalesce(col(Reminder.claimed_at), col(Reminder.due_at))
    total = session.exec(
        select(func.count())
        .select_from(Reminder)
        .join(Case, col(Case.id) == Reminder.case_id)
        .where(*where)
    ).one()
    query = (
        select(Reminder, Office.name)
        .join(Case, col(Case.id) == Reminder.case_id)
        .join(Office, col(Office.id) == Case.office_id)
        .where(*where)
        .order_by(at.desc(), col(Reminder.id).desc())
        .limit(limit)
    )
    rows = []
    for reminder, office_name in session.exec(query):
        gave_up = reminder.status == ReminderStatus.FAILED
        rows.append(
            FailedMessage(
                reminder_id=reminder.id,  # type: ignore[arg-type]
                case_id=reminder.case_id,
                case_number=_number(reminder.case_id),
                office_name=office_name,
                kind=reminder.kind,
                recipient=reminder.recipient,
                attempts=reminder.attempts,
                last_error=reminder.last_error,
                at=reminder.claimed_at or reminder.due_at,
                channels=_failed_on(reminder.status, reminder.channel, reminder.failed_channels),
                now_status=None if gave_up else reminder.status,
                now_channel=None if gave_up else reminder.channel,
            )
        )
    return Listing(rows=rows, total=total)


def failures_by_channel(session: Session, office_ids: Sequence[int] | None) -> dict[str, int]:
    """How many delivery failures each channel had (a message may have failed on two)."""
    query = (
        select(Reminder.status, Reminder.channel, Reminder.failed_channels, func.count())
        .join(Case, col(Case.id) == Reminder.case_id)
        .where(*_failures(office_ids))
        .group_by(col(Reminder.status), col(Reminder.channel), col(Reminder.failed_channels))
    )
    tally: dict[str, int] = {}
    for status, channel, failed_channels, count in session.exec(query):
        for failed in _failed_on(status, channel, failed_channels):
            tally[failed] = tally.get(failed, 0) + count
    return {c: tally[c] for c in Channel if c in tally}


def step_durations(
    session: Session,
    office_ids: Sequence[int] | None,
    now: datetime,
    window: timedelta = DURATION_WINDOW,
) -> list[StepDuration]:
    """Median days from moving in to a step done, per step kind (steps done within ``window``).

    Date arithmetic differs between SQLite and PostgreSQL, so the pairs are fetched (three narrow
    columns) and the median is taken here.
    """
    query = (
        select(col(CaseStep.kind), col(Household.moved_in_on), col(CaseStep.closed_at))
        .join(Case, col(Case.id) == CaseStep.case_id)
        .join(Household, col(Household.id) == Case.household_id)
        .where(
            col(CaseStep.state) == StepState.DONE,
            col(CaseStep.closed_at) >= now - window,
            *_in_offices(Case.office_id, office_ids),
        )
    )
    days: dict[str, list[int]] = {}
    for kind, moved_in_on, closed_at in session.exec(query):
        if closed_at is not None:  # always set on a done step
            days.setdefault(kind, []).append(_days_between(moved_in_on, closed_at))
    order = {kind.value: index for index, kind in enumerate(StepKind)}
    return [
        StepDuration(kind=kind, median_days=float(median(values)), count=len(values))
        for kind, values in sorted(days.items(), key=lambda item: order.get(item[0], 99))
    ]


def _days_between(moved_in_on: date, closed_at: datetime) -> int:
    """Calendar days in Dortmund between moving in and the step done (never negative)."""
    return max(0, (berlin(closed_at).date() - moved_in_on).days)


def milestone_label(kind: str) -> str:
    return MILESTONE_LABELS.get(kind, kind)
