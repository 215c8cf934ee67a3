""" "Meine Termine": a caseworker's home visits and consultation duties for the day or the week
(tablet-friendly), the day's route sheet to print (addresses, languages, phone numbers), and
the private calendar address to subscribe to — made, shown once, replaced or revoked here.

A supervisor may open a colleague's agenda in an office they work on (``?mitarbeiter=``);
anyone else's is not found.
"""

from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from core.clock import berlin, utc_now
from core.config import get_settings
from core.db import commit
from models import Staff
from models.enums import Role
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.routes.case_forms import day_or_none, parse_int
from web.routes.partner import PRIVATE_HEADERS
from web.templating import render
from workflows.agenda import days, feed
from workflows.audit import reads
from workflows.consultations import desk
from workflows.consultations.schedule import WEEKDAYS
from workflows.engine.errors import NotFound

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _whose(session: Session, staff: Staff, mitarbeiter: str) -> Staff:
    try:
        return days.whose(session, staff, parse_int(mitarbeiter[:12]))
    except NotFound:
        raise HTTPException(status_code=404) from None


def _colleagues(session: Session, staff: Staff) -> list[Staff]:
    """Whose agenda a supervisor may open: the active staff of their office."""
    if staff.role != Role.SUPERVISOR or staff.office_id is None:
        return []
    query = select(Staff).where(
        Staff.office_id == staff.office_id,
        col(Staff.active).is_(True),
        col(Staff.role).in_([Role.CASEWORKER, Role.SUPERVISOR]),
    )
    return list(session.exec(query.order_by(col(Staff.name))))


def _context(staff: Staff, title: str, **values: Any) -> dict[str, Any]:
    return {
        "staff": staff,
        "nav": "agenda",
        "title": title,
        "weekdays": WEEKDAYS,
        "day_sheet_path": desk.day_sheet_path,
        **values,
    }


def _query(person: Staff, viewer: Staff, **values: str) -> str:
    if person.id != viewer.id:
        values["mitarbeiter"] = str(person.id)
    return "&".join(f"{key}={value}" for key, value in values.items())


@router.get("/termine")
def agenda(
    request: Request,
    staff: CaseStaff,
    session: DbSession,
    datum: str = "",
    ansicht: str = "tag",
    mitarbeiter: str = "",
) -> Response:
    """The day (``ansicht=tag``) or the week from Monday (``ansicht=woche``)."""
    person = _whose(session, staff, mitarbeiter)
    today = berlin(utc_now()).date()
    day = day_or_none(datum) or today
    week = ansicht == "woche"
    first = day - timedelta(days=day.weekday()) if week else day
    last = first + timedelta(days=6 if week else 0)
    step = timedelta(days=7 if week else 1)
    view = "woche" if week else "tag"
    whose_ = "Meine Termine" if person.id == staff.id else f"Termine von {person.name}"
    context = _context(
        staff,
        whose_,
        person=person,
        agenda=days.agenda(session, person, first, last),
        week=week,
        day=day,
        today=today,
        now=utc_now(),
        previous=_query(person, staff, datum=(first - step).isoformat(), ansicht=view),
        following=_query(person, staff, datum=(first + step).isoformat(), ansicht=view),
        as_day=_query(person, staff, datum=day.isoformat(), ansicht="tag"),
        as_week=_query(person, staff, datum=day.isoformat(), ansicht="woche"),
        route=_query(person, staff, datum=day.isoformat()),
        colleagues=_colleagues(session, staff),
        feed_since=_feed_since(session, staff) if person.id == staff.id else None,
    )
    return render(request, "agenda/agenda.html", context)


def _feed_since(session: Session, staff: Staff) -> date | None | bool:
    current = feed.current(session, staff.id)  # type: ignore[arg-type]
    return berlin(current.created_at).date() if current else False


@router.get("/termine/route")
def route_sheet(
    request: Request, staff: CaseStaff, session: DbSession, datum: str = "", mitarbeiter: str = ""
) -> Response:
    """The day's visits in time order with address, languages and phone; the duties with
    their place — on one printed page to take along."""
    person = _whose(session, staff, mitarbeiter)
    day = day_or_none(datum) or berlin(utc_now()).date()
    (today_,) = days.agenda(session, person, day, day)
    if visited := sorted({visit.case_id for visit in today_.visits}):
        reads.record(session, staff.id, visited, reads.Read.ROUTE)  # type: ignore[arg-type]
    context = _context(
        staff,
        f"Route {person.name}, {day:%d.%m.%Y}",
        person=person,
        day=today_,
        back=_query(person, staff, datum=day.isoformat(), ansicht="tag"),
    )
    response = render(request, "agenda/route.html", context)
    response.headers.update(PRIVATE_HEADERS)
    return response


@router.post("/termine/kalender")
def new_feed(request: Request, staff: CaseStaff, session: DbSession) -> Response:
    """A new private calendar address (the one before stops working), shown on this page once."""
    token = feed.issue(session, staff.id, utc_now())  # type: ignore[arg-type]
    commit(session)
    address = feed.url(get_settings().public_base_url, token)
    context = _context(staff, "Kalender-Adresse", address=address)
    response = render(request, "agenda/feed.html", context)
    response.headers.update(PRIVATE_HEADERS)
    return response


@router.post("/termine/kalender/widerrufen")
def revoke_feed(request: Request, staff: CaseStaff, session: DbSession) -> Response:
    if feed.revoke(session, staff.id, utc_now()):  # type: ignore[arg-type]
        commit(session)
        flash(request, "Die Kalender-Adresse gilt nicht mehr.", "success")
    else:
        flash(request, "Es gab keine Kalender-Adresse.", "info")
    return RedirectResponse("/termine", status_code=303)
