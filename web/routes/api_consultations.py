"""The JSON API for consultation hours: the schedule, called-off dates, slots, bookings, contacts
at the desk and the month's count — the same services and rules as the pages.

Another office's hour, booking or case is 404; keeping the schedule needs an administrator or
the office's supervisor (403); invalid input is 422 with a message per field.
"""

from datetime import date, datetime, time
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from core import limits
from core.clock import berlin, utc_now
from core.db import commit
from models import ConsultationBooking, ConsultationHour, Office, Staff
from models.enums import Role
from web.deps import DbSession
from web.params import Id
from web.routes.api import AUTH_RESPONSES, EDGE_RESPONSES, ApiCaseStaff, ApiRoute, api_staff
from web.schemas import Problem
from workflows.casework.fields import Day
from workflows.consultations import booking, desk, figures, schedule
from workflows.consultations.booking import BookingIn
from workflows.consultations.desk import ContactIn
from workflows.consultations.schedule import HourIn, Reason
from workflows.engine.access import staff_may_work_on

router = APIRouter(
    prefix="/api",
    tags=["Sprechstunden"],
    route_class=ApiRoute,
    responses={**AUTH_RESPONSES, **EDGE_RESPONSES},
)
PLANNERS_ONLY = "Nur die Verwaltung und die Leitung des Büros ändern Sprechstunden."
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Nicht gefunden (oder in einem anderen Büro)."}
}
# Keeping the schedule is also for administrators, who do not work on cases.
ApiStaff = Annotated[Staff, Depends(api_staff)]


class HourCreate(HourIn):
    office_id: Id


class HourOut(BaseModel):
    id: int
    office_id: int
    sub_location_id: int | None
    place: str
    weekday: int
    starts: time
    ends: time
    slot_minutes: int
    capacity: int
    languages: list[str]
    staff_ids: list[int]
    valid_from: date | None
    valid_to: date | None


class ClosureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    day: Day
    reason: Reason


class CalledOff(BaseModel):
    booking_id: int
    case_id: int | None
    name: str = Field(description="Whom the desk should call when there is no case.")
    phone: str | None


class ClosureOut(BaseModel):
    hour_id: int
    day: date
    reason: str
    called_off: list[CalledOff]


class SlotOut(BaseModel):
    starts_at: datetime
    booked: int
    capacity: int
    free: int


class BookingOut(BaseModel):
    id: int
    hour_id: int
    starts_at: datetime
    case_id: int | None
    visitor_id: int | None
    language: str | None
    interpreter_needed: bool
    status: str
    cancelled_reason: str | None


class ContactOut(BaseModel):
    id: int
    office_id: int
    sub_location_id: int | None
    hour_id: int | None
    booking_id: int | None
    case_id: int | None
    occurred_at: datetime
    walk_in: bool
    persons: int
    topics: list[str]
    language: str | None
    interpreter_used: bool
    outcome: str
    referred_to: str | None


class VisitorOut(BaseModel):
    id: int
    name: str
    phone: str | None
    language: str | None
    last_seen_on: date | None


class PlaceFiguresOut(BaseModel):
    office_id: int
    sub_location_id: int | None
    name: str
    visits: int
    persons: int
    walk_ins: int
    with_case: int
    interpreter: int
    booked: int
    no_shows: int
    topics: dict[str, int]
    outcomes: dict[str, int]


class FiguresOut(BaseModel):
    month: date
    places: list[PlaceFiguresOut]


def _hour_out(session: Session, hour: ConsultationHour) -> HourOut:
    assert hour.id is not None
    duty = schedule.duty_of(session, [hour.id])[hour.id]
    return HourOut(
        **hour.model_dump(exclude={"languages"}),
        languages=list(hour.languages),
        place=schedule.location_name(session, hour),
        staff_ids=[s.id for s in duty if s.id is not None],
    )


def _booking_out(made: ConsultationBooking) -> BookingOut:
    return BookingOut.model_validate(made, from_attributes=True)


def _planned_hour(session: Session, staff: Staff, hour_id: int) -> ConsultationHour:
    hour = session.get(ConsultationHour, hour_id)
    if hour is None or not (
        staff_may_work_on(staff, hour.office_id) or schedule.may_plan(staff, hour.office_id)
    ):
        raise HTTPException(404, "Sprechstunde nicht gefunden.")
    if not schedule.may_plan(staff, hour.office_id):
        raise HTTPException(
            403, "Nur die Verwaltung und die Leitung des Büros ändern Sprechstunden."
        )
    return hour


@router.get("/consultation-hours", response_model=list[HourOut], responses=NOT_FOUND)
def list_hours(
    session: DbSession,
    staff: ApiStaff,
    office_id: Annotated[int | None, Query(ge=1, le=limits.MAX_ID)] = None,
) -> Any:
    """The weekly hours still held of an office: the staff member's own, or (administrators and
    the head of the welfare office) the one given."""
    chosen = staff.office_id or office_id
    if chosen is None or session.get(Office, chosen) is None:
        raise HTTPException(404, "Büro nicht gefunden.")
    if not (staff_may_work_on(staff, chosen) or schedule.may_plan(staff, chosen)):
        raise HTTPException(404, "Büro nicht gefunden.")
    today = berlin(utc_now()).date()
    return [_hour_out(session, h) for h in schedule.hours_of(session, chosen, today=today)]


@router.post(
    "/consultation-hours", status_code=201, response_model=HourOut,
    responses={**NOT_FOUND, 403: {"model": Problem, "description": PLANNERS_ONLY}},
)  # fmt: skip
def create_hour(body: HourCreate, staff: ApiStaff, session: DbSession) -> Any:
    """Add a weekly hour to an office."""
    if session.get(Office, body.office_id) is None:
        raise HTTPException(404, "Büro nicht gefunden.")
    if not schedule.may_plan(staff, body.office_id):
        raise HTTPException(
            403, "Nur die Verwaltung und die Leitung des Büros ändern Sprechstunden."
        )
    hour = schedule.save_hour(
        session, body.office_id, HourIn.model_validate(body.model_dump(exclude={"office_id"}))
    )
    answer = _hour_out(session, hour)
    commit(session)
    return answer


@router.put("/consultation-hours/{hour_id}", response_model=HourOut, responses=NOT_FOUND)
def update_hour(hour_id: Id, body: HourIn, staff: ApiStaff, session: DbSession) -> Any:
    """Change a weekly hour; bookings already made keep their time."""
    hour = _planned_hour(session, staff, hour_id)
    hour = schedule.save_hour(session, hour.office_id, body, hour_id)
    answer = _hour_out(session, hour)
    commit(session)
    return answer


@router.post(
    "/consultation-hours/{hour_id}/closures", status_code=201,
    response_model=ClosureOut, responses=NOT_FOUND,
)  # fmt: skip
def close_day(hour_id: Id, body: ClosureIn, staff: ApiStaff, session: DbSession) -> Any:
    """The hour does not take place on ``day``: its bookings are called off (households with a
    case are sent the cancellation; the others are listed to be called)."""
    hour = _planned_hour(session, staff, hour_id)
    schedule.close_day(session, hour, body.day, body.reason, actor_id=staff.id)
    called = booking.cancel_for_closure(session, hour, body.day, body.reason, actor_id=staff.id)
    answer = ClosureOut(
        hour_id=hour_id, day=body.day, reason=body.reason,
        called_off=[
            CalledOff(
                booking_id=c.booking.id, case_id=c.booking.case_id, name=c.name, phone=c.phone
            )  # type: ignore[arg-type]
            for c in called
        ],
    )  # fmt: skip
    commit(session)
    return answer


@router.delete(
    "/consultation-hours/{hour_id}/closures/{day}", status_code=204,
    responses=NOT_FOUND,
)  # fmt: skip
def reopen_day(hour_id: Id, day: Day, staff: ApiStaff, session: DbSession) -> Response:
    """The hour takes place on ``day`` after all (bookings cancelled meanwhile stay so)."""
    hour = _planned_hour(session, staff, hour_id)
    if not schedule.reopen_day(session, hour, day):
        raise HTTPException(404, "Für diesen Tag ist kein Ausfall eingetragen.")
    commit(session)
    return Response(status_code=204)


@router.get(
    "/consultation-hours/{hour_id}/slots", response_model=list[SlotOut],
    responses=NOT_FOUND,
)  # fmt: skip
def list_slots(
    hour_id: Id, day: Annotated[Day, Query(alias="date")], staff: ApiCaseStaff, session: DbSession
) -> Any:
    """The slots of the hour on a date with how many are booked (none when it is not held or
    called off)."""
    hour = session.get(ConsultationHour, hour_id)
    if hour is None or not staff_may_work_on(staff, hour.office_id):
        raise HTTPException(404, "Sprechstunde nicht gefunden.")
    if not schedule.held_on(hour, day) or schedule.closures(session, [hour_id], day, day):
        return []
    return [
        SlotOut(starts_at=s.starts_at, booked=s.booked, capacity=s.capacity, free=s.free)
        for s in schedule.slots(session, hour, day)
    ]


@router.post(
    "/consultation-bookings", status_code=201, response_model=BookingOut,
    responses=NOT_FOUND,
)  # fmt: skip
def create_booking(body: BookingIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Book a slot for a household (its invitation goes out) or a person without a case; a
    full slot is refused (422) with the times still free."""
    made = booking.book(session, body, staff=staff)
    answer = _booking_out(made)
    commit(session)
    return answer


@router.post(
    "/consultation-bookings/{booking_id}/cancel", response_model=BookingOut,
    responses=NOT_FOUND,
)  # fmt: skip
def cancel_booking(booking_id: Id, staff: ApiCaseStaff, session: DbSession) -> Any:
    made = booking.cancel(session, booking_id, staff=staff)
    answer = _booking_out(made)
    commit(session)
    return answer


@router.post(
    "/consultation-bookings/{booking_id}/no-show", response_model=BookingOut,
    responses=NOT_FOUND,
)  # fmt: skip
def no_show(booking_id: Id, staff: ApiCaseStaff, session: DbSession) -> Any:
    """The person did not come (once the slot has begun)."""
    made = booking.no_show(session, booking_id, staff=staff)
    answer = _booking_out(made)
    commit(session)
    return answer


@router.post(
    "/consultation-contacts", status_code=201, response_model=ContactOut,
    responses=NOT_FOUND,
)  # fmt: skip
def create_contact(body: ContactIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Record one visit to the desk; one with a case lands on its timeline."""
    contact = desk.record_contact(session, body, staff=staff)
    answer = ContactOut.model_validate(contact, from_attributes=True)
    commit(session)
    return answer


@router.get("/consultation-visitors", response_model=list[VisitorOut], responses=NOT_FOUND)
def list_visitors(
    session: DbSession,
    staff: ApiCaseStaff,
    office_id: Annotated[int | None, Query(ge=1, le=limits.MAX_ID)] = None,
) -> Any:
    """The office's people without a case still on record (``visitor_id`` for a booking or a
    contact when one comes again, so the month counts them once)."""
    chosen = staff.office_id or office_id
    if chosen is None or not staff_may_work_on(staff, chosen):
        raise HTTPException(404, "Büro nicht gefunden.")
    return [
        VisitorOut(id=v.id, name=v.name, phone=v.phone, language=v.language,
                   last_seen_on=v.last_seen_on)  # type: ignore[arg-type]
        for v in booking.known_visitors(session, chosen)
    ]  # fmt: skip


@router.get("/consultation-figures", response_model=FiguresOut)
def month_figures(
    staff: ApiStaff,
    session: DbSession,
    month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")],
    office_id: Annotated[int | None, Query(ge=1, le=limits.MAX_ID)] = None,
) -> Any:
    """Visits and persons per place, topic and outcome (supervisors and administrators)."""
    if staff.role == Role.CASEWORKER:
        raise HTTPException(403, "Die Zahlen sehen die Leitung und die Verwaltung.")
    office_ids = [staff.office_id] if staff.office_id is not None else None
    if office_ids is None and office_id is not None:
        office_ids = [office_id]
    year, number = (int(part) for part in month.split("-"))
    counted = figures.month(session, office_ids, date(year, number, 1))
    return FiguresOut(
        month=counted.month,
        places=[
            PlaceFiguresOut(
                office_id=p.office_id,
                sub_location_id=p.sub_location_id,
                name=p.name,
                **{name: getattr(p, name) for name in figures.COUNTS},
                topics=dict(p.topics),
                outcomes=dict(p.outcomes),
            )  # fmt: skip
            for p in counted.places
        ],
    )
