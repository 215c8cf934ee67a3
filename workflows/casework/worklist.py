"""Read models for the work lists: cases filtered, searched, sorted by next due date, paginated."""

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import ColumnElement, exists, func, or_
from sqlmodel import Session, col, select

from models import Case, CaseNotice, CaseStep, Household, Office, Staff
from workflows.casework import notices
from workflows.move_in.states import CASE_STATE_LABELS, OPEN_STEP_STATES, CaseState

CASE_NUMBER_PREFIX = "LW-"


@dataclass(frozen=True)
class CaseQuery:
    """What a work list asks for. ``office_ids`` None: every office (already authorised)."""

    office_ids: list[int] | None = None
    state: str | None = None  # None: every state but closed
    step: str | None = None  # cases where this step is open
    overdue: bool = False
    assignee_id: int | None = None
    sub_location_id: int | None = None
    search: str | None = None  # family name (part) or case number
    with_notices: bool = False  # only cases with a notice nobody has marked done
    page: int = 1
    per_page: int = 25


@dataclass(frozen=True)
class CaseRow:
    id: int
    number: str
    family_name: str
    office_name: str
    state: str
    state_label: str
    assignee_name: str | None
    next_due_at: datetime | None
    overdue: bool
    open_steps: list[str] = field(default_factory=list)
    notices: int = 0  # notices waiting for the caseworker
    in_transfer: bool = False  # handed over to another office, not yet accepted


@dataclass(frozen=True)
class CasePage:
    rows: list[CaseRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))


def case_number_to_id(text: str) -> int | None:
    """``LW-000042``, ``lw-42`` or ``42`` → 42; anything else None."""
    value = text.strip().upper().removeprefix(CASE_NUMBER_PREFIX).lstrip("0")
    return int(value) if value.isdigit() and len(value) <= 9 else None


def _conditions(query: CaseQuery, now: datetime) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.office_ids is not None:
        where.append(col(Case.office_id).in_(query.office_ids))
    if query.state:
        where.append(col(Case.state) == query.state)
    else:
        where.append(col(Case.state) != CaseState.CLOSED)
    if query.step:
        where.append(
            exists().where(
                col(CaseStep.case_id) == col(Case.id),
                col(CaseStep.kind) == query.step,
                col(CaseStep.state).in_(OPEN_STEP_STATES),
            )
        )
    if query.overdue:
        where.append(col(Case.next_due_at) < now)
    if query.with_notices:
        where.append(
            exists().where(
                col(CaseNotice.case_id) == col(Case.id), col(CaseNotice.done_at).is_(None)
            )
        )
    if query.assignee_id is not None:
        where.append(col(Case.assignee_id) == query.assignee_id)
    if query.sub_location_id is not None:
        where.append(col(Household.sub_location_id) == query.sub_location_id)
    if query.search and query.search.strip():
        text = query.search.strip()
        name = func.lower(Household.family_name).contains(text.lower(), autoescape=True)
        number = case_number_to_id(text)
        where.append(or_(name, col(Case.id) == number) if number is not None else name)
    return where


def find_cases(session: Session, query: CaseQuery, now: datetime) -> CasePage:
    """One page of cases, the most urgent first (next due date; cases with none last)."""
    where = _conditions(query, now)
    needs_household = query.sub_location_id is not None or bool(
        query.search and query.search.strip()
    )
    counted = select(func.count(), func.count(col(Case.next_due_at))).select_from(Case)
    if needs_household:
        counted = counted.join(Household, col(Household.id) == Case.household_id)
    total, with_due = session.exec(counted.where(*where)).one()
    page = max(1, query.page)
    found = _page(session, where, (page - 1) * query.per_page, query.per_page, with_due)
    shown = [case.id for case, *_ in found if case.id is not None]
    steps, waiting = _open_steps(session, shown), notices.open_counts(session, shown)
    rows = [
        CaseRow(
            id=case.id,  # type: ignore[arg-type]
            number=case.number,
            family_name=family_name,
            office_name=office_name,
            state=case.state,
            state_label=CASE_STATE_LABELS.get(case.state, case.state),
            assignee_name=assignee_name,
            next_due_at=case.next_due_at,
            overdue=case.next_due_at is not None and case.next_due_at < now,
            open_steps=steps.get(case.id, []),  # type: ignore[arg-type]
            notices=waiting.get(case.id, 0),  # type: ignore[arg-type]
            in_transfer=case.transfer_to_office_id is not None,
        )
        for case, family_name, office_name, assignee_name in found
    ]
    return CasePage(rows=rows, total=total, page=page, per_page=query.per_page)


def _page(
    session: Session, where: list[ColumnElement[bool]], offset: int, limit: int, with_due: int
) -> list[tuple[Case, str, str, str | None]]:
    """The cases at ``offset``: those with a due date by date, then those without by number.

    Two plain range reads instead of one ``ORDER BY next_due_at IS NULL, …``: each is a walk
    of ``ix_cases_open_office_due`` (SQLite cannot index "nulls last"), so page 1 reads 25
    index entries rather than sorting every open case of the office.
    """
    joined = select(Case, Household.family_name, Office.name, Staff.name)
    joined = joined.join(Household, col(Household.id) == Case.household_id)
    joined = joined.join(Office, col(Office.id) == Case.office_id)
    joined = joined.outerjoin(Staff, col(Staff.id) == Case.assignee_id).where(*where)
    due, found = col(Case.next_due_at), []
    if offset < with_due:
        dated = joined.where(due.is_not(None)).order_by(due, col(Case.id))
        found = list(session.exec(dated.offset(offset).limit(limit)).all())
    if len(found) < limit:
        undated = joined.where(due.is_(None)).order_by(col(Case.id))
        rest = undated.offset(max(0, offset - with_due)).limit(limit - len(found))
        found += session.exec(rest).all()
    return found  # type: ignore[return-value]


def _open_steps(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    """The open steps of the cases shown. Read by case id alone, the states sorted out here:
    with ``state IN (…)`` in the query SQLite reads every open step of the office instead."""
    if not case_ids:
        return {}
    query = select(CaseStep.case_id, CaseStep.kind, CaseStep.state, CaseStep.due_at)
    rows = session.exec(query.where(col(CaseStep.case_id).in_(case_ids))).all()
    result: dict[int, list[str]] = {}
    for case_id, kind, _state, _due in sorted(
        (row for row in rows if row[2] in OPEN_STEP_STATES), key=_due_first
    ):
        result.setdefault(case_id, []).append(kind)
    return result


def _due_first(row: tuple[int, str, str, datetime | None]) -> tuple[bool, datetime, str]:
    """Soonest due first, steps without a due date last."""
    return (row[3] is None, row[3] or _NO_DATE, row[1])


_NO_DATE = datetime.min.replace(tzinfo=UTC)
