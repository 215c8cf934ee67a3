"""The JSON API for integration obstacles: the office's list, a case's obstacles (note one,
mark it overcome) and the figures per district without names — the same services and rules as
the pages. Another office's case or entry is 404; keeping the list needs an administrator or
the office's supervisor (403); invalid input is 422 with a message per field.
"""

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel, Field
from sqlmodel import Session

from core import limits
from core.clock import berlin, utc_now
from core.db import commit
from models import Case, CaseObstacle, ObstacleKind, Office, Staff
from web.deps import DbSession
from web.params import Id
from web.routes.api import AUTH_RESPONSES, EDGE_RESPONSES, ApiCaseStaff, ApiRoute
from web.routes.api_consultations import NOT_FOUND, ApiStaff
from web.routes.case_forms import case_for, case_to_change
from web.schemas import Problem
from workflows.casework.fields import Day
from workflows.engine.access import staff_may_work_on
from workflows.engine.errors import NotFound
from workflows.obstacles import figures, kinds, tags
from workflows.obstacles.kinds import KindIn
from workflows.obstacles.tags import ObstacleIn, ResolveIn

router = APIRouter(
    prefix="/api",
    tags=["Integrationshemmnisse"],
    route_class=ApiRoute,
    responses={**AUTH_RESPONSES, **EDGE_RESPONSES},
)
KEEPERS_ONLY = "Nur die Verwaltung und die Leitung des Büros pflegen die Liste."


class KindCreate(KindIn):
    office_id: Id


class KindOut(BaseModel):
    id: int
    office_id: int
    code: str
    label: str
    area: str
    active: bool


class ObstacleOut(BaseModel):
    id: int
    case_id: int
    kind_id: int
    label: str
    step_kind: str | None
    note: str | None
    noted_at: datetime
    resolved_at: datetime | None
    resolution: str | None


class RowOut(BaseModel):
    district: str
    area: str
    kind_id: int
    label: str
    cases: int = Field(description="Cases it held up in the period.")
    new: int
    resolved: int
    open: int = Field(description="Still open at the period's end.")
    median_days_to_resolve: float | None
    median_days_open: float | None


class FiguresOut(BaseModel):
    first: date
    last: date
    rows: list[RowOut]


def _kind_out(kind: ObstacleKind) -> KindOut:
    return KindOut.model_validate(kind, from_attributes=True)


def _obstacle_out(obstacle: CaseObstacle, kind: ObstacleKind) -> ObstacleOut:
    return ObstacleOut(label=kind.label, **obstacle.model_dump())


def _office_id(session: Session, staff: Staff, office_id: int | None) -> int:
    chosen = staff.office_id or office_id
    if chosen is None or session.get(Office, chosen) is None:
        raise HTTPException(404, "Büro nicht gefunden.")
    if not (staff_may_work_on(staff, chosen) or kinds.may_keep(staff, chosen)):
        raise HTTPException(404, "Büro nicht gefunden.")
    return chosen


OfficeQuery = Annotated[int | None, Query(ge=1, le=limits.MAX_ID)]


@router.get("/obstacle-kinds", response_model=list[KindOut], responses=NOT_FOUND)
def list_kinds(session: DbSession, staff: ApiStaff, office_id: OfficeQuery = None) -> Any:
    """The office's list (inactive entries last)."""
    return [_kind_out(k) for k in kinds.kinds_of(session, _office_id(session, staff, office_id))]


@router.post(
    "/obstacle-kinds", status_code=201, response_model=KindOut,
    responses={**NOT_FOUND, 403: {"model": Problem, "description": KEEPERS_ONLY}},
)  # fmt: skip
def create_kind(body: KindCreate, staff: ApiStaff, session: DbSession) -> Any:
    """Add an entry to an office's list."""
    office_id = _office_id(session, staff, body.office_id)
    if not kinds.may_keep(staff, office_id):
        raise HTTPException(403, KEEPERS_ONLY)
    data = KindIn.model_validate(body.model_dump(exclude={"office_id"}))
    answer = _kind_out(kinds.save_kind(session, office_id, data))
    commit(session)
    return answer


@router.put(
    "/obstacle-kinds/{kind_id}", response_model=KindOut,
    responses={**NOT_FOUND, 403: {"model": Problem, "description": KEEPERS_ONLY}},
)  # fmt: skip
def update_kind(kind_id: Id, body: KindIn, staff: ApiStaff, session: DbSession) -> Any:
    """Change an entry (``active: false`` stops offering it; cases keep it)."""
    try:
        kind = kinds.get_kind(session, kind_id)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    office_id = _office_id(session, staff, kind.office_id)
    if office_id != kind.office_id:
        raise HTTPException(404, "Hemmnis nicht gefunden.")
    if not kinds.may_keep(staff, office_id):
        raise HTTPException(403, KEEPERS_ONLY)
    answer = _kind_out(kinds.save_kind(session, office_id, body, kind_id))
    commit(session)
    return answer


def _case(session: Session, staff: Staff, case_id: int, change: bool) -> Case:
    try:
        return (case_to_change if change else case_for)(session, staff, case_id)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/cases/{case_id}/obstacles", response_model=list[ObstacleOut], responses=NOT_FOUND)
def list_obstacles(case_id: Id, staff: ApiCaseStaff, session: DbSession) -> Any:
    """The case's obstacles, open ones first."""
    _case(session, staff, case_id, change=False)
    return [_obstacle_out(n.obstacle, n.kind) for n in tags.of_case(session, case_id)]


@router.post(
    "/cases/{case_id}/obstacles", status_code=201, response_model=ObstacleOut,
    responses=NOT_FOUND,
)  # fmt: skip
def note_obstacle(case_id: Id, body: ObstacleIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Note an obstacle on the case or one of its steps (written into its history)."""
    case = _case(session, staff, case_id, change=True)
    obstacle = tags.note(session, case, body, actor_id=staff.id)
    answer = _obstacle_out(obstacle, kinds.get_kind(session, obstacle.kind_id))
    commit(session)
    return answer


@router.post(
    "/cases/{case_id}/obstacles/{obstacle_id}/resolve", response_model=ObstacleOut,
    responses=NOT_FOUND,
)  # fmt: skip
def resolve_obstacle(
    case_id: Id, obstacle_id: Id, body: ResolveIn, staff: ApiCaseStaff, session: DbSession
) -> Any:
    """Mark the obstacle overcome (once)."""
    case = _case(session, staff, case_id, change=True)
    try:
        obstacle = tags.resolve(session, case, obstacle_id, body, actor_id=staff.id)
    except tags.ObstacleNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    answer = _obstacle_out(obstacle, kinds.get_kind(session, obstacle.kind_id))
    commit(session)
    return answer


@router.get("/obstacle-figures", response_model=FiguresOut, responses=NOT_FOUND)
def obstacle_figures(
    session: DbSession,
    staff: ApiStaff,
    first: Annotated[Day | None, Query(alias="from", description="Default: 91 days back.")] = None,
    last: Annotated[Day | None, Query(alias="to", description="Default: today.")] = None,
    office_id: OfficeQuery = None,
) -> Any:
    """Per district and entry: cases held up, new, overcome, open, median days; no names.
    Without an office of one's own and without ``office_id``: all offices."""
    today = berlin(utc_now()).date()
    end = min(last or today, today)
    start = first or end - timedelta(days=90)
    if start > end:
        raise HTTPException(422, "„from“ liegt nach „to“.")
    chosen = None
    if staff.office_id is not None or office_id is not None:
        chosen = [_office_id(session, staff, office_id)]
    counted = figures.count(session, chosen, start, end)
    return FiguresOut(
        first=start,
        last=end,
        rows=[
            RowOut(
                district=r.district,
                area=r.area,
                kind_id=r.kind_id,
                label=r.label,
                cases=r.affected,
                new=r.new,
                resolved=r.resolved,
                open=r.open,
                median_days_to_resolve=r.median_waited,
                median_days_open=r.median_waiting,
            )  # fmt: skip
            for r in counted.rows
        ],
    )
