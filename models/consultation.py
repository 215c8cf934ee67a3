"""Consultation hours (Sprechstunden): the weekly schedule, the dates it does not take place,
the bookings, and the contacts recorded at the desk.

Times of the schedule are local (Europe/Berlin) wall-clock times; a booking's ``starts_at`` is
the slot's moment in UTC, worked out for its date (``workflows.consultations.schedule``).
"""

from datetime import date, datetime, time

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.enums import BookingStatus, ContactOutcome
from models.fields import enum_field, json_list_field, utc_field
from models.personal import Erase, not_personal, personal


class ConsultationHour(SQLModel, table=True):
    """A weekly consultation hour in the office or at a sub-location, cut into bookable slots."""

    __tablename__ = "consultation_hours"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    sub_location_id: int | None = Field(default=None, foreign_key="sub_locations.id")
    weekday: int = Field(ge=0, le=6)  # Monday = 0
    starts: time
    ends: time
    languages: list[str] = json_list_field()  # offered by the staff on duty
    slot_minutes: int = 30
    capacity: int = 1  # households booked per slot; walk-ins come on top
    valid_from: date | None = None
    valid_to: date | None = None  # the last day it is held; None: until further notice


class ConsultationDuty(SQLModel, table=True):
    """Who is on duty at a consultation hour (each week it is held)."""

    __tablename__ = "consultation_duties"

    hour_id: int = Field(foreign_key="consultation_hours.id", primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", primary_key=True, index=True)


class ConsultationClosure(SQLModel, table=True):
    """A date on which a consultation hour is not held (a holiday, illness, a move)."""

    __tablename__ = "consultation_closures"
    __table_args__ = (UniqueConstraint("hour_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    hour_id: int = Field(foreign_key="consultation_hours.id", index=True)
    day: date
    reason: str = Field(max_length=200, sa_column_kwargs=not_personal())
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = utc_field(default_now=True)


class Visitor(SQLModel, table=True):
    """Someone who books by phone or comes to the desk without a case: a name or a pseudonym, a
    phone number to call them back, their language. Erased once they have not come for
    ``visitor_retention_days`` (the contacts stay, counted, without the person)."""

    __tablename__ = "visitors"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    name: str = Field(max_length=120, sa_column_kwargs=personal(Erase.MARK))
    phone: str | None = Field(default=None, max_length=40, sa_column_kwargs=personal(Erase.NULL))
    language: str | None = Field(default=None, max_length=10, sa_column_kwargs=not_personal())
    created_at: datetime = utc_field(default_now=True)
    last_seen_on: date | None = None
    erased_at: datetime | None = utc_field(nullable=True)


class ConsultationBooking(SQLModel, table=True):
    """A slot booked for a household with a case (its appointment carries the invitation) or
    for a visitor without one."""

    __tablename__ = "consultation_bookings"

    id: int | None = Field(default=None, primary_key=True)
    hour_id: int = Field(foreign_key="consultation_hours.id", index=True)
    starts_at: datetime = utc_field(index=True)
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    appointment_id: int | None = Field(default=None, foreign_key="appointments.id")
    visitor_id: int | None = Field(default=None, foreign_key="visitors.id", index=True)
    language: str | None = Field(default=None, max_length=10, sa_column_kwargs=not_personal())
    interpreter_needed: bool = False
    status: BookingStatus = enum_field(BookingStatus.BOOKED)
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = utc_field(default_now=True)
    # "Sprechstunde fällt aus: …", "abgesagt": the reason shown on the day sheet and the case.
    cancelled_reason: str | None = Field(
        default=None, max_length=200, sa_column_kwargs=not_personal()
    )


class ConsultationContact(SQLModel, table=True):
    """One visit to a consultation hour, as the desk recorded it: who (a case, a visitor, or
    nobody named), how many people came, the topics, the language, and what came of it."""

    __tablename__ = "consultation_contacts"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    sub_location_id: int | None = Field(default=None, foreign_key="sub_locations.id")
    hour_id: int | None = Field(default=None, foreign_key="consultation_hours.id")
    booking_id: int | None = Field(default=None, foreign_key="consultation_bookings.id")
    case_id: int | None = Field(default=None, foreign_key="cases.id", index=True)
    visitor_id: int | None = Field(default=None, foreign_key="visitors.id")
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    occurred_at: datetime = utc_field(index=True)
    walk_in: bool = True
    persons: int = 1
    topics: list[str] = json_list_field()  # models.enums.ContactTopic values
    language: str | None = Field(default=None, max_length=10, sa_column_kwargs=not_personal())
    interpreter_used: bool = False
    outcome: ContactOutcome = enum_field()
    # The service or partner the person was referred to (an organisation, not a person).
    referred_to: str | None = Field(
        default=None, max_length=200, sa_column_kwargs=personal(Erase.NULL)
    )
    note: str | None = Field(default=None, max_length=1000, sa_column_kwargs=personal(Erase.NULL))
