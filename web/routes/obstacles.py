"""Integration obstacles in the staff pages: the figures per district for the round table's
agenda (no names), the office's list kept by its supervisors and administrators, and a case's
obstacles — noted on the case or a step, overcome — from the case page.

Another office's case, list entry or figures are not found (404); keeping the list needs an
administrator or the office's supervisor (403). Every change answers with a redirect (PRG);
refused input comes back as a message and nothing is saved.
"""

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from core.clock import berlin, utc_now
from models import CaseStep, Office, Staff
from models.enums import CONTACT_TOPIC_LABELS
from web.csrf import verify_csrf
from web.deps import CaseStaff, CurrentStaff, DbSession
from web.outcome import done, refused
from web.params import Id
from web.routes.case_forms import case_for, case_to_change, day_or_none, form_text, parse_int
from web.templating import render
from workflows.casework.household import parse
from workflows.engine.access import staff_may_work_on
from workflows.engine.errors import InvalidInput, NotFound
from workflows.move_in import STEPS
from workflows.obstacles import figures, kinds, tags
from workflows.obstacles.kinds import KindIn
from workflows.obstacles.tags import ObstacleIn, ResolveIn

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
# The figures' default period: the last quarter year, as a round table looks back.
DEFAULT_DAYS = 91


def _office(session: Session, staff: Staff, buero: str) -> Office | None:
    """The office the page is about: one's own; administrators and the head of the welfare
    office choose (None: not chosen yet)."""
    office_id = staff.office_id if staff.office_id is not None else parse_int(buero[:12])
    if office_id is None:
        return None
    office = session.get(Office, office_id)
    if office is None or not (
        staff_may_work_on(staff, office_id) or kinds.may_keep(staff, office_id)
    ):
        raise HTTPException(status_code=404)
    return office


def _offices(session: Session) -> list[Office]:
    return list(session.exec(select(Office).order_by(col(Office.name))))


def _context(staff: Staff, title: str, **values: Any) -> dict[str, Any]:
    return {
        "staff": staff,
        "nav": "obstacles",
        "title": title,
        "areas": CONTACT_TOPIC_LABELS,
        **values,
    }


@router.get("/hemmnisse")
def overview(
    request: Request,
    staff: CurrentStaff,
    session: DbSession,
    von: str = "",
    bis: str = "",
    buero: str = "",
) -> Response:
    """Obstacles per district and entry over a period: cases, new, overcome, open, median
    days — for the round table's agenda; no names."""
    today = berlin(utc_now()).date()
    last = min(day_or_none(bis) or today, today)
    first = day_or_none(von) or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        first = last
    office = _office(session, staff, buero)
    office_ids = [office.id] if office else None  # the head and administrators: all offices
    counted = figures.count(session, office_ids, first, last)  # type: ignore[arg-type]
    context = _context(
        staff,
        "Integrationshemmnisse",
        counted=counted,
        office=office,
        offices=_offices(session) if staff.office_id is None else [],
        first=first,
        last=last,
        may_keep=office is not None and kinds.may_keep(staff, office.id),  # type: ignore[arg-type]
    )
    return render(request, "obstacles/overview.html", context)


def _keeper_office(session: Session, staff: Staff, buero: str) -> Office:
    office = _office(session, staff, buero)
    if office is None:
        raise HTTPException(status_code=404)
    if not kinds.may_keep(staff, office.id):  # type: ignore[arg-type]
        raise HTTPException(status_code=403)
    return office


def _list_url(office: Office) -> str:
    return f"/hemmnisse/liste?buero={office.id}"


@router.get("/hemmnisse/liste")
def kind_list(
    request: Request, staff: CurrentStaff, session: DbSession, buero: str = ""
) -> Response:
    """The office's list of obstacles, each editable, and a form for a new one."""
    office = _keeper_office(session, staff, buero)
    context = _context(
        staff,
        f"Liste der Hemmnisse: {office.name}",
        office=office,
        kinds=kinds.kinds_of(session, office.id),  # type: ignore[arg-type]
        suggestions=kinds.SUGGESTIONS,
    )
    return render(request, "obstacles/kinds.html", context)


def _kind_data(form: FormData) -> dict[str, Any]:
    return {
        "code": form_text(form, "code", 40),
        "label": form_text(form, "label", 120),
        "area": form_text(form, "area", 20),
        "active": form_text(form, "active", 5) != "" or form_text(form, "new", 5) != "",
    }


@router.post("/hemmnisse/liste")
async def add_kind(request: Request, staff: CurrentStaff, session: DbSession) -> Response:
    form = await request.form()
    office = _keeper_office(session, staff, form_text(form, "buero", 12))
    try:
        kind = kinds.save_kind(session, office.id, parse(KindIn, _kind_data(form)))  # type: ignore[arg-type]
    except InvalidInput as exc:
        return refused(request, session, "Nicht gespeichert", exc, _list_url(office))
    label = kind.label
    return done(request, session, f"„{label}“ steht auf der Liste.", _list_url(office))


@router.post("/hemmnisse/liste/vorschlaege")
async def add_suggestions(request: Request, staff: CurrentStaff, session: DbSession) -> Response:
    form = await request.form()
    office = _keeper_office(session, staff, form_text(form, "buero", 12))
    added = kinds.add_suggestions(session, office.id)  # type: ignore[arg-type]
    return done(request, session, f"{added} Vorschläge übernommen.", _list_url(office))


@router.post("/hemmnisse/liste/{kind_id:int}")
async def change_kind(
    request: Request, kind_id: Id, staff: CurrentStaff, session: DbSession
) -> Response:
    form = await request.form()
    try:
        kind = kinds.get_kind(session, kind_id)
    except NotFound:
        raise HTTPException(status_code=404) from None
    office = _keeper_office(session, staff, str(kind.office_id))
    if staff.office_id is not None and staff.office_id != kind.office_id:
        raise HTTPException(status_code=404)
    try:
        kinds.save_kind(session, office.id, parse(KindIn, _kind_data(form)), kind_id)  # type: ignore[arg-type]
    except InvalidInput as exc:
        return refused(request, session, "Nicht geändert", exc, _list_url(office))
    return done(request, session, "Geändert.", _list_url(office))


# ---------------------------------------------------------------------------------------------
# A case's obstacles


def _case_url(case_id: int) -> str:
    return f"/cases/{case_id}/hemmnisse"


@router.get("/cases/{case_id:int}/hemmnisse")
def case_obstacles(request: Request, case_id: Id, staff: CaseStaff, session: DbSession) -> Response:
    case = case_for(session, staff, case_id)
    steps = session.exec(select(CaseStep.kind).where(CaseStep.case_id == case_id)).all()
    context = _context(
        staff,
        f"Integrationshemmnisse · Fall {case_id}",
        nav="cases",
        case=case,
        noted=tags.of_case(session, case_id),
        kinds=kinds.kinds_of(session, case.office_id, active_only=True),
        steps=[(kind, STEPS[kind].label) for kind in STEPS if kind in steps],
        may_change=case.closed_at is None
        and case.transfer_to_office_id is None
        and staff_may_work_on(staff, case.office_id),
        now=utc_now(),
    )
    return render(request, "obstacles/case.html", context)


@router.post("/cases/{case_id:int}/hemmnisse")
async def note_obstacle(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    form = await request.form()
    case = case_to_change(session, staff, case_id)
    data: dict[str, Any] = {"kind_id": parse_int(form_text(form, "kind_id", 12))}
    if step := form_text(form, "step_kind", 40):
        data["step_kind"] = step
    if note := form_text(form, "note", 500):
        data["note"] = note
    try:
        tags.note(session, case, parse(ObstacleIn, data), actor_id=staff.id)
    except InvalidInput as exc:
        return refused(request, session, "Nicht erfasst", exc, _case_url(case_id))
    return done(
        request, session, "Hemmnis erfasst; es steht im Verlauf des Falls.", _case_url(case_id)
    )


@router.post("/cases/{case_id:int}/hemmnisse/{obstacle_id:int}/ueberwunden")
async def resolve_obstacle(
    request: Request, case_id: Id, obstacle_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    form = await request.form()
    case = case_to_change(session, staff, case_id)
    data = {"resolution": text} if (text := form_text(form, "resolution", 500)) else {}
    try:
        tags.resolve(session, case, obstacle_id, parse(ResolveIn, data), actor_id=staff.id)
    except tags.ObstacleNotFound:
        raise HTTPException(status_code=404) from None
    except InvalidInput as exc:
        return refused(request, session, "Nicht geändert", exc, _case_url(case_id))
    return done(request, session, "Als überwunden vermerkt.", _case_url(case_id))
