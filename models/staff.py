"""Staff of the offices: caseworkers, supervisors and administrators."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.enums import Employer, Role
from models.fields import enum_field, json_list_field, utc_field

# How the audit trail treats a column (workflows.audit.changes).
SECRET = {"info": {"audit": "secret"}}
BOOKKEEPING = {"info": {"audit": "skip"}}


class Staff(SQLModel, table=True):
    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    email: str = Field(max_length=200, unique=True)
    role: Role = enum_field()
    employer: Employer = enum_field()
    employer_name: str = Field(max_length=120)  # "Stadt Dortmund, Sozialamt" or the association
    # None: works across offices (the head of the social welfare office, administrators).
    office_id: int | None = Field(default=None, foreign_key="offices.id", index=True)
    languages: list[str] = json_list_field()
    # The audit trail records that it changed, never its value (workflows.audit).
    password_hash: str | None = Field(default=None, max_length=255, sa_column_kwargs=SECRET)
    active: bool = True
    # Sign-in bookkeeping, not administration: left out of the audit trail.
    failed_logins: int = Field(default=0, sa_column_kwargs=BOOKKEEPING)
    locked_until: datetime | None = utc_field(nullable=True, info=BOOKKEEPING["info"])
    last_login_at: datetime | None = utc_field(nullable=True, info=BOOKKEEPING["info"])


class ApiToken(SQLModel, table=True):
    """A bearer token for the JSON API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    name: str = Field(max_length=120)
    token_hash: str = Field(max_length=64, unique=True, sa_column_kwargs=SECRET)
    created_at: datetime = utc_field(default_now=True)
    last_used_at: datetime | None = utc_field(nullable=True, info=BOOKKEEPING["info"])
    revoked_at: datetime | None = utc_field(nullable=True)


class CalendarFeed(SQLModel, table=True):
    """A staff member's private calendar address (``/kalender/<token>.ics``) for a calendar
    program to subscribe to; only the token's SHA-256 is stored, and a new one revokes the old."""

    __tablename__ = "calendar_feeds"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id", index=True)
    token_hash: str = Field(max_length=64, unique=True, sa_column_kwargs=SECRET)
    created_at: datetime = utc_field(default_now=True)
    revoked_at: datetime | None = utc_field(nullable=True)
