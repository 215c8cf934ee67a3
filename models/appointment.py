"""Appointments: welcome and follow-up home visits, consultation-hour appointments."""

from datetime import datetime
from uuid import uuid4

from sqlmodel import Field, SQLModel

from models.enums import AppointmentKind, AppointmentStatus
from models.fields import enum_field, utc_field


class Appointment(SQLModel, table=True):
    __tablename__ = "appointments"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: AppointmentKind = enum_field()
    starts_at: datetime = utc_field()
    duration_minutes: int = 60
    location: str = Field(max_length=200)  # the household's address or an office/sub-location
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    status: AppointmentStatus = enum_field(AppointmentStatus.SCHEDULED)
    # For calendar invitations: the same UID across reschedules, the sequence counts changes.
    uid: str = Field(default_factory=lambda: f"{uuid4()}@lokal-willkommen", max_length=80)
    sequence: int = 0
