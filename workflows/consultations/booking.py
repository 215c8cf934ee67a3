"""Booking a slot of a consultation hour: for a household with a case (its appointment sends
the calendar invitation, the reminder the day before and, if it is called off, the
cancellation, in the household's language through its channels) or, by phone, for a person
without a case (a name or pseudonym, a phone number, a language).

A slot holds ``capacity`` households. Bookings of one hour are taken one at a time (the hour's
row is locked on PostgreSQL; SQLite writes one transaction at a time), so two people booking the
last place at once get one booking and one clear refusal.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, model_validator
from sqlmodel import Session, col, select

from core.clock import berlin, utc_now
from models import (
    Appointment,
    Case,
    ConsultationBooking,
    ConsultationHour,
    Household,
    Staff,
    Visitor,
)
from models.enums import AppointmentStatus, BookingStatus
from workflows.appointments import consultations
from workflows.appointments.notices import cancel_appointment_reminders
from workflows.casework.fields import Id, Language, Name, Phone
from workflows.consultations import history, schedule
from workflows.consultations.schedule import HOLDING, HourNotFound
from workflows.engine.access import staff_may_work_on
from workflows.engine.errors import InvalidInput, NotFound

CLOSED_PREFIX = "Sprechstunde fällt aus: "


class BookingNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Buchung nicht gefunden.")


class VisitorIn(BaseModel):
    """A person without a case: how staff will recognise and reach them."""

    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="A name or a pseudonym the person gives.")
    phone: Phone | None = Field(default=None, description="To call them back if it is off.")
    language: Language | None = None


class BookingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    hour_id: Id
    starts_at: AwareDatetime = Field(description="The slot's beginning (one of the hour's slots).")
    case_id: Id | None = Field(default=None, description="The household's case, if it has one.")
    visitor: VisitorIn | None = Field(default=None, description="Otherwise: who comes.")
    visitor_id: Id | None = Field(default=None, description="Or a person booked before.")
    language: Language | None = Field(
        default=None, description="Spoken at the desk; default: the household's first language."
    )
    interpreter_needed: StrictBool = False

    @model_validator(mode="after")
    def _one_person(self) -> "BookingIn":
        given = [x for x in (self.case_id, self.visitor, self.visitor_id) if x is not None]
        if len(given) != 1:
            raise ValueError("Bitte genau eines angeben: den Fall, oder die Person ohne Fall.")
        return self


@dataclass(frozen=True)
class Cancelled:
    """A booking called off because the hour does not take place: a household with a case was
    sent the cancellation; a person without one is to be called (``phone``)."""

    booking: ConsultationBooking
    name: str
    phone: str | None


def _office_ids(staff: Staff) -> list[int] | None:
    return None if staff.office_id is None else [staff.office_id]


def _locked_hour(session: Session, hour_id: int, staff: Staff) -> ConsultationHour:
    """The hour, locked until the commit, if ``staff`` works in its office."""
    query = select(ConsultationHour).where(ConsultationHour.id == hour_id).with_for_update()
    hour = session.exec(query).first()
    if hour is None or not staff_may_work_on(staff, hour.office_id):
        raise HourNotFound
    return hour


def _check_slot(
    session: Session, hour: ConsultationHour, starts_at: datetime, now: datetime
) -> date:
    """The slot's date, if it is a bookable slot of the hour with a free place."""
    if starts_at <= now:
        raise InvalidInput({"starts_at": "Der Termin muss in der Zukunft liegen."})
    day = berlin(starts_at).date()
    if day > berlin(now).date() + timedelta(days=schedule.HORIZON_DAYS):
        raise InvalidInput({"starts_at": "Höchstens ein Jahr im Voraus buchen."})
    if not schedule.held_on(hour, day):
        raise InvalidInput(
            {"starts_at": f"An diesem Tag ist keine Sprechstunde ({schedule.describe(hour)})."}
        )
    closed = schedule.closures(session, [hour.id], day, day)  # type: ignore[list-item]
    if closed:
        reason = next(iter(closed.values()))
        raise InvalidInput({"starts_at": f"Die Sprechstunde fällt an diesem Tag aus: {reason}"})
    slots = schedule.slots(session, hour, day)
    slot = next((s for s in slots if s.starts_at == starts_at), None)
    if slot is None:
        times = ", ".join(f"{berlin(s.starts_at):%H:%M}" for s in slots)
        raise InvalidInput({"starts_at": f"Zu dieser Zeit beginnt kein Termin; Termine: {times}."})
    if slot.free == 0:
        free = [f"{berlin(s.starts_at):%H:%M}" for s in slots if s.free and s.starts_at > now]
        offer = f" Frei sind noch: {', '.join(free)}." if free else " Der Tag ist ausgebucht."
        full = f"Dieser Termin ist schon ausgebucht ({slot.booked} von {slot.capacity})."
        raise InvalidInput({"starts_at": full + offer})
    return day


def book(
    session: Session, data: BookingIn, *, staff: Staff, now: datetime | None = None
) -> ConsultationBooking:
    """Book the slot; a household with a case gets its invitation (.ics) at once."""
    now = now or utc_now()
    hour = _locked_hour(session, data.hour_id, staff)
    day = _check_slot(session, hour, data.starts_at, now)
    starts_at = data.starts_at
    booking = ConsultationBooking(
        hour_id=hour.id,  # type: ignore[arg-type]
        starts_at=starts_at,
        language=data.language,
        interpreter_needed=data.interpreter_needed,
        created_by_id=staff.id,
    )
    if data.case_id is not None:
        case = session.get(Case, data.case_id)
        if case is None or not staff_may_work_on(staff, case.office_id):
            raise InvalidInput({"case_id": "Fall nicht gefunden."})
        if case.office_id != hour.office_id:
            raise InvalidInput({"case_id": "Die Sprechstunde gehört zu einem anderen Büro."})
        twice = select(ConsultationBooking.id).where(
            ConsultationBooking.case_id == case.id,
            ConsultationBooking.starts_at == starts_at,
            col(ConsultationBooking.status).in_(HOLDING),
        )
        if session.exec(twice).first() is not None:
            raise InvalidInput({"starts_at": "Der Haushalt hat zu dieser Zeit schon einen Termin."})
        appointment = consultations.book(
            session,
            case.id,  # type: ignore[arg-type]
            starts_at,
            actor_id=staff.id,
            sub_location_id=hour.sub_location_id,
            duration_minutes=hour.slot_minutes,
            now=now,
        )
        household = session.get(Household, case.household_id)
        booking.case_id, booking.appointment_id = case.id, appointment.id
        if booking.language is None and household is not None and household.languages:
            booking.language = household.languages[0]
    else:
        visitor = visitor_for(session, data.visitor, data.visitor_id, hour.office_id, day)
        booking.visitor_id = visitor.id
        booking.language = booking.language or visitor.language
    session.add(booking)
    session.flush()
    if booking.case_id is not None:
        history.write(
            session,
            booking.case_id,
            "consultation_booked",
            staff.id,
            now,
            history.booked(session, hour, booking),
        )
    return booking


def visitor_for(
    session: Session, given: VisitorIn | None, visitor_id: int | None, office_id: int, day: date
) -> Visitor:
    """A person without a case seen on ``day``: one known to the office, or a new one."""
    if visitor_id is not None:
        visitor = session.get(Visitor, visitor_id)
        if visitor is None or visitor.office_id != office_id or visitor.erased_at is not None:
            raise InvalidInput({"visitor_id": "Person nicht gefunden."})
    else:
        assert given is not None
        visitor = Visitor(office_id=office_id, **given.model_dump())
    visitor.last_seen_on = max(visitor.last_seen_on or day, day)
    session.add(visitor)
    session.flush()
    return visitor


# How many people without a case the desk's forms offer to choose from.
KNOWN_LIMIT = 300


def known_visitors(session: Session, office_id: int) -> list[Visitor]:
    """The office's people without a case still on record, to choose from when one comes
    again (so the month's count counts them once); the most recently seen first."""
    query = (
        select(Visitor)
        .where(Visitor.office_id == office_id, col(Visitor.erased_at).is_(None))
        .order_by(col(Visitor.last_seen_on).desc(), col(Visitor.id).desc())
        .limit(KNOWN_LIMIT)
    )
    return sorted(session.exec(query), key=lambda v: v.name.casefold())


def get_booking(
    session: Session, booking_id: int, staff: Staff
) -> tuple[ConsultationBooking, ConsultationHour]:
    """The booking, locked until the commit (two clicks at once change it once), and its hour,
    if ``staff`` works in the hour's office."""
    query = (
        select(ConsultationBooking)
        .where(ConsultationBooking.id == booking_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    booking = session.exec(query).first()
    hour = session.get(ConsultationHour, booking.hour_id) if booking else None
    if booking is None or hour is None or not staff_may_work_on(staff, hour.office_id):
        raise BookingNotFound
    return booking, hour


def _open(booking: ConsultationBooking) -> None:
    if booking.status != BookingStatus.BOOKED:
        raise InvalidInput({"booking_id": "Diese Buchung ist nicht mehr offen."})


def cancel(
    session: Session,
    booking_id: int,
    *,
    staff: Staff,
    reason: str = "abgesagt",
    now: datetime | None = None,
) -> ConsultationBooking:
    """Call the booking off; a household with a case gets the cancellation (METHOD:CANCEL)."""
    now = now or utc_now()
    booking, hour = get_booking(session, booking_id, staff)
    _open(booking)
    _call_off(session, booking, reason, staff.id, now)
    session.flush()
    return booking


def _call_off(
    session: Session, booking: ConsultationBooking, reason: str, actor_id: int | None, now: datetime
) -> None:
    booking.status, booking.cancelled_reason = BookingStatus.CANCELLED, reason
    session.add(booking)
    if booking.appointment_id is not None:
        appointment = session.get(Appointment, booking.appointment_id)
        if appointment is not None and appointment.status == AppointmentStatus.SCHEDULED:
            consultations.cancel(session, appointment.id, actor_id=actor_id, now=now)  # type: ignore[arg-type]
    if booking.case_id is not None:
        history.write(
            session,
            booking.case_id,
            "consultation_cancelled",
            actor_id,
            now,
            history.called_off(session, booking, reason),
        )


def cancel_for_closure(
    session: Session,
    hour: ConsultationHour,
    day: date,
    reason: str,
    *,
    actor_id: int | None,
    now: datetime | None = None,
) -> list[Cancelled]:
    """Every open booking of ``day`` is called off because the hour does not take place."""
    now = now or utc_now()
    moments = schedule.slot_times(hour, day)
    query = select(ConsultationBooking).where(
        ConsultationBooking.hour_id == hour.id,
        col(ConsultationBooking.starts_at).in_(moments),
        ConsultationBooking.status == BookingStatus.BOOKED,
    )
    called_off = []
    for booking in session.exec(query.order_by(col(ConsultationBooking.starts_at))).all():
        _call_off(session, booking, f"{CLOSED_PREFIX}{reason}", actor_id, now)
        name, phone = history.who(session, booking)
        called_off.append(Cancelled(booking, name, phone))
    session.flush()
    return called_off


def to_call(session: Session, hour: ConsultationHour, day: date) -> list[Cancelled]:
    """The people without a case whose booking on ``day`` was called off because the hour does
    not take place: the desk phones them (shown from here, not carried in a message)."""
    query = select(ConsultationBooking).where(
        ConsultationBooking.hour_id == hour.id,
        col(ConsultationBooking.starts_at).in_(schedule.slot_times(hour, day)),
        ConsultationBooking.status == BookingStatus.CANCELLED,
        col(ConsultationBooking.visitor_id).is_not(None),
        col(ConsultationBooking.cancelled_reason).startswith(CLOSED_PREFIX),
    )
    found = session.exec(query.order_by(col(ConsultationBooking.starts_at))).all()
    return [Cancelled(b, *history.who(session, b)) for b in found]


def no_show(
    session: Session, booking_id: int, *, staff: Staff, now: datetime | None = None
) -> ConsultationBooking:
    """The person did not come (once the slot has begun)."""
    now = now or utc_now()
    booking, _hour = get_booking(session, booking_id, staff)
    _open(booking)
    if booking.starts_at > now:
        raise InvalidInput({"booking_id": "Der Termin hat noch nicht begonnen."})
    booking.status = BookingStatus.NO_SHOW
    session.add(booking)
    if booking.appointment_id is not None:
        appointment = session.get(Appointment, booking.appointment_id)
        if appointment is not None and appointment.status == AppointmentStatus.SCHEDULED:
            appointment.status = AppointmentStatus.NO_SHOW
            cancel_appointment_reminders(session, appointment, "nicht erschienen")
            session.add(appointment)
    if booking.case_id is not None:
        history.write(
            session,
            booking.case_id,
            "consultation_no_show",
            staff.id,
            now,
            history.booked(session, None, booking),
        )
    session.flush()
    return booking
