"""Cases, their steps and their append-only history."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, false, text
from sqlmodel import Field, SQLModel

from models.fields import utc_field
from models.personal import Erase, not_personal, personal


class Case(SQLModel, table=True):
    """One household's accompaniment; ``state`` is driven only by ``workflows.engine.advance``."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_office_state_due", "office_id", "state", "next_due_at"),
        # The work list of an office: its open cases by due date, page 1 an index walk.
        Index(
            "ix_cases_open_office_due",
            "office_id",
            "next_due_at",
            "id",
            sqlite_where=text("state <> 'closed'"),
            postgresql_where=text("state <> 'closed'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="households.id", index=True)
    office_id: int = Field(foreign_key="offices.id")
    assignee_id: int | None = Field(default=None, foreign_key="staff.id", index=True)
    workflow: str = Field(max_length=40, sa_column_kwargs=not_personal())
    workflow_version: int
    # The office's variant of the workflow the case was opened under (None: the base as is).
    variant_id: int | None = Field(default=None, foreign_key="workflow_variants.id")
    state: str = Field(max_length=40, sa_column_kwargs=not_personal())
    # Optimistic lock: every change bumps it; a write based on an older version is refused.
    version: int = 1
    # Due time of the current case-level milestone (welcome visit, follow-up visit), if any.
    milestone_due_at: datetime | None = utc_field(nullable=True)
    # The earliest due time among the milestone and the open steps: sorts the work lists.
    next_due_at: datetime | None = utc_field(nullable=True)
    opened_at: datetime = utc_field(default_now=True)
    updated_at: datetime = utc_field(default_now=True)
    closed_at: datetime | None = utc_field(nullable=True, index=True)
    # What made each step apply at the last look ("school:12": member 12 is of school age);
    # None until first derived. Compared with today's to tell the caseworker what changed.
    applies: list[str] | None = Field(
        default=None, sa_column=Column(JSON, nullable=True, info={"personal": None})
    )
    # A handover to another office (the household moved district), until that office accepts:
    # both offices see the case read-only meanwhile.
    transfer_to_office_id: int | None = Field(default=None, foreign_key="offices.id", index=True)
    transfer_requested_at: datetime | None = utc_field(nullable=True)
    transfer_requested_by_id: int | None = Field(default=None, foreign_key="staff.id")

    @property
    def number(self) -> str:
        """The case number people quote on the phone, e.g. ``LW-000042``."""
        return f"LW-{self.id:06d}"


class CaseStep(SQLModel, table=True):
    """A step that applies to the case (registration, energy, school, ...) and its own state."""

    __tablename__ = "case_steps"
    # The overdue lists read "open steps due before now": one range scan.
    __table_args__ = (
        UniqueConstraint("case_id", "kind"),
        Index("ix_case_steps_state_due", "state", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: str = Field(max_length=40, sa_column_kwargs=not_personal())
    state: str = Field(max_length=20, sa_column_kwargs=not_personal())
    due_at: datetime | None = utc_field(nullable=True)
    legal_deadline: bool = False
    opened_at: datetime = utc_field(default_now=True)
    closed_at: datetime | None = utc_field(nullable=True)
    waive_reason: str | None = Field(default=None, sa_column_kwargs=personal(Erase.NULL))
    # The day it was really done (the day at the Bürgeramt), which may be before the click.
    done_on: date | None = None
    # On a waiting list: until when (the caseworker's follow-up date), and why.
    hold_until: date | None = None
    hold_reason: str | None = Field(default=None, sa_column_kwargs=personal(Erase.NULL))


class CaseEvent(SQLModel, table=True):
    """One entry of a case's history. Rows are only ever inserted."""

    __tablename__ = "case_events"
    # The timeline reads a case's newest entries a page at a time: one index range, no sort.
    __table_args__ = (Index("ix_case_events_case_at", "case_id", "at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    at: datetime = utc_field(default_now=True)
    actor_id: int | None = Field(default=None, foreign_key="staff.id")  # None: the system
    trigger: str = Field(max_length=60, sa_column_kwargs=not_personal())
    step_kind: str | None = Field(default=None, max_length=40, sa_column_kwargs=not_personal())
    from_state: str | None = Field(default=None, max_length=40, sa_column_kwargs=not_personal())
    to_state: str | None = Field(default=None, max_length=40, sa_column_kwargs=not_personal())
    note: str | None = Field(default=None, sa_column_kwargs=personal(Erase.NULL))
    # A note on health, violence or the like: its author and the office's supervisors read it;
    # everyone else sees that it exists (workflows.casework.notes.may_read).
    confidential: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
