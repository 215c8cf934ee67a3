"""Integration obstacles ("Integrationshemmnisse"): the recurring barriers an office names in
its own list (no Kita place in the district, no place in an intake class, an energy supplier
refusing a contract without a SCHUFA record, …), each tied to an area of life, and the cases
(or one step of a case) they hold up, from when they were noted until they were overcome.

The figures count cases per district and obstacle, never names; a note on a case is personal
and goes with the case's other personal data.
"""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.enums import ContactTopic
from models.fields import enum_field, utc_field
from models.personal import Erase, not_personal, personal


class ObstacleKind(SQLModel, table=True):
    """One entry of an office's list of obstacles."""

    __tablename__ = "obstacle_kinds"
    __table_args__ = (UniqueConstraint("office_id", "code"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    code: str = Field(max_length=40, sa_column_kwargs=not_personal())  # e.g. "kita-kein-platz"
    label: str = Field(max_length=120, sa_column_kwargs=not_personal())
    area: ContactTopic = enum_field()  # the area of life it belongs to (Kita, Schule, …)
    active: bool = True  # an entry no longer offered keeps its history
    created_at: datetime = utc_field(default_now=True)


class CaseObstacle(SQLModel, table=True):
    """An obstacle holding up a case (or one of its steps) since ``noted_at``."""

    __tablename__ = "case_obstacles"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind_id: int = Field(foreign_key="obstacle_kinds.id", index=True)
    step_kind: str | None = Field(default=None, max_length=40, sa_column_kwargs=not_personal())
    note: str | None = Field(default=None, max_length=500, sa_column_kwargs=personal(Erase.NULL))
    noted_at: datetime = utc_field()
    noted_by_id: int | None = Field(default=None, foreign_key="staff.id")
    resolved_at: datetime | None = utc_field(nullable=True)
    resolved_by_id: int | None = Field(default=None, foreign_key="staff.id")
    resolution: str | None = Field(
        default=None, max_length=500, sa_column_kwargs=personal(Erase.NULL)
    )
