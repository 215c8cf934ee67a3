"""Round tables ("Runde Tische"): meetings per district with the district council, refugee-aid
groups, welfare associations, schools and Kitas, where the local implementation is agreed —
their guests, agenda and minutes, and the decisions and action items (with an owner and a
due date) that the next meeting follows up.

Minutes, decisions and actions are about the district's work, never about a household: the
forms say so, and nothing here links to a case.
"""

from datetime import date, datetime
from uuid import uuid4

from sqlmodel import Field, SQLModel

from models.enums import District
from models.fields import enum_field, json_list_field, utc_field
from models.personal import Erase, not_personal, personal


class RoundTable(SQLModel, table=True):
    __tablename__ = "round_tables"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    district: District = enum_field()
    title: str = Field(max_length=200, sa_column_kwargs=not_personal())
    starts_at: datetime = utc_field()
    duration_minutes: int = 120
    place: str = Field(max_length=200, sa_column_kwargs=not_personal())
    agenda: list[str] = json_list_field()
    minutes: str | None = Field(default=None, max_length=8000, sa_column_kwargs=not_personal())
    status: str = Field(default="planned", max_length=20, sa_column_kwargs=not_personal())
    # For calendar invitations: one UID for the meeting, the sequence counts its changes.
    uid: str = Field(
        default_factory=lambda: f"{uuid4()}@lokal-willkommen",
        max_length=80,
        sa_column_kwargs=not_personal(),
    )
    sequence: int = 0
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = utc_field(default_now=True)


class RoundTableGuest(SQLModel, table=True):
    """Someone invited: a colleague, a partner's contact person, or a guest by name and email
    (a member of the district council, a school's head)."""

    __tablename__ = "round_table_guests"

    id: int | None = Field(default=None, primary_key=True)
    round_table_id: int = Field(foreign_key="round_tables.id", index=True)
    staff_id: int | None = Field(default=None, foreign_key="staff.id")
    contact_id: int | None = Field(default=None, foreign_key="partner_contacts.id")
    name: str | None = Field(default=None, max_length=120, sa_column_kwargs=personal(Erase.NULL))
    email: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Erase.NULL))
    organisation: str | None = Field(default=None, max_length=160, sa_column_kwargs=not_personal())
    invited_sequence: int | None = None  # the meeting's sequence last sent to them
    invited_at: datetime | None = utc_field(nullable=True)


class RoundTableItem(SQLModel, table=True):
    """A decision, or an action item with an owner (a colleague or a partner's contact person)
    and a due date; an overdue action's owner is reminded once. An action's ``state`` follows
    the round-table action workflow (``workflows.roundtables.actions``): open, done, dropped."""

    __tablename__ = "round_table_items"

    id: int | None = Field(default=None, primary_key=True)
    round_table_id: int = Field(foreign_key="round_tables.id", index=True)
    kind: str = Field(max_length=20, sa_column_kwargs=not_personal())  # decision, action
    text: str = Field(max_length=500, sa_column_kwargs=not_personal())
    owner_staff_id: int | None = Field(default=None, foreign_key="staff.id")
    owner_contact_id: int | None = Field(default=None, foreign_key="partner_contacts.id")
    due_on: date | None = None
    # An action's state and the version of its workflow; a decision stays "open" (it has none).
    state: str = Field(default="open", max_length=20, index=True, sa_column_kwargs=not_personal())
    workflow_version: int = 1
    done_at: datetime | None = utc_field(nullable=True)
    reminder_claimed_at: datetime | None = utc_field(nullable=True)
    reminded_at: datetime | None = utc_field(nullable=True)
    created_at: datetime = utc_field(default_now=True)


class RoundTableItemEvent(SQLModel, table=True):
    """One change of an action's state: who, when, from where to where, and why."""

    __tablename__ = "round_table_item_events"

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="round_table_items.id", index=True)
    trigger: str = Field(max_length=40, sa_column_kwargs=not_personal())
    from_state: str = Field(max_length=20, sa_column_kwargs=not_personal())
    to_state: str = Field(max_length=20, sa_column_kwargs=not_personal())
    # Why it was dropped, reopened or postponed: about the district's work, never a household.
    note: str | None = Field(default=None, max_length=500, sa_column_kwargs=not_personal())
    due_on: date | None = None  # the new date of a postponed action
    actor_id: int | None = Field(default=None, foreign_key="staff.id")
    at: datetime = utc_field(default_now=True)
