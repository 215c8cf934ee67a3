"""The volunteers an office works with, and a volunteer suggested to a household.

A volunteer is listed only with their own consent to be contacted (the date they gave it);
the agreement date says whether the volunteer agreement is signed. One who leaves is set
inactive and their name, address and availability are erased at once: past suggestions keep
only that someone was suggested. A suggestion needs the household's consent to pass on its
contact and lands on the case's history (the case's version stays)."""

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlmodel import Session, col, select

from core import limits
from core.clock import berlin, utc_now
from models import Case, CaseEvent, Staff, Volunteer, VolunteerSuggestion
from models.enums import CONTACT_TOPIC_LABELS, ContactTopic, District
from workflows.casework.fields import Day, Email, Id, Language, Name, Phone
from workflows.engine.access import staff_may_work_on
from workflows.engine.errors import InvalidInput, NotFound
from workflows.obstacles.tags import Note

Availability = Annotated[str, Field(max_length=200, pattern=limits.LINE_PATTERN)]
SUGGESTED = "volunteer_suggested"
ENDED = "volunteer_suggestion_ended"
TITLES = {SUGGESTED: "Ehrenamtliche Person vermittelt", ENDED: "Ehrenamtliche Begleitung beendet"}
LEFT_NAME = "(ausgeschieden)"


class VolunteerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    email: Email | None = None
    phone: Phone | None = None
    languages: list[Language] = Field(default_factory=list, max_length=12)
    helps_with: list[ContactTopic] = Field(min_length=1, max_length=len(ContactTopic))
    districts: list[District] = Field(default_factory=list, description="Empty: anywhere.")
    availability: Availability | None = Field(
        default=None, description="e.g. dienstags nachmittags"
    )
    contact_consent_on: Day = Field(description="When they agreed to be contacted.")
    agreement_on: Day | None = Field(default=None, description="The volunteer agreement.")


class SuggestionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    volunteer_id: Id
    area: ContactTopic
    household_consent: StrictBool = Field(
        description="The household agreed that its contact is passed on (required)."
    )
    note: Note | None = None


class VolunteerNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Ehrenamtliche Person nicht gefunden.")


@dataclass(frozen=True)
class Suggested:
    suggestion: VolunteerSuggestion
    volunteer: Volunteer

    @property
    def area_label(self) -> str:
        return CONTACT_TOPIC_LABELS.get(self.suggestion.area, self.suggestion.area)  # type: ignore[call-overload]


def of_office(session: Session, office_id: int, *, active_only: bool = True) -> list[Volunteer]:
    query = select(Volunteer).where(Volunteer.office_id == office_id)
    if active_only:
        query = query.where(col(Volunteer.active).is_(True))
    return list(session.exec(query.order_by(col(Volunteer.name))))


def get(session: Session, staff: Staff, volunteer_id: int) -> Volunteer:
    """The volunteer, if ``staff`` works in their office."""
    volunteer = session.get(Volunteer, volunteer_id)
    if volunteer is None or not staff_may_work_on(staff, volunteer.office_id):
        raise VolunteerNotFound
    return volunteer


def _check(data: VolunteerIn, today: date) -> None:
    if data.email is None and data.phone is None:
        raise InvalidInput({"email": "Bitte eine E-Mail-Adresse oder eine Telefonnummer angeben."})
    if data.contact_consent_on > today:
        raise InvalidInput(
            {"contact_consent_on": "Das Einverständnis kann nicht in der Zukunft liegen."}
        )
    if data.agreement_on is not None and data.agreement_on > today:
        raise InvalidInput({"agreement_on": "Die Vereinbarung kann nicht in der Zukunft liegen."})


def save(
    session: Session, office_id: int, data: VolunteerIn, volunteer: Volunteer | None = None
) -> Volunteer:
    _check(data, berlin(utc_now()).date())
    values = data.model_dump()
    values["languages"] = list(dict.fromkeys(data.languages))
    values["helps_with"] = [str(t) for t in dict.fromkeys(data.helps_with)]
    values["districts"] = [str(d) for d in dict.fromkeys(data.districts)]
    if volunteer is None:
        volunteer = Volunteer(office_id=office_id, **values)
    elif not volunteer.active:
        raise InvalidInput({"name": "Diese Person ist ausgeschieden."})
    else:
        volunteer.sqlmodel_update(values)
    session.add(volunteer)
    session.flush()
    return volunteer


def leave(session: Session, volunteer: Volunteer, now: datetime | None = None) -> None:
    """Set inactive and erase who they were; their suggestions end."""
    now = now or utc_now()
    volunteer.active, volunteer.left_at = False, now
    volunteer.name, volunteer.email, volunteer.phone, volunteer.availability = (
        LEFT_NAME,
        None,
        None,
        None,
    )
    session.add(volunteer)
    running = select(VolunteerSuggestion).where(
        VolunteerSuggestion.volunteer_id == volunteer.id,
        col(VolunteerSuggestion.ended_at).is_(None),
    )
    for suggestion in session.exec(running):
        suggestion.ended_at = now
        session.add(suggestion)
    session.flush()


def suggestions_of(session: Session, case_id: int) -> list[Suggested]:
    query = (
        select(VolunteerSuggestion, Volunteer)
        .join(Volunteer, col(Volunteer.id) == VolunteerSuggestion.volunteer_id)
        .where(VolunteerSuggestion.case_id == case_id)
        .order_by(col(VolunteerSuggestion.suggested_at).desc())
    )
    return [Suggested(s, v) for s, v in session.exec(query)]


def suggest(
    session: Session, case: Case, data: SuggestionIn, *, actor_id: int | None,
    now: datetime | None = None,
) -> VolunteerSuggestion:  # fmt: skip
    """Suggest a volunteer of the case's office to its household (with its consent)."""
    now = now or utc_now()
    if not data.household_consent:
        raise InvalidInput(
            {"household_consent": "Ohne Einverständnis des Haushalts wird niemand vermittelt."}
        )
    if case.closed_at is not None:
        raise InvalidInput({"volunteer_id": "Der Fall ist abgeschlossen."})
    volunteer = session.get(Volunteer, data.volunteer_id)
    if volunteer is None or volunteer.office_id != case.office_id or not volunteer.active:
        raise InvalidInput(
            {"volunteer_id": "Diese Person gehört nicht zu den Ehrenamtlichen des Büros."}
        )
    if data.area not in volunteer.helps_with:
        helps = ", ".join(CONTACT_TOPIC_LABELS.get(t, t) for t in volunteer.helps_with)  # type: ignore[call-overload]
        raise InvalidInput({"area": f"{volunteer.name} hilft bei: {helps}."})
    twice = select(VolunteerSuggestion.id).where(
        VolunteerSuggestion.case_id == case.id,
        VolunteerSuggestion.volunteer_id == volunteer.id,
        col(VolunteerSuggestion.ended_at).is_(None),
    )
    if session.exec(twice).first() is not None:
        raise InvalidInput({"volunteer_id": "Diese Person begleitet den Haushalt schon."})
    note = data.note.strip() if data.note and data.note.strip() else None
    suggestion = VolunteerSuggestion(
        case_id=case.id,  # type: ignore[arg-type]
        volunteer_id=volunteer.id,  # type: ignore[arg-type]
        area=str(data.area),
        household_consent_on=berlin(now).date(),
        note=note,
        suggested_at=now,
        suggested_by_id=actor_id,
    )
    session.add(suggestion)
    area = CONTACT_TOPIC_LABELS.get(data.area, data.area)
    # The number, not the name: the name is erased when the volunteer leaves, the history stays.
    text = (
        f"Ehrenamtliche Person Nr. {volunteer.id} ({area}); "
        f"Einverständnis des Haushalts am {berlin(now):%d.%m.%Y}"
    )
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor_id, trigger=SUGGESTED, note=text))  # type: ignore[arg-type]
    session.flush()
    return suggestion


def end(session: Session, case: Case, suggestion_id: int, *, actor_id: int | None,
        now: datetime | None = None) -> VolunteerSuggestion:  # fmt: skip
    now = now or utc_now()
    suggestion = session.get(VolunteerSuggestion, suggestion_id)
    if suggestion is None or suggestion.case_id != case.id:
        raise NotFound("Vermittlung nicht gefunden.")
    if suggestion.ended_at is not None:
        raise InvalidInput({"suggestion_id": "Diese Begleitung ist schon beendet."})
    suggestion.ended_at = now
    session.add(suggestion)
    text = f"Ehrenamtliche Person Nr. {suggestion.volunteer_id}"
    session.add(CaseEvent(case_id=case.id, at=now, actor_id=actor_id, trigger=ENDED, note=text))  # type: ignore[arg-type]
    session.flush()
    return suggestion
