"""What happened at a home visit, and what was agreed there."""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from models.fields import utc_field
from models.personal import Erase, not_personal, personal


class VisitRecord(SQLModel, table=True):
    """The record of a held visit: when it really took place, who was there, what was said."""

    __tablename__ = "visit_records"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    appointment_id: int | None = Field(default=None, foreign_key="appointments.id", unique=True)
    held_at: datetime = utc_field()
    participants: str = Field(max_length=500, sa_column_kwargs=personal(Erase.MARK))
    interpreter_language: str | None = Field(
        default=None, max_length=3, sa_column_kwargs=not_personal()
    )
    interpreter_name: str | None = Field(
        default=None, max_length=120, sa_column_kwargs=personal(Erase.NULL)
    )
    topics: str = Field(sa_column_kwargs=personal(Erase.MARK))
    recorded_by_id: int | None = Field(default=None, foreign_key="staff.id")
    recorded_at: datetime = utc_field(default_now=True)


class Agreement(SQLModel, table=True):
    """A next step agreed at a visit: what, who does it, by when; the caseworker is reminded."""

    __tablename__ = "agreements"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    visit_record_id: int = Field(foreign_key="visit_records.id", index=True)
    what: str = Field(max_length=500, sa_column_kwargs=personal(Erase.MARK))
    owner: str = Field(
        max_length=120, sa_column_kwargs=personal(Erase.MARK)
    )  # "Familie", "Caritas", …
    due_on: date
    done_at: datetime | None = utc_field(nullable=True)
    done_by_id: int | None = Field(default=None, foreign_key="staff.id")
