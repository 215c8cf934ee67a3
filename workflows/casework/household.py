"""Household edits: the address, contact, languages and members change as the family's life does.

Every edit is one change of the case (``workflows.engine.changes.changing``): the case is
locked and its version checked, one history entry says who changed what (field names, not the
values: the values live in the household's rows), and afterwards the steps are looked at again
(``eligibility.look_again``): a step that now applies opens or is offered, one that no longer
applies is flagged. Deadlines that follow from the household's data move with it (registration
from the move-in date, the birth's registration from the expected date). Reminders read the
address and language when they are sent, so the next one goes to the new address.
"""

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, StrictBool, ValidationError, field_validator
from sqlmodel import Session, col, select

from core import validation
from models import Appointment, Household, HouseholdMember, Office, SubLocation
from models.enums import AppointmentKind, AppointmentStatus, District
from workflows.casework import eligibility
from workflows.casework.fields import (
    Channels,
    Day,
    Email,
    Id,
    Languages,
    Name,
    Phone,
    PostalCode,
    Street,
    default_channels,
    plausible_birth_date,
    plausible_expected_birth,
    plausible_move_in,
)
from workflows.casework.intake import MemberIn
from workflows.engine.changes import Change, changing
from workflows.engine.errors import InvalidInput, NotFound
from workflows.move_in.effects import MoveDue
from workflows.move_in.states import OPEN_STEP_STATES, StepKind
from workflows.move_in.steps import step_due

EDIT_TRIGGER = "edit_household"
ADD_MEMBER_TRIGGER = "add_member"
EDIT_MEMBER_TRIGGER = "edit_member"
REMOVE_MEMBER_TRIGGER = "remove_member"

FIELD_LABELS = {
    "family_name": "Familienname",
    "street": "Straße",
    "postal_code": "Postleitzahl",
    "district": "Stadtbezirk",
    "sub_location_id": "Standort",
    "moved_in_on": "Einzugsdatum",
    "languages": "Sprachen",
    "contact_channels": "Kontaktwege",
    "email": "E-Mail",
    "phone": "Telefon",
    "helper_name": "Vertrauensperson",
    "helper_phone": "Telefon der Vertrauensperson",
    "helper_email": "E-Mail der Vertrauensperson",
    "expected_birth_on": "Geburtstermin",
}
MEMBER_LABELS = {
    "given_name": "Vorname",
    "family_name": "Familienname",
    "birth_date": "Geburtsdatum",
    "in_school": "Schule",
    "in_childcare": "Betreuungsplatz",
    "able_to_work": "erwerbsfähig",
    "is_contact": "Ansprechperson",
}
_ADDRESS = {"street", "postal_code"}


class HouseholdEdit(BaseModel):
    """What to change; fields left out stay as they are, ``null`` empties an optional one."""

    model_config = ConfigDict(extra="forbid")

    family_name: Name | None = None
    street: Street | None = None
    postal_code: PostalCode | None = None
    district: District | None = None
    sub_location_id: Id | None = None
    moved_in_on: Day | None = None
    languages: Languages | None = None
    contact_channels: Channels | None = None
    email: Email | None = None
    phone: Phone | None = None
    helper_name: Name | None = None
    helper_phone: Phone | None = None
    helper_email: Email | None = None
    expected_birth_on: Day | None = None

    @field_validator("moved_in_on")
    @classmethod
    def _move_in(cls, value: date | None) -> date | None:
        return None if value is None else plausible_move_in(value)

    @field_validator("expected_birth_on")
    @classmethod
    def _birth(cls, value: date | None) -> date | None:
        return plausible_expected_birth(value)


_REQUIRED = ("family_name", "street", "postal_code", "district", "moved_in_on", "languages")


class MemberEdit(BaseModel):
    """What to change of one member; fields left out stay as they are."""

    model_config = ConfigDict(extra="forbid")

    given_name: Name | None = None
    family_name: Name | None = None
    birth_date: Day | None = None
    in_school: StrictBool | None = None
    in_childcare: StrictBool | None = None
    able_to_work: StrictBool | None = None
    is_contact: StrictBool | None = None

    @field_validator("birth_date")
    @classmethod
    def _born(cls, value: date | None) -> date | None:
        return None if value is None else plausible_birth_date(value)


class MemberNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Haushaltsmitglied nicht gefunden.")


def parse(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """Validate raw input; every problem at its field, in German where the rule is ours."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(validation.by_field(exc.errors())) from None


def edit_household(
    session: Session,
    case_id: int,
    edit: HouseholdEdit,
    *,
    actor_id: int | None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> eligibility.Found:
    """Change the household's data; returns what the look at the steps found afterwards."""
    given = {name: getattr(edit, name) for name in edit.model_fields_set}
    for name in _REQUIRED:
        if name in given and given[name] is None:
            raise InvalidInput({name: "Bitte angeben; dieses Feld kann nicht leer sein."})
    with changing(
        session, case_id, actor_id=actor_id, expected_version=expected_version, now=now
    ) as change:
        household = change.facts.household
        _check_place(session, change, household, given)
        if given.get("contact_channels") == []:  # none chosen: the order the details allow
            email = given.get("email", household.email)
            phone = given.get("phone", household.phone)
            given["contact_channels"] = default_channels(email, phone)
        changed = [name for name, value in given.items() if getattr(household, name) != value]
        if not changed:
            return eligibility.Found([], [], [])
        for name in changed:
            setattr(household, name, given[name])
        labels = ", ".join(FIELD_LABELS[name] for name in FIELD_LABELS if name in changed)
        change.record(EDIT_TRIGGER, f"Geändert: {labels}")
        if _ADDRESS & set(changed):
            _move_home_visits(session, change, household)
        _move_deadlines(change, changed)
        found = eligibility.look_again(change, why="Haushalt geändert")
    return found


def _check_place(
    session: Session, change: Change, household: Household, given: dict[str, Any]
) -> None:
    """The district must stay with the case's office (a move elsewhere is a handover)."""
    district = given.get("district")
    if district is not None and district != household.district:
        office = session.get(Office, change.case.office_id)
        if office is None or district not in office.districts:
            raise InvalidInput(
                {
                    "district": f"{district} gehört nicht zum Büro dieses Falls. Zieht der "
                    "Haushalt in einen anderen Bezirk, bitte den Fall an das Büro übergeben."
                }
            )
    place_id = given.get("sub_location_id")
    if place_id is not None:
        place = session.get(SubLocation, place_id)
        if place is None or place.office_id != change.case.office_id:
            raise InvalidInput({"sub_location_id": "Dieser Standort gehört nicht zum Büro."})


def _move_home_visits(session: Session, change: Change, household: Household) -> None:
    """Home visits still planned take place at the new address."""
    query = select(Appointment).where(
        Appointment.case_id == change.case.id,
        Appointment.status == AppointmentStatus.SCHEDULED,
        col(Appointment.kind).in_([AppointmentKind.WELCOME_VISIT, AppointmentKind.FOLLOW_UP_VISIT]),
    )
    for visit in session.exec(query):
        visit.location = f"{household.street}, {household.postal_code} {household.city}"


# Steps whose deadline follows from a field of the household.
_DUE_FROM = {"moved_in_on": StepKind.REGISTRATION, "expected_birth_on": StepKind.BIRTH}


def _move_deadlines(change: Change, changed: list[str]) -> None:
    facts = change.facts
    for name, kind in _DUE_FROM.items():
        step = facts.steps.get(kind)
        if name not in changed or step is None or step.state not in OPEN_STEP_STATES:
            continue
        due = step_due(kind, facts, at_intake=True)
        if due != step.due_at:
            change.apply(MoveDue(kind, due))


def members_of(session: Session, household_id: int) -> list[HouseholdMember]:
    """The household's members in the order they were recorded."""
    query = (
        select(HouseholdMember)
        .where(HouseholdMember.household_id == household_id)
        .order_by(col(HouseholdMember.id))
    )
    return list(session.exec(query))


def _member(session: Session, household_id: int, member_id: int) -> HouseholdMember:
    member = session.get(HouseholdMember, member_id)
    if member is None or member.household_id != household_id:
        raise MemberNotFound()
    return member


def add_member(
    session: Session,
    case_id: int,
    new: MemberIn,
    *,
    actor_id: int | None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> tuple[HouseholdMember, eligibility.Found]:
    """A newborn, or a family member who arrived later."""
    with changing(
        session, case_id, actor_id=actor_id, expected_version=expected_version, now=now
    ) as change:
        household_id = change.case.household_id
        count = select(HouseholdMember.id).where(HouseholdMember.household_id == household_id)
        if len(session.exec(count).all()) >= 20:
            raise InvalidInput({"members": "Höchstens 20 Personen je Haushalt."})
        member = HouseholdMember(household_id=household_id, **new.model_dump())
        session.add(member)
        session.flush()
        change.record(ADD_MEMBER_TRIGGER, "Person hinzugefügt")
        found = eligibility.look_again(change, why="Person hinzugefügt")
    return member, found


def edit_member(
    session: Session,
    case_id: int,
    member_id: int,
    edit: MemberEdit,
    *,
    actor_id: int | None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> eligibility.Found:
    """Correct a member's data or note what changed (a school place found)."""
    given = {name: getattr(edit, name) for name in edit.model_fields_set}
    for name, value in given.items():
        if value is None:
            raise InvalidInput({name: "Bitte angeben; dieses Feld kann nicht leer sein."})
    with changing(
        session, case_id, actor_id=actor_id, expected_version=expected_version, now=now
    ) as change:
        member = _member(session, change.case.household_id, member_id)
        changed = [name for name, value in given.items() if getattr(member, name) != value]
        if not changed:
            return eligibility.Found([], [], [])
        for name in changed:
            setattr(member, name, given[name])
        labels = ", ".join(MEMBER_LABELS[name] for name in MEMBER_LABELS if name in changed)
        change.record(EDIT_MEMBER_TRIGGER, f"Person geändert: {labels}")
        found = eligibility.look_again(change, why="Person geändert")
    return found


def remove_member(
    session: Session,
    case_id: int,
    member_id: int,
    *,
    reason: str,
    actor_id: int | None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> eligibility.Found:
    """Someone left the household (moved out): with a reason; the last member stays."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput({"note": "Bitte einen Grund angeben (z. B. ausgezogen)."})
    if len(reason) > 500:
        raise InvalidInput({"note": "Höchstens 500 Zeichen."})
    with changing(
        session, case_id, actor_id=actor_id, expected_version=expected_version, now=now
    ) as change:
        household_id = change.case.household_id
        member = _member(session, household_id, member_id)
        others = select(HouseholdMember.id).where(
            HouseholdMember.household_id == household_id, HouseholdMember.id != member_id
        )
        if session.exec(others).first() is None:
            raise InvalidInput({"members": "Die letzte Person eines Haushalts bleibt."})
        session.delete(member)
        session.flush()
        change.record(REMOVE_MEMBER_TRIGGER, f"Person ausgetragen: {reason}")
        found = eligibility.look_again(change, why="Person ausgetragen")
    return found
