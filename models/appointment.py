"""Appointments: welcome and follow-up home visits, consultation-hour appointments."""

from datetime import datetime
from uuid import uuid4

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.enums import AppointmentKind, AppointmentStatus
from models.fields import enum_field, utc_field
from models.personal import Erase, not_personal, personal


class Appointment(SQLModel, table=True):
    __tablename__ = "appointments"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: AppointmentKind = enum_field()
    starts_at: datetime = utc_field()
    duration_minutes: int = 60
    # The household's address, or an office or sub-location.
    location: str = Field(max_length=200, sa_column_kwargs=personal(Erase.MARK))
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    status: AppointmentStatus = enum_field(AppointmentStatus.SCHEDULED)
    # For calendar invitations: the same UID across reschedules, the sequence counts changes.
    uid: str = Field(
        default_factory=lambda: f"{uuid4()}@lokal-willkommen",
        max_length=80,
        sa_column_kwargs=not_personal(),
    )
    sequence: int = 0


class AppointmentAnswer(SQLModel, table=True):
    """The household's answer link for one version of an appointment (its ``sequence``): a
    random token in the messages, and the answer given through it, once."""

    __tablename__ = "appointment_answers"
    __table_args__ = (UniqueConstraint("appointment_id", "sequence"),)

    id: int | None = Field(default=None, primary_key=True)
    appointment_id: int = Field(foreign_key="appointments.id")
    sequence: int  # the appointment's version the link was made for
    token: str = Field(
        max_length=32, unique=True, index=True, sa_column_kwargs=not_personal(secret=True)
    )
    created_at: datetime = utc_field(default_now=True)
    answered_at: datetime | None = utc_field(nullable=True)
    answer: str | None = Field(
        default=None, max_length=20, sa_column_kwargs=not_personal()
    )  # "confirmed", …
    # When another date would suit: the household's own words.
    note: str | None = Field(default=None, max_length=500, sa_column_kwargs=personal(Erase.NULL))
