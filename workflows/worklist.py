"""Read models for the work lists: cases filtered, searched, sorted by next due date, paginated."""

import math
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import ColumnElement, exists, func, or_
from sqlmodel import Session, col, select

from models import Case, CaseStep, Household, Office, Staff
from workflows.states import CASE_STATE_LABELS, OPEN_STEP_STATES, CaseState

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
    joined = select(Case, Household.family_name, Office.name, Staff.name)
    joined = joined.join(Household, col(Household.id) == Case.household_id)
    joined = joined.join(Office, col(Office.id) == Case.office_id)
    joined = joined.outerjoin(Staff, col(Staff.id) == Case.assignee_id).where(*where)
    counted = select(func.count()).select_from(Case)
    counted = counted.join(Household, col(Household.id) == Case.household_id).where(*where)
    total = session.exec(counted).one()
    ordered = joined.order_by(col(Case.next_due_at).is_(None), col(Case.next_due_at), col(Case.id))
    page = max(1, query.page)
    found = session.exec(ordered.offset((page - 1) * query.per_page).limit(query.per_page)).all()
    steps = _open_steps(session, [case.id for case, *_ in found if case.id is not None])
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
        )
        for case, family_name, office_name, assignee_name in found
    ]
    return CasePage(rows=rows, total=total, page=page, per_page=query.per_page)


def _open_steps(session: Session, case_ids: list[int]) -> dict[int, list[str]]:
    if not case_ids:
        return {}
    query = select(CaseStep.case_id, CaseStep.kind).where(
        col(CaseStep.case_id).in_(case_ids), col(CaseStep.state).in_(OPEN_STEP_STATES)
    )
    result: dict[int, list[str]] = {}
    for case_id, kind in session.exec(query.order_by(col(CaseStep.due_at))):
        result.setdefault(case_id, []).append(kind)
    return result
