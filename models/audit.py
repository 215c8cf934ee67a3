"""The audit trail: administrative changes and who opened which case. Rows are only inserted
(and removed by their own retention job, ``workflows.audit.retention``)."""

from datetime import datetime
from typing import Any

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.fields import json_dict_field, utc_field
from models.personal import not_personal


class AuditEntry(SQLModel, table=True):
    """One administrative change: who changed what, when, each field before and after (secrets
    only as "changed", never their values)."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_office_at", "office_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(default_now=True, index=True)
    actor_id: int | None = Field(default=None, foreign_key="staff.id")  # None: the command line
    # The office the changed thing belongs to (its supervisors see the entry); None: city-wide.
    office_id: int | None = Field(default=None, foreign_key="offices.id")
    action: str = Field(max_length=20)  # created, changed, deleted
    target: str = Field(max_length=40)  # the table: staff, offices, partners, …
    target_id: int
    target_name: str | None = Field(default=None, max_length=200)  # its name at the time
    changes: dict[str, Any] = json_dict_field()  # field -> [before, after]


class CaseRead(SQLModel, table=True):
    """Someone opened a case: its page, its history, its household, a preview, a letter, the API
    detail or an export."""

    __tablename__ = "case_reads"
    __table_args__ = (Index("ix_case_reads_case_at", "case_id", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = utc_field(default_now=True, index=True)
    staff_id: int = Field(foreign_key="staff.id")
    case_id: int = Field(foreign_key="cases.id")
    what: str = Field(max_length=20, sa_column_kwargs=not_personal())  # page, api, preview, …
