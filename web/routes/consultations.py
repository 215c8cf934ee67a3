"""Consultation hours in the staff pages: the office's weekly schedule (kept by administrators
and the office's supervisors), the dates an hour does not take place, the day sheet at the
desk with booking and recording a contact in a few clicks, a slot booked from a case, and the
monthly count for supervisors.

Another office's hour, booking or place is not found (404). Refused input comes back with the
reason at its field (422) and nothing saved; every change answers with a redirect (PRG).
"""

from collections.abc import Iterable
from datetime import date, timedelta
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from core.clock import berlin, utc_now
from core.db import commit
from models import ConsultationBooking, ConsultationHour, Office, Staff, SubLocation
from models.enums import (
    CONTACT_OUTCOME_LABELS,
    CONTACT_TOPIC_LABELS,
    BookingStatus,
    Role,
)
from web.csrf import verify_csrf
from web.deps import CaseStaff, CurrentStaff, DbSession, flash
from web.params import Id
from web.routes.case_forms import (
    case_to_change,
    day_or_none,
    form_list,
    form_text,
    parse_int,
)
from web.templating import render
from workflows.casework.household import parse
from workflows.consultations import booking, desk, figures, schedule
from workflows.consultations.booking import BookingIn
from workflows.consultations.desk import ContactIn
from workflows.consultations.schedule import WEEKDAYS, HourIn
from workflows.engine.access import staff_may_work_on
from workflows.engine.errors import InvalidInput, NotFound
from workflows.messaging import i18n

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
# How far ahead the case page's booking lists free slots, and the overview lists dates.
BOOKING_WEEKS = 4


async def _form(request: Request) -> FormData:
    return await request.form()


def _office(session: Session, staff: Staff, buero: str) -> Office:
    """The office the page is about: the staff member's own, or (administrators and the head
    of the welfare office) the one chosen with ``buero``."""
    office_id = staff.office_id if staff.office_id is not None else parse_int(buero)
    office = session.get(Office, office_id) if office_id is not None else None
    if office is None or office_id is None:
        raise HTTPException(status_code=404)
    if not (staff_may_work_on(staff, office_id) or schedule.may_plan(staff, office_id)):
        raise HTTPException(status_code=404)
    return office


def _planner(session: Session, staff: Staff, office_id: int) -> None:
    if not schedule.may_plan(staff, office_id):
        raise HTTPException(status_code=403)


def _hour(session: Session, staff: Staff, hour_id: int) -> ConsultationHour:
    hour = session.get(ConsultationHour, hour_id)
    if hour is None or not (
        staff_may_work_on(staff, hour.office_id) or schedule.may_plan(staff, hour.office_id)
    ):
        raise HTTPException(status_code=404)
    return hour


def _back(target: str, fallback: str) -> str:
    """Where to go after a change: a page of this site only."""
    return target if target.startswith("/") and not target.startswith("//") else fallback


def _base(staff: Staff, title: str, **context: Any) -> dict[str, Any]:
    return {
        "staff": staff,
        "nav": "consultations",
        "title": title,
        "weekdays": WEEKDAYS,
        "language_names": i18n.LANGUAGE_NAMES,
        "topic_labels": CONTACT_TOPIC_LABELS,
        "outcome_labels": CONTACT_OUTCOME_LABELS,
        "errors": {},
        **context,
    }


# ---------------------------------------------------------------------------------------------
# The schedule


@router.get("/sprechstunden")
def overview(
    request: Request, staff: CurrentStaff, session: DbSession, buero: str = ""
) -> Response:
    """The office's consultation hours with their next dates; administrators first choose the
    office."""
    if staff.office_id is None and parse_int(buero) is None:
        offices = list(session.exec(select(Office).order_by(col(Office.name))))
        context = _base(staff, "Sprechstunden", offices=offices)
        return render(request, "consultations/choose_office.html", context)
    office = _office(session, staff, buero)
    today = berlin(utc_now()).date()
    hours = schedule.hours_of(session, office.id, today=today)  # type: ignore[arg-type]
    ids = [h.id for h in hours if h.id is not None]
    upcoming = schedule.occurrences(session, hours, today, today + timedelta(weeks=BOOKING_WEEKS))
    context = _base(
        staff,
        f"Sprechstunden {office.name}",
        office=office,
        hours=hours,
        duty=schedule.duty_of(session, ids),
        places=_places(session, office.id),  # type: ignore[arg-type]
        names={h.id: schedule.location_name(session, h) for h in hours},
        upcoming=upcoming,
        today=today,
        may_plan=schedule.may_plan(staff, office.id),  # type: ignore[arg-type]
        works_here=staff_may_work_on(staff, office.id),  # type: ignore[arg-type]
    )
    return render(request, "consultations/overview.html", context)


def _places(session: Session, office_id: int) -> list[SubLocation]:
    query = select(SubLocation).where(SubLocation.office_id == office_id)
    return list(session.exec(query.order_by(col(SubLocation.name))))


def _colleagues(session: Session, office_id: int) -> list[Staff]:
    query = select(Staff).where(
        Staff.office_id == office_id, col(Staff.active).is_(True), Staff.role != Role.ADMIN
    )
    return list(session.exec(query.order_by(col(Staff.name))))


def _hour_form(
    request: Request,
    session: Session,
    staff: Staff,
    office: Office,
    form: dict[str, Any],
    hour: ConsultationHour | None,
    errors: dict[str, str] | None = None,
) -> Response:
    today = berlin(utc_now()).date()
    dates, calls = [], {}
    if hour is not None:
        dates = schedule.occurrences(session, [hour], today, today + timedelta(weeks=12))
        calls = {o.day: booking.to_call(session, hour, o.day) for o in dates if o.closed}
    context = _base(
        staff,
        f"Sprechstunde {schedule.describe(hour)}" if hour else "Neue Sprechstunde",
        office=office,
        hour=hour,
        form=form,
        places=_places(session, office.id),  # type: ignore[arg-type]
        colleagues=_colleagues(session, office.id),  # type: ignore[arg-type]
        dates=dates,
        calls=calls,
        errors=errors or {},
    )
    return render(
        request, "consultations/hour_form.html", context, status_code=422 if errors else 200
    )


def _hour_values(hour: ConsultationHour, staff_ids: Iterable[int]) -> dict[str, Any]:
    return {
        "sub_location_id": str(hour.sub_location_id or ""),
        "weekday": str(hour.weekday),
        "starts": f"{hour.starts:%H:%M}",
        "ends": f"{hour.ends:%H:%M}",
        "slot_minutes": str(hour.slot_minutes),
        "capacity": str(hour.capacity),
        "languages": list(hour.languages),
        "staff_ids": [str(s) for s in staff_ids],
        "valid_from": hour.valid_from.isoformat() if hour.valid_from else "",
        "valid_to": hour.valid_to.isoformat() if hour.valid_to else "",
    }


def _entered_hour(form: FormData) -> dict[str, Any]:
    return {
        "sub_location_id": form_text(form, "sub_location_id", 12),
        "weekday": form_text(form, "weekday", 2),
        "starts": form_text(form, "starts", 8),
        "ends": form_text(form, "ends", 8),
        "slot_minutes": form_text(form, "slot_minutes", 4),
        "capacity": form_text(form, "capacity", 4),
        "languages": form_list(form, "languages"),
        "staff_ids": form_list(form, "staff_ids"),
        "valid_from": form_text(form, "valid_from", 12),
        "valid_to": form_text(form, "valid_to", 12),
    }


def _hour_input(entered: dict[str, Any]) -> HourIn:
    data = {k: v for k, v in entered.items() if v not in ("", [])}
    return parse(HourIn, data)  # type: ignore[no-any-return]


@router.get("/sprechstunden/neu")
def hour_new(
    request: Request, staff: CurrentStaff, session: DbSession, buero: str = ""
) -> Response:
    office = _office(session, staff, buero)
    _planner(session, staff, office.id)  # type: ignore[arg-type]
    form = {
        "weekday": "1",
        "starts": "10:00",
        "ends": "12:00",
        "slot_minutes": "30",
        "capacity": "1",
    }
    return _hour_form(request, session, staff, office, form, None)


@router.post("/sprechstunden")
async def hour_create(
    request: Request, staff: CurrentStaff, session: DbSession, buero: str = ""
) -> Response:
    office = _office(session, staff, buero)
    _planner(session, staff, office.id)  # type: ignore[arg-type]
    entered = _entered_hour(await request.form())
    try:
        hour = schedule.save_hour(session, office.id, _hour_input(entered))  # type: ignore[arg-type]
    except InvalidInput as exc:
        session.rollback()
        return _hour_form(request, session, staff, office, entered, None, exc.errors)
    text = schedule.describe(hour)
    commit(session)
    flash(request, f"Sprechstunde {text} angelegt.", "success")
    return RedirectResponse(f"/sprechstunden?buero={office.id}", status_code=303)


@router.get("/sprechstunden/{hour_id:int}")
def hour_edit(request: Request, hour_id: Id, staff: CurrentStaff, session: DbSession) -> Response:
    hour = _hour(session, staff, hour_id)
    _planner(session, staff, hour.office_id)
    office = session.get_one(Office, hour.office_id)
    duty = [s.id for s in schedule.duty_of(session, [hour_id])[hour_id] if s.id is not None]
    return _hour_form(request, session, staff, office, _hour_values(hour, duty), hour)


@router.post("/sprechstunden/{hour_id:int}")
async def hour_update(
    request: Request, hour_id: Id, staff: CurrentStaff, session: DbSession
) -> Response:
    hour = _hour(session, staff, hour_id)
    _planner(session, staff, hour.office_id)
    office = session.get_one(Office, hour.office_id)
    entered = _entered_hour(await request.form())
    try:
        schedule.save_hour(session, office.id, _hour_input(entered), hour_id)  # type: ignore[arg-type]
    except InvalidInput as exc:
        session.rollback()
        hour = session.get_one(ConsultationHour, hour_id)
        return _hour_form(request, session, staff, office, entered, hour, exc.errors)
    commit(session)
    flash(request, "Sprechstunde gespeichert. Gebuchte Termine behalten ihre Zeit.", "success")
    return RedirectResponse(f"/sprechstunden?buero={office.id}", status_code=303)


@router.post("/sprechstunden/{hour_id:int}/ausfall")
async def close_day(
    request: Request, hour_id: Id, staff: CurrentStaff, session: DbSession
) -> Response:
    """The hour does not take place on a date: its bookings are called off (households with a
    case get the cancellation; the others are listed to be called)."""
    hour = _hour(session, staff, hour_id)
    _planner(session, staff, hour.office_id)
    form = await request.form()
    day, reason = day_or_none(form_text(form, "day", 12)), form_text(form, "reason")
    try:
        if day is None:
            raise InvalidInput({"day": "Bitte ein Datum angeben."})
        if len(reason) < 3:
            raise InvalidInput({"reason": "Bitte einen Grund angeben (z. B. Feiertag)."})
        schedule.close_day(session, hour, day, reason, actor_id=staff.id)
        called_off = booking.cancel_for_closure(session, hour, day, reason, actor_id=staff.id)
    except InvalidInput as exc:
        session.rollback()
        flash(request, "Nicht eingetragen: " + " ".join(exc.errors.values()), "error")
        return RedirectResponse(f"/sprechstunden/{hour_id}#termine", status_code=303)
    commit(session)
    message = f"Ausfall am {day:%d.%m.%Y} eingetragen."
    told = [c for c in called_off if c.booking.case_id is not None]
    if told:
        message += f" {len(told)} Haushalt(e) mit Fall erhalten die Absage."
    if len(called_off) > len(told):
        message += " Wer ohne Fall gebucht hatte, steht unten zum Anrufen."
    flash(request, message, "success")
    return RedirectResponse(f"/sprechstunden/{hour_id}#termine", status_code=303)


@router.post("/sprechstunden/{hour_id:int}/ausfall/{day}/aufheben")
def reopen_day(
    request: Request, hour_id: Id, day: str, staff: CurrentStaff, session: DbSession
) -> Response:
    hour = _hour(session, staff, hour_id)
    _planner(session, staff, hour.office_id)
    found = day_or_none(day[:12])
    if found is None or not schedule.reopen_day(session, hour, found):
        raise HTTPException(status_code=404)
    commit(session)
    flash(request, f"Die Sprechstunde am {found:%d.%m.%Y} findet statt.", "success")
    return RedirectResponse(f"/sprechstunden/{hour_id}#termine", status_code=303)


# ---------------------------------------------------------------------------------------------
# The day at the desk


def _place_param(session: Session, office: Office, ort: str) -> int | None:
    """``ort``: a sub-location's number, or empty for the office itself."""
    if not ort:
        return None
    place_id = parse_int(ort)
    place = session.get(SubLocation, place_id) if place_id else None
    if place is None or place.office_id != office.id:
        raise HTTPException(status_code=404)
    return place.id


def _day_url(office_id: int, place_id: int | None, day: date) -> str:
    return desk.day_sheet_path(office_id, place_id, day)


@router.get("/sprechstunden/tag")
def day_sheet(
    request: Request,
    staff: CaseStaff,
    session: DbSession,
    buero: str = "",
    ort: str = "",
    datum: str = "",
) -> Response:
    """The day sheet of one place: the hours held there, the slots with their bookings,
    languages and interpreter needs, the contacts recorded so far; printable."""
    office = _office(session, staff, buero)
    if not staff_may_work_on(staff, office.id):  # type: ignore[arg-type]
        raise HTTPException(status_code=404)
    place_id = _place_param(session, office, ort[:12])
    today = berlin(utc_now()).date()
    day = day_or_none(datum[:12]) or today
    sheet = desk.day_sheet(session, staff, office.id, place_id, day)  # type: ignore[arg-type]
    places = _places(session, office.id)  # type: ignore[arg-type]
    context = _base(
        staff,
        f"Tagesblatt {sheet.title}, {day:%d.%m.%Y}",
        sheet=sheet,
        day=day,
        today=today,
        now=utc_now(),
        here=_day_url(office.id, place_id, day),  # type: ignore[arg-type]
        previous=_day_url(office.id, place_id, day - timedelta(days=1)),  # type: ignore[arg-type]
        following=_day_url(office.id, place_id, day + timedelta(days=1)),  # type: ignore[arg-type]
        places=[(None, f"Büro {office.name}")] + [(p.id, p.name) for p in places],
        known=booking.known_visitors(session, office.id),  # type: ignore[arg-type]
        place_id=place_id,
        office=office,
    )
    return render(request, "consultations/day.html", context)


@router.post("/sprechstunden/buchen")
async def book(request: Request, staff: CaseStaff, session: DbSession) -> Response:
    """Book a slot for a person without a case (day sheet) or a household (case page)."""
    form = await request.form()
    back = _back(form_text(form, "back", 300), "/sprechstunden")
    # The case page offers "hour|moment" in one list; the day sheet sends them apart.
    hour_text, _bar, starts_at = form_text(form, "slot", 60).partition("|")
    data: dict[str, Any] = {
        "hour_id": parse_int(hour_text or form_text(form, "hour_id", 12)),
        "starts_at": starts_at or form_text(form, "starts_at", 40),
        "interpreter_needed": form_text(form, "interpreter_needed", 5) != "",
    }
    if language := form_text(form, "language", 10):
        data["language"] = language
    if case_id := parse_int(form_text(form, "case_id", 12)):
        case_to_change(session, staff, case_id)  # 404 for another office's case
        data["case_id"] = case_id
    else:
        # A person who came before is chosen from the list, a new one named; not both.
        if known := parse_int(form_text(form, "visitor_id", 12)):
            data["visitor_id"] = known
        name, phone = form_text(form, "name", 120), form_text(form, "phone", 40)
        if name or phone or not known:
            visitor = {"name": name}
            if phone:
                visitor["phone"] = phone
            if visitor_language := form_text(form, "language", 10):
                visitor["language"] = visitor_language
            data["visitor"] = visitor
    try:
        made = booking.book(session, parse(BookingIn, data), staff=staff)
    except (InvalidInput, NotFound) as exc:
        session.rollback()
        reasons = exc.errors.values() if isinstance(exc, InvalidInput) else [str(exc)]
        flash(request, "Nicht gebucht: " + " ".join(reasons), "error")
        return RedirectResponse(back, status_code=303)
    when = berlin(made.starts_at)
    commit(session)
    extra = " Die Einladung geht an den Haushalt." if made.case_id else ""
    flash(request, f"Gebucht: {when:%d.%m.%Y %H:%M} Uhr.{extra}", "success")
    return RedirectResponse(back, status_code=303)


@router.post("/sprechstunden/buchungen/{booking_id:int}/{action}")
async def booking_action(
    request: Request, booking_id: Id, action: str, staff: CaseStaff, session: DbSession
) -> Response:
    """``absagen`` (call it off) or ``nicht-erschienen`` (the person did not come)."""
    form = await request.form()
    back = _back(form_text(form, "back", 300), "/sprechstunden")
    try:
        if action == "absagen":
            booking.cancel(session, booking_id, staff=staff, reason="abgesagt")
            message = "Termin abgesagt."
        elif action == "nicht-erschienen":
            booking.no_show(session, booking_id, staff=staff)
            message = "Als nicht erschienen vermerkt."
        else:
            raise HTTPException(status_code=404)
    except booking.BookingNotFound:
        raise HTTPException(status_code=404) from None
    except InvalidInput as exc:
        session.rollback()
        flash(request, "Nicht geändert: " + " ".join(exc.errors.values()), "error")
        return RedirectResponse(back, status_code=303)
    commit(session)
    flash(request, message, "success")
    return RedirectResponse(back, status_code=303)


def _entered_contact(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {
        "topics": form_list(form, "topics"),
        "outcome": form_text(form, "outcome", 20),
        "interpreter_used": form_text(form, "interpreter_used", 5) != "",
        "persons": parse_int(form_text(form, "persons", 3)) or 1,
    }
    for key in ("hour_id", "booking_id", "case_id", "sub_location_id", "visitor_id"):
        if (number := parse_int(form_text(form, key, 12))) is not None:
            data[key] = number
    for key, limit in (("language", 10), ("referred_to", 200), ("note", 1000)):
        if value := form_text(form, key, limit):
            data[key] = value
    if name := form_text(form, "name", 120):
        data["visitor"] = {"name": name}
    return data


@router.post("/sprechstunden/kontakte")
async def record_contact(request: Request, staff: CaseStaff, session: DbSession) -> Response:
    """Record one visit to the desk; back to the day sheet."""
    form = await request.form()
    back = _back(form_text(form, "back", 300), "/sprechstunden")
    try:
        contact = desk.record_contact(
            session, parse(ContactIn, _entered_contact(form)), staff=staff
        )
    except InvalidInput as exc:
        session.rollback()
        flash(request, "Kontakt nicht gespeichert: " + " ".join(exc.errors.values()), "error")
        return RedirectResponse(back, status_code=303)
    with_case = f" (Fall {contact.case_id}: steht im Verlauf)" if contact.case_id else ""
    commit(session)
    flash(request, f"Kontakt erfasst{with_case}.", "success")
    return RedirectResponse(back, status_code=303)


# ---------------------------------------------------------------------------------------------
# From a case


@router.get("/cases/{case_id:int}/sprechstunde")
def case_slots(request: Request, case_id: Id, staff: CaseStaff, session: DbSession) -> Response:
    """The free slots of the office's hours in the coming weeks, to book one for the household;
    and its consultation bookings."""
    case = case_to_change(session, staff, case_id)
    now = utc_now()
    today = berlin(now).date()
    hours = schedule.hours_of(session, case.office_id, today=today)
    offered = []
    for occurrence in schedule.occurrences(
        session, hours, today, today + timedelta(weeks=BOOKING_WEEKS)
    ):
        if occurrence.closed:
            continue
        free = [
            s
            for s in schedule.slots(session, occurrence.hour, occurrence.day)
            if s.free and s.starts_at > now
        ]
        if free:
            offered.append((occurrence, free))
    query = select(ConsultationBooking).where(ConsultationBooking.case_id == case_id)
    bookings = list(session.exec(query.order_by(col(ConsultationBooking.starts_at).desc())))
    places = {
        b.id: schedule.location_name(session, session.get_one(ConsultationHour, b.hour_id))
        for b in bookings
    }
    context = _base(
        staff,
        f"Sprechstundentermin für Fall {case_id}",
        case=case,
        offered=offered,
        names={h.id: schedule.location_name(session, h) for h in hours},
        bookings=bookings,
        booked_at=places,
        now=now,
        open_status=BookingStatus.BOOKED,
    )
    return render(request, "consultations/case_slots.html", context)


# ---------------------------------------------------------------------------------------------
# The month's count


@router.get("/sprechstunden/zahlen")
def month_figures(
    request: Request, staff: CurrentStaff, session: DbSession, monat: str = "", buero: str = ""
) -> Response:
    """Visits and persons per place, topic and outcome in a month (supervisors and
    administrators; a supervisor sees their office's, the head of the welfare office all)."""
    if staff.role == Role.CASEWORKER:
        raise HTTPException(status_code=403)
    today = berlin(utc_now()).date()
    try:
        year, number = (int(part) for part in monat[:7].split("-")) if monat else (0, 0)
        month = date(year, number, 1) if monat else today.replace(day=1)
    except ValueError:
        month = today.replace(day=1)
    office_ids = [staff.office_id] if staff.office_id is not None else None
    if office_ids is None and (chosen := parse_int(buero)):
        office_ids = [chosen]
    counted = figures.month(session, office_ids, month)
    first, following = figures.month_bounds(month)
    previous = (first - timedelta(days=1)).replace(day=1)
    context = _base(
        staff,
        f"Sprechstunden: Zahlen {first:%m/%Y}",
        counted=counted,
        month=first,
        previous=f"{previous:%Y-%m}",
        following=f"{following:%Y-%m}",
        buero=buero,
    )
    return render(request, "consultations/figures.html", context)
