"""A round table: planned for a district the office serves, changed (a new time or place is
a new version its guests are invited to again), called off, and held with its minutes.
Its guests are colleagues, partners' contact persons or people named with their email."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, col, select

from core import limits
from core.clock import berlin, utc_now
from models import Office, Partner, PartnerContact, RoundTable, RoundTableGuest, Staff
from models.enums import District, Role
from workflows.casework.fields import Email, Id, Name
from workflows.engine.access import staff_may_work_on
from workflows.engine.errors import InvalidInput, NotFound
from workflows.obstacles import figures as obstacle_figures
from workflows.obstacles.kinds import Label

Line = Annotated[str, Field(min_length=2, max_length=200, pattern=limits.LINE_PATTERN)]
Minutes = Annotated[str, Field(max_length=8000, pattern=limits.TEXT_PATTERN)]
PLANNED, HELD, CANCELLED = "planned", "held", "cancelled"
STATUS_LABELS = {PLANNED: "geplant", HELD: "stattgefunden", CANCELLED: "abgesagt"}
# How far back the agenda's obstacle figures look when there was no meeting before.
FIRST_LOOK_BACK = timedelta(days=180)


class MeetingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    district: District
    title: Line
    starts_at: AwareDatetime
    duration_minutes: int = Field(default=120, ge=15, le=600)
    place: Line
    agenda: list[Line] = Field(default_factory=list, max_length=30)


class MinutesIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes: Minutes = Field(description="What was discussed; no household is named.")


class GuestIn(BaseModel):
    """A colleague, a partner's contact person, or a person by name and email: one of them."""

    model_config = ConfigDict(extra="forbid")

    staff_id: Id | None = None
    contact_id: Id | None = None
    name: Name | None = None
    email: Email | None = None
    organisation: Label | None = None

    @model_validator(mode="after")
    def _one(self) -> "GuestIn":
        named = self.name is not None or self.email is not None
        if sum(x for x in (self.staff_id is not None, self.contact_id is not None, named)) != 1:
            raise ValueError(
                "Bitte eine Kollegin, eine Ansprechperson oder Name und E-Mail angeben."
            )
        if named and (self.name is None or self.email is None):
            raise ValueError("Bitte Name und E-Mail-Adresse angeben.")
        return self


class MeetingNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Runder Tisch nicht gefunden.")


@dataclass(frozen=True)
class Guest:
    guest: RoundTableGuest
    name: str
    email: str | None
    organisation: str | None


def get(session: Session, staff: Staff, meeting_id: int, *, for_update: bool = False) -> RoundTable:
    """The meeting, if ``staff`` works in its office."""
    query = select(RoundTable).where(RoundTable.id == meeting_id)
    if for_update:
        query = query.with_for_update().execution_options(populate_existing=True)
    meeting = session.exec(query).first()
    if meeting is None or not staff_may_work_on(staff, meeting.office_id):
        raise MeetingNotFound
    return meeting


def of_office(session: Session, office_id: int) -> list[RoundTable]:
    query = select(RoundTable).where(RoundTable.office_id == office_id)
    return list(session.exec(query.order_by(col(RoundTable.starts_at).desc())))


def _district(session: Session, office_id: int, district: str) -> None:
    office = session.get(Office, office_id)
    if office is None or district not in office.districts:
        served = ", ".join(office.districts) if office else ""
        raise InvalidInput({"district": f"Das Büro ist für diese Stadtbezirke da: {served}."})


def plan(session: Session, office_id: int, data: MeetingIn, *, actor_id: int | None) -> RoundTable:
    _district(session, office_id, data.district)
    if data.starts_at <= utc_now():
        raise InvalidInput({"starts_at": "Ein Runder Tisch wird für die Zukunft geplant."})
    meeting = RoundTable(
        office_id=office_id, district=data.district, title=data.title, starts_at=data.starts_at,
        duration_minutes=data.duration_minutes, place=data.place, agenda=list(data.agenda),
        created_by_id=actor_id,
    )  # fmt: skip
    session.add(meeting)
    session.flush()
    return meeting


def change(session: Session, meeting: RoundTable, data: MeetingIn) -> bool:
    """Change the meeting; whether its guests must hear of it (a new time or place)."""
    if meeting.status != PLANNED:
        raise InvalidInput({"starts_at": "Nur ein geplanter Runder Tisch wird geändert."})
    _district(session, meeting.office_id, data.district)
    moved = (data.starts_at, data.duration_minutes, data.place) != (
        meeting.starts_at, meeting.duration_minutes, meeting.place,
    )  # fmt: skip
    if moved and data.starts_at <= utc_now():
        raise InvalidInput({"starts_at": "Ein Runder Tisch wird für die Zukunft geplant."})
    meeting.district, meeting.title, meeting.starts_at = data.district, data.title, data.starts_at
    meeting.duration_minutes, meeting.place, meeting.agenda = (
        data.duration_minutes, data.place, list(data.agenda),
    )  # fmt: skip
    if moved:
        meeting.sequence += 1
    session.add(meeting)
    session.flush()
    return moved


def cancel(session: Session, meeting: RoundTable) -> None:
    if meeting.status != PLANNED:
        raise InvalidInput({"status": "Nur ein geplanter Runder Tisch wird abgesagt."})
    meeting.status = CANCELLED
    meeting.sequence += 1
    session.add(meeting)
    session.flush()


def record_minutes(session: Session, meeting: RoundTable, data: MinutesIn) -> None:
    if meeting.status == CANCELLED:
        raise InvalidInput({"minutes": "Der Runde Tisch wurde abgesagt."})
    if meeting.starts_at > utc_now():
        raise InvalidInput(
            {"minutes": "Das Protokoll folgt, wenn der Runde Tisch stattgefunden hat."}
        )
    meeting.minutes, meeting.status = data.minutes.strip() or None, HELD
    session.add(meeting)
    session.flush()


def add_guest(session: Session, meeting: RoundTable, data: GuestIn) -> RoundTableGuest:
    if meeting.status != PLANNED:
        raise InvalidInput({"name": "Nur zu einem geplanten Runden Tisch wird eingeladen."})
    existing = guests(session, meeting.id)  # type: ignore[arg-type]
    if data.staff_id is not None:
        person = session.get(Staff, data.staff_id)
        if person is None or not person.active or person.role == Role.ADMIN:
            raise InvalidInput({"staff_id": "Diese Kollegin oder diesen Kollegen gibt es nicht."})
        if any(g.guest.staff_id == person.id for g in existing):
            raise InvalidInput({"staff_id": f"{person.name} ist schon eingeladen."})
    if data.contact_id is not None:
        contact = session.get(PartnerContact, data.contact_id)
        if contact is None or contact.email is None:
            raise InvalidInput(
                {"contact_id": "Nur Ansprechpersonen mit E-Mail-Adresse werden eingeladen."}
            )
        if any(g.guest.contact_id == contact.id for g in existing):
            raise InvalidInput({"contact_id": f"{contact.name} ist schon eingeladen."})
    if data.email is not None and any(
        (g.email or "").lower() == data.email.lower() for g in existing
    ):
        raise InvalidInput({"email": "Diese E-Mail-Adresse ist schon eingeladen."})
    guest = RoundTableGuest(round_table_id=meeting.id, **data.model_dump())  # type: ignore[arg-type]
    session.add(guest)
    session.flush()
    return guest


def remove_guest(session: Session, meeting: RoundTable, guest_id: int) -> None:
    guest = session.get(RoundTableGuest, guest_id)
    if guest is None or guest.round_table_id != meeting.id:
        raise NotFound("Gast nicht gefunden.")
    session.delete(guest)
    session.flush()


def guests(session: Session, meeting_id: int) -> list[Guest]:
    """The guests with the name and address their invitation goes to."""
    rows = session.exec(
        select(RoundTableGuest)
        .where(RoundTableGuest.round_table_id == meeting_id)
        .order_by(col(RoundTableGuest.id))
    ).all()
    found = []
    for row in rows:
        if row.staff_id is not None:
            person = session.get(Staff, row.staff_id)
            found.append(
                Guest(
                    row,
                    person.name if person else "?",
                    person.email if person else None,
                    "lokal willkommen",
                )
            )
        elif row.contact_id is not None:
            contact = session.get(PartnerContact, row.contact_id)
            partner = _partner_name(session, contact.partner_id) if contact else None
            found.append(
                Guest(
                    row,
                    contact.name if contact else "?",
                    contact.email if contact else None,
                    partner,
                )
            )
        else:
            found.append(Guest(row, row.name or "?", row.email, row.organisation))
    return found


def _partner_name(session: Session, partner_id: int) -> str | None:
    partner = session.get(Partner, partner_id)
    return partner.name if partner else None


def obstacle_agenda(session: Session, meeting: RoundTable) -> obstacle_figures.ObstacleFigures:
    """The district's obstacles since the meeting before (or half a year), for the agenda."""
    earlier = session.exec(
        select(RoundTable.starts_at)
        .where(
            RoundTable.office_id == meeting.office_id,
            RoundTable.district == meeting.district,
            RoundTable.status == HELD,
            col(RoundTable.starts_at) < meeting.starts_at,
        )
        .order_by(col(RoundTable.starts_at).desc())
    ).first()
    last = min(berlin(meeting.starts_at).date(), berlin(utc_now()).date())
    first: date = berlin(earlier).date() if earlier else last - FIRST_LOOK_BACK
    counted = obstacle_figures.count(session, [meeting.office_id], min(first, last), last)
    rows = [row for row in counted.rows if row.district == meeting.district]
    return obstacle_figures.ObstacleFigures(counted.first, counted.last, rows)


def starts_local(meeting: RoundTable) -> datetime:
    return berlin(meeting.starts_at)
