"""Decisions and action items of a round table. An action has an owner — a colleague or a
partner's contact person with an email address — and a due date; the next meeting of the
district sees what is still open; an overdue action's owner is reminded once.

The reminder is claimed before it is sent (``reminder_claimed_at``, one UPDATE that only one
worker wins) and marked sent after; a failed send gives the claim back so the next sweep
tries again. A claim older than ``CLAIM_TIMEOUT`` (the worker died while sending) is taken
again."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from email.message import EmailMessage
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from core import limits, mail
from core.clock import berlin, format_berlin, utc_now
from core.config import Settings
from models import PartnerContact, RoundTable, RoundTableItem, Staff
from workflows.casework.fields import Day, Id
from workflows.engine import records
from workflows.engine.errors import InvalidInput, NotFound
from workflows.roundtables.meetings import CANCELLED

Text = Annotated[str, Field(min_length=3, max_length=500, pattern=limits.LINE_PATTERN)]
DECISION, ACTION = "decision", "action"
ACTION_WORKFLOW = "round_table_action"  # workflows.roundtables.actions
CLAIM_TIMEOUT = timedelta(minutes=10)


class ItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: Literal["decision", "action"]
    text: Text
    owner_staff_id: Id | None = None
    owner_contact_id: Id | None = None
    due_on: Day | None = None

    @model_validator(mode="after")
    def _owned(self) -> "ItemIn":
        owners = [x for x in (self.owner_staff_id, self.owner_contact_id) if x is not None]
        if self.kind == ACTION and (len(owners) != 1 or self.due_on is None):
            raise ValueError(
                "Eine Aufgabe braucht genau eine verantwortliche Person und ein Datum."
            )
        if self.kind == DECISION and (owners or self.due_on is not None):
            raise ValueError("Ein Beschluss hat keine verantwortliche Person und kein Datum.")
        return self


@dataclass(frozen=True)
class Item:
    item: RoundTableItem
    owner: str | None
    meeting: RoundTable

    @property
    def overdue(self) -> bool:
        due = self.item.due_on
        open_ = self.item.kind == ACTION and self.item.state == "open"
        return due is not None and open_ and due < berlin(utc_now()).date()


class ItemNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Beschluss oder Aufgabe nicht gefunden.")


def add(session: Session, meeting: RoundTable, data: ItemIn) -> RoundTableItem:
    if meeting.status == CANCELLED:
        raise InvalidInput({"text": "Der Runde Tisch wurde abgesagt."})
    if data.owner_staff_id is not None:
        person = session.get(Staff, data.owner_staff_id)
        if person is None or not person.active or person.office_id != meeting.office_id:
            raise InvalidInput(
                {"owner_staff_id": "Bitte eine Kollegin oder einen Kollegen des Büros wählen."}
            )
    if data.owner_contact_id is not None:
        contact = session.get(PartnerContact, data.owner_contact_id)
        if contact is None or contact.email is None:
            raise InvalidInput(
                {"owner_contact_id": "Nur Ansprechpersonen mit E-Mail-Adresse übernehmen Aufgaben."}
            )
    # An action keeps the version of its workflow it was agreed under.
    version = records.latest(ACTION_WORKFLOW).version
    item = RoundTableItem(round_table_id=meeting.id, workflow_version=version, **data.model_dump())  # type: ignore[arg-type]
    session.add(item)
    session.flush()
    return item


def _owner(session: Session, item: RoundTableItem) -> tuple[str | None, str | None]:
    """(name, email) of the action's owner."""
    if item.owner_staff_id is not None:
        person = session.get(Staff, item.owner_staff_id)
        return (person.name, person.email) if person else (None, None)
    if item.owner_contact_id is not None:
        contact = session.get(PartnerContact, item.owner_contact_id)
        return (contact.name, contact.email) if contact else (None, None)
    return None, None


def _items(session: Session, query) -> list[Item]:  # type: ignore[no-untyped-def]
    found = []
    for item, meeting in session.exec(query):
        found.append(Item(item, _owner(session, item)[0], meeting))
    return found


def of_meeting(session: Session, meeting_id: int) -> list[Item]:
    query = (
        select(RoundTableItem, RoundTable)
        .join(RoundTable, col(RoundTable.id) == RoundTableItem.round_table_id)
        .where(RoundTableItem.round_table_id == meeting_id)
        .order_by(col(RoundTableItem.kind).desc(), col(RoundTableItem.id))
    )
    return _items(session, query)


def still_open(session: Session, meeting: RoundTable) -> list[Item]:
    """The district's actions from earlier meetings not done yet: what this meeting follows up."""
    query = (
        select(RoundTableItem, RoundTable)
        .join(RoundTable, col(RoundTable.id) == RoundTableItem.round_table_id)
        .where(
            RoundTable.office_id == meeting.office_id,
            RoundTable.district == meeting.district,
            RoundTable.id != meeting.id,
            col(RoundTable.starts_at) < meeting.starts_at,
            RoundTableItem.kind == ACTION,
            col(RoundTableItem.state) == "open",
        )
        .order_by(col(RoundTableItem.due_on), col(RoundTableItem.id))
    )
    return _items(session, query)


def overdue(session: Session, today: date, now: datetime) -> list[int]:
    """The actions past their date, not done, whose owner has not been reminded (or whose
    reminder's claim has lapsed)."""
    query = select(RoundTableItem.id).where(
        RoundTableItem.kind == ACTION,
        col(RoundTableItem.state) == "open",
        col(RoundTableItem.reminded_at).is_(None),
        col(RoundTableItem.due_on) < today,
        or_(
            col(RoundTableItem.reminder_claimed_at).is_(None),
            col(RoundTableItem.reminder_claimed_at) < now - CLAIM_TIMEOUT,
        ),
    )
    return [i for i in session.exec(query.order_by(col(RoundTableItem.id))) if i is not None]


def claim(session: Session, item_id: int, now: datetime) -> bool:
    """Take the reminder of this action; False if it is sent, no longer open, or another worker
    has it."""
    result = session.execute(
        update(RoundTableItem)
        .where(
            col(RoundTableItem.id) == item_id,
            col(RoundTableItem.state) == "open",
            col(RoundTableItem.reminded_at).is_(None),
            or_(
                col(RoundTableItem.reminder_claimed_at).is_(None),
                col(RoundTableItem.reminder_claimed_at) < now - CLAIM_TIMEOUT,
            ),
        )
        .values(reminder_claimed_at=now)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


def settle(session: Session, item_id: int, now: datetime, sent: bool) -> None:
    """After the send: mark it sent, or give the claim back for the next sweep."""
    values = {"reminded_at": now} if sent else {"reminder_claimed_at": None}
    session.execute(
        update(RoundTableItem).where(col(RoundTableItem.id) == item_id).values(**values)
    )


def reminder(session: Session, item_id: int, settings: Settings) -> EmailMessage | None:
    """The reminder to the action's owner, or None if there is nobody to write to."""
    item = session.get(RoundTableItem, item_id)
    meeting = session.get(RoundTable, item.round_table_id) if item else None
    if item is None or meeting is None:
        return None
    name, email = _owner(session, item)
    if email is None:
        return None
    link = f"{settings.public_base_url.rstrip('/')}/runde-tische/{meeting.id}"
    message = mail.new_message()
    message["From"] = settings.mail_from
    message["To"] = email
    message["Subject"] = f"Erinnerung: Aufgabe vom Runden Tisch {meeting.district}"
    due = item.due_on.strftime("%d.%m.%Y") if item.due_on else "–"
    lines = [
        f"Guten Tag {name},",
        "",
        f"beim Runden Tisch {meeting.district} am {format_berlin(meeting.starts_at)} "
        "haben Sie diese Aufgabe übernommen:",
        "",
        f"  {item.text}",
        f"  fällig am {due}",
        "",
        "Ist sie erledigt, vermerken Sie es bitte (oder sagen Sie dem Büro Bescheid):",
        f"  {link}",
        "",
        "lokal willkommen",
    ]
    message.set_content("\n".join(lines) + "\n")
    return message
