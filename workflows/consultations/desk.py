"""The day at the desk: the day sheet of one place (the hours held there that day, who is on
duty, the booked slots with their languages and interpreter needs, the contacts so far), and a
contact recorded in a few clicks — with a booking, a case, a person without a case, or nobody
named; topics from a list, language, interpreter, and what came of it."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, model_validator
from sqlmodel import Session, col, select

from core import limits
from core.clock import berlin, utc_now
from models import (
    Appointment,
    Case,
    ConsultationBooking,
    ConsultationContact,
    ConsultationHour,
    Office,
    Staff,
    SubLocation,
    Visitor,
)
from models.enums import AppointmentStatus, BookingStatus, ContactOutcome, ContactTopic
from workflows.casework.fields import Id, Language
from workflows.consultations import history, schedule
from workflows.consultations.booking import BookingNotFound, VisitorIn, get_booking, visitor_for
from workflows.consultations.schedule import Occurrence, Slot, local_moment
from workflows.engine.access import staff_may_work_on
from workflows.engine.errors import InvalidInput, NotFound

# How late a contact may still be recorded (a busy hour is written up later that week).
LATE_DAYS = 31
Line = Annotated[str, Field(max_length=200, pattern=limits.LINE_PATTERN)]
Text = Annotated[str, Field(max_length=1000, pattern=limits.TEXT_PATTERN)]


class ContactIn(BaseModel):
    """One visit to the desk."""

    model_config = ConfigDict(extra="forbid")

    hour_id: Id | None = Field(default=None, description="The consultation hour it was at.")
    sub_location_id: Id | None = Field(
        default=None, description="Without an hour: the sub-location (none: the office)."
    )
    booking_id: Id | None = Field(default=None, description="The booking the person came for.")
    case_id: Id | None = None
    visitor: VisitorIn | None = Field(default=None, description="A person without a case.")
    visitor_id: Id | None = None
    occurred_at: AwareDatetime | None = Field(default=None, description="Default: now.")
    persons: int = Field(default=1, ge=1, le=20, description="How many people came.")
    topics: list[ContactTopic] = Field(min_length=1, max_length=len(ContactTopic))
    language: Language | None = None
    interpreter_used: StrictBool = False
    outcome: ContactOutcome
    referred_to: Line | None = None
    note: Text | None = None

    @model_validator(mode="after")
    def _consistent(self) -> "ContactIn":
        named = [x for x in (self.case_id, self.visitor, self.visitor_id) if x is not None]
        if len(named) > 1:
            raise ValueError("Höchstens eines angeben: den Fall oder die Person ohne Fall.")
        if self.booking_id is not None and named:
            raise ValueError("Mit einer Buchung steht schon fest, wer gekommen ist.")
        if self.outcome == ContactOutcome.REFERRED and not (self.referred_to or "").strip():
            raise ValueError("Bitte angeben, wohin weitervermittelt wurde.")
        return self


@dataclass(frozen=True)
class Booked:
    booking: ConsultationBooking
    name: str
    phone: str | None


@dataclass(frozen=True)
class HeldHour:
    occurrence: Occurrence
    duty: list[Staff]
    slots: list[tuple[Slot, list[Booked]]]


@dataclass
class DaySheet:
    office: Office
    place: SubLocation | None
    day: date
    hours: list[HeldHour]
    contacts: list[ConsultationContact]
    languages: Counter[str] = field(default_factory=Counter)  # of the bookings still open
    interpreters: int = 0

    @property
    def title(self) -> str:
        return self.place.name if self.place else f"Büro {self.office.name}"


def day_sheet_path(office_id: int, place_id: int | None, day: date) -> str:
    """The staff page of the day sheet."""
    return f"/sprechstunden/tag?buero={office_id}&ort={place_id or ''}&datum={day.isoformat()}"


def _place(session: Session, office_id: int, sub_location_id: int | None) -> SubLocation | None:
    if sub_location_id is None:
        return None
    place = session.get(SubLocation, sub_location_id)
    if place is None or place.office_id != office_id:
        raise NotFound("Standort nicht gefunden.")
    return place


def day_sheet(
    session: Session, staff: Staff, office_id: int, sub_location_id: int | None, day: date
) -> DaySheet:
    """What the desk at one place needs on ``day``."""
    office = session.get(Office, office_id)
    if office is None or not staff_may_work_on(staff, office_id):
        raise NotFound("Büro nicht gefunden.")
    place = _place(session, office_id, sub_location_id)
    hours = [
        h for h in schedule.hours_of(session, office_id) if h.sub_location_id == sub_location_id
    ]
    held = schedule.occurrences(session, hours, day, day)
    duty = schedule.duty_of(session, [o.hour.id for o in held])  # type: ignore[misc]
    bookings = _bookings(session, [o.hour.id for o in held], day)  # type: ignore[misc]
    sheet = DaySheet(office, place, day, [], _contacts(session, office_id, sub_location_id, day))
    for occurrence in held:
        slots = []
        for slot in schedule.slots(session, occurrence.hour, day):
            here = [
                b
                for b in bookings
                if b.booking.hour_id == occurrence.hour.id and b.booking.starts_at == slot.starts_at
            ]
            slots.append((slot, here))
        sheet.hours.append(HeldHour(occurrence, duty.get(occurrence.hour.id, []), slots))  # type: ignore[arg-type]
    for booked in bookings:
        if booked.booking.status == BookingStatus.BOOKED:
            sheet.languages[booked.booking.language or "?"] += 1
            sheet.interpreters += booked.booking.interpreter_needed
    return sheet


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    return local_moment(day, time(0)), local_moment(day + timedelta(days=1), time(0))


def _bookings(session: Session, hour_ids: list[int], day: date) -> list[Booked]:
    if not hour_ids:
        return []
    start, end = _day_bounds(day)
    query = select(ConsultationBooking).where(
        col(ConsultationBooking.hour_id).in_(hour_ids),
        col(ConsultationBooking.starts_at) >= start,
        col(ConsultationBooking.starts_at) < end,
    )
    found = session.exec(
        query.order_by(col(ConsultationBooking.starts_at), col(ConsultationBooking.id))
    ).all()
    return [Booked(b, *history.who(session, b)) for b in found]


def _contacts(
    session: Session, office_id: int, sub_location_id: int | None, day: date
) -> list[ConsultationContact]:
    start, end = _day_bounds(day)
    place = (
        col(ConsultationContact.sub_location_id).is_(None)
        if sub_location_id is None
        else col(ConsultationContact.sub_location_id) == sub_location_id
    )
    query = select(ConsultationContact).where(
        ConsultationContact.office_id == office_id,
        place,
        col(ConsultationContact.occurred_at) >= start,
        col(ConsultationContact.occurred_at) < end,
    )
    return list(session.exec(query.order_by(col(ConsultationContact.occurred_at))))


def record_contact(
    session: Session, data: ContactIn, *, staff: Staff, now: datetime | None = None
) -> ConsultationContact:
    """Record one visit to the desk; one with a case lands on the case's timeline, one for a
    booking marks it as kept."""
    now = now or utc_now()
    occurred_at = data.occurred_at or now
    if occurred_at > now + timedelta(minutes=5):
        raise InvalidInput({"occurred_at": "Ein Kontakt kann nicht in der Zukunft liegen."})
    if occurred_at < now - timedelta(days=LATE_DAYS):
        raise InvalidInput({"occurred_at": f"Höchstens {LATE_DAYS} Tage nachträglich erfassen."})
    office_id, sub_location_id, hour_id = _where(session, data, staff)
    contact = ConsultationContact(
        office_id=office_id,
        sub_location_id=sub_location_id,
        hour_id=hour_id,
        staff_id=staff.id,
        occurred_at=occurred_at,
        persons=data.persons,
        topics=list(dict.fromkeys(data.topics)),
        language=data.language,
        interpreter_used=data.interpreter_used,
        outcome=data.outcome,
        referred_to=(data.referred_to or "").strip() or None,
        note=(data.note or "").strip() or None,
    )
    if data.booking_id is not None:
        _kept(session, contact, data.booking_id, staff)
    elif data.case_id is not None:
        case = session.get(Case, data.case_id)
        if case is None or case.office_id != office_id or not staff_may_work_on(staff, office_id):
            raise InvalidInput({"case_id": "Fall nicht gefunden."})
        contact.case_id = case.id
    elif data.visitor is not None or data.visitor_id is not None:
        day = berlin(occurred_at).date()
        visitor = visitor_for(session, data.visitor, data.visitor_id, office_id, day)
        visitor.language = visitor.language or data.language  # spoken at the desk
        contact.visitor_id = visitor.id
    session.add(contact)
    session.flush()
    if contact.case_id is not None:
        place = f"Sprechstunde {schedule.place_name(session, office_id, sub_location_id)}"
        text = history.contact(contact.topics, contact.outcome, contact.referred_to, place)
        history.write(session, contact.case_id, "consultation_contact", staff.id, occurred_at, text)
    return contact


def _where(session: Session, data: ContactIn, staff: Staff) -> tuple[int, int | None, int | None]:
    """The office, sub-location and hour the contact belongs to."""
    if data.hour_id is not None:
        hour = session.get(ConsultationHour, data.hour_id)
        if hour is None or not staff_may_work_on(staff, hour.office_id):
            raise InvalidInput({"hour_id": "Sprechstunde nicht gefunden."})
        if data.sub_location_id not in (None, hour.sub_location_id):
            raise InvalidInput({"sub_location_id": "Die Sprechstunde ist an einem anderen Ort."})
        return hour.office_id, hour.sub_location_id, hour.id
    if data.booking_id is not None:
        booking, hour = get_booking(session, data.booking_id, staff)
        return hour.office_id, hour.sub_location_id, hour.id
    if staff.office_id is None or not staff_may_work_on(staff, staff.office_id):
        raise InvalidInput({"hour_id": "Bitte die Sprechstunde angeben."})
    try:
        _place(session, staff.office_id, data.sub_location_id)
    except NotFound:
        raise InvalidInput(
            {"sub_location_id": "Diese Außenstelle gehört nicht zum Büro."}
        ) from None
    return staff.office_id, data.sub_location_id, None


def _kept(session: Session, contact: ConsultationContact, booking_id: int, staff: Staff) -> None:
    try:
        booking, hour = get_booking(session, booking_id, staff)
    except BookingNotFound:
        raise InvalidInput({"booking_id": "Buchung nicht gefunden."}) from None
    if contact.hour_id != hour.id:
        raise InvalidInput({"booking_id": "Die Buchung gehört zu einer anderen Sprechstunde."})
    if booking.status not in (BookingStatus.BOOKED, BookingStatus.NO_SHOW):
        raise InvalidInput({"booking_id": "Diese Buchung ist nicht mehr offen."})
    booking.status = BookingStatus.CAME
    contact.booking_id, contact.walk_in = booking.id, False
    contact.case_id, contact.visitor_id = booking.case_id, booking.visitor_id
    contact.language = contact.language or booking.language
    if booking.appointment_id is not None:
        appointment = session.get(Appointment, booking.appointment_id)
        if appointment is not None and appointment.status != AppointmentStatus.CANCELLED:
            appointment.status = AppointmentStatus.DONE
            session.add(appointment)
    if booking.visitor_id is not None:
        visitor = session.get(Visitor, booking.visitor_id)
        if visitor is not None:
            day = berlin(contact.occurred_at).date()
            visitor.last_seen_on = max(visitor.last_seen_on or day, day)
            session.add(visitor)
    session.add(booking)
