"""Intake: a household that has just moved in becomes a case on the current workflow."""

from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field, StrictBool, ValidationError, field_validator, model_validator
from sqlmodel import Session, select

from core import limits
from core.clock import utc_now
from models import Case, Household, HouseholdMember, Office, Staff, SubLocation
from models.enums import Channel, District
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
from workflows.definitions import variants
from workflows.engine import Change, reminders
from workflows.engine.access import may_work_on
from workflows.engine.effects import Context
from workflows.engine.errors import InvalidInput
from workflows.move_in import CURRENT, end_of_day
from workflows.move_in.effects import SetMilestone
from workflows.move_in.states import CaseState, Milestone, StepKind


class MemberIn(BaseModel):
    given_name: Name
    family_name: Name
    birth_date: Day
    in_school: StrictBool = False
    in_childcare: StrictBool = False
    able_to_work: StrictBool = False
    is_contact: StrictBool = False

    @field_validator("birth_date")
    @classmethod
    def _not_in_future(cls, value: date) -> date:
        return plausible_birth_date(value)


class IntakeIn(BaseModel):
    """What staff record when a household has just moved in."""

    family_name: Name
    street: Street
    postal_code: PostalCode
    district: District
    moved_in_on: Day
    languages: Languages
    # Empty: the order the contact details allow (email, SMS, letter, call).
    contact_channels: Channels = Field(default_factory=list)
    email: Email | None = None
    phone: Phone | None = None
    helper_name: Name | None = None
    helper_phone: Phone | None = None
    helper_email: Email | None = None
    expected_birth_on: Day | None = None
    members: list[MemberIn] = Field(min_length=1, max_length=limits.MEMBERS)
    requested_steps: list[StepKind] = Field(default_factory=list)
    assignee_id: Id | None = None
    sub_location_id: Id | None = None

    @field_validator("moved_in_on")
    @classmethod
    def _plausible_move_in(cls, value: date) -> date:
        return plausible_move_in(value)

    @field_validator("expected_birth_on")
    @classmethod
    def _plausible_birth(cls, value: date | None) -> date | None:
        return plausible_expected_birth(value)

    @model_validator(mode="after")
    def _default_channels(self) -> "IntakeIn":
        if not self.contact_channels:
            self.contact_channels = [Channel(c) for c in default_channels(self.email, self.phone)]
        return self


def parse_intake(data: dict) -> IntakeIn:
    """Validate raw input; every problem is reported at its field, in German."""
    try:
        return IntakeIn.model_validate(data)
    except ValidationError as exc:
        errors = {
            ".".join(str(p) for p in err["loc"]) or "form": err["msg"] for err in exc.errors()
        }
        raise InvalidInput(errors) from None


def open_case(
    session: Session, intake: IntakeIn, *, actor_id: int | None, now: datetime | None = None
) -> Case:
    """Register the household and open its case; the steps that apply open with their due dates."""
    now = now or utc_now()
    offices = session.exec(select(Office)).all()
    serving = next((o for o in offices if intake.district in o.districts), None)
    if serving is None:
        raise InvalidInput(
            {"district": f"Kein Büro für den Bezirk {intake.district} eingerichtet."}
        )
    if not may_work_on(session, actor_id, serving.id):  # type: ignore[arg-type]
        raise InvalidInput(
            {
                "district": f"{intake.district} gehört zum Büro {serving.name}. "
                "Sie können nur Haushalte aus den Bezirken Ihres Büros aufnehmen."
            }
        )
    if intake.assignee_id is not None:
        assignee = session.get(Staff, intake.assignee_id)
        if assignee is None or assignee.office_id not in (None, serving.id):
            raise InvalidInput({"assignee_id": "Mitarbeitende:r gehört nicht zu diesem Büro."})
    if intake.sub_location_id is not None:
        place = session.get(SubLocation, intake.sub_location_id)
        if place is None or place.office_id != serving.id:
            raise InvalidInput({"sub_location_id": "Dieser Standort gehört nicht zu diesem Büro."})
    household = Household(
        office_id=serving.id,  # type: ignore[arg-type]
        created_at=now,
        **intake.model_dump(exclude={"members", "requested_steps", "assignee_id"}),
    )
    session.add(household)
    session.flush()
    for member in intake.members:
        session.add(HouseholdMember(household_id=household.id, **member.model_dump()))  # type: ignore[arg-type]
    variant = variants.current(session, serving.id, CURRENT.name)  # type: ignore[arg-type]
    case = Case(
        household_id=household.id,  # type: ignore[arg-type]
        office_id=serving.id,  # type: ignore[arg-type]
        assignee_id=intake.assignee_id if intake.assignee_id is not None else actor_id,
        workflow=CURRENT.name,
        workflow_version=CURRENT.version,
        # The office's variant as it stands today: the case keeps it (deadlines, reminders).
        variant_id=variant.id if variant is not None else None,
        state=CaseState.INTAKE,
        opened_at=now,
        updated_at=now,
    )
    session.add(case)
    session.flush()
    start(session, case, actor_id=actor_id, now=now, requested=intake.requested_steps)
    return case


def start(
    session: Session, case: Case, *, actor_id: int | None, now: datetime, requested: list[StepKind]
) -> None:
    """First history entry, the welcome-visit deadline, and every step that applies opened."""
    change = Change(session, case, actor_id=actor_id, now=now, note=None)
    change.writer.record("open_case", None, None, case.state, None)
    facts = change.facts
    steps = facts.workflow.steps
    refused = {
        kind: steps[kind].eligible(facts) if kind in steps else "Diesen Schritt gibt es nicht."
        for kind in requested
    }
    refused = {kind: reason for kind, reason in refused.items() if reason is not None}
    if refused:
        raise InvalidInput({f"requested_steps.{k}": str(r) for k, r in refused.items()})
    within = timedelta(days=facts.workflow.milestones[Milestone.WELCOME_VISIT].days)
    due = end_of_day(facts.household.moved_in_on + within)
    with reminders.queued_together(session):
        SetMilestone(Milestone.WELCOME_VISIT, due).apply(
            Context(session, case, facts, actor_id, now, facts.settings)
        )
        for kind, step in steps.items():
            if step.at_intake(facts) or kind in requested:
                change.fire(f"open_{kind}", at_intake=True)
        case.applies = sorted(eligibility.reasons(facts))  # the first look: tells nobody
        change.finish()
