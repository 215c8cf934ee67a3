"""What the JSON API accepts and answers (the OpenAPI document is generated from these)."""

from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, Field, StrictBool, field_validator

from core import limits
from workflows.casework.fields import Day


class Problem(BaseModel):
    """A refusal: ``detail`` says why in German."""

    detail: str = Field(examples=["Fall 42 nicht gefunden."])


class InvalidProblem(Problem):
    """Input refused; ``errors`` maps each field (dotted path) to what is wrong with it."""

    errors: dict[str, str] = Field(
        default_factory=dict,
        examples=[{"members.0.birth_date": "Geburtsdatum liegt in der Zukunft."}],
    )


class GuardProblem(Problem):
    """A trigger refused by one of its conditions: which one and why."""

    trigger: str = Field(examples=["refer_energy"])
    guard: str = Field(examples=["consent_given"])
    reason: str = Field(
        examples=["Einwilligung des Haushalts zur Weitergabe an 'Energieberatung' fehlt."]
    )


class OfficeRef(BaseModel):
    id: int
    name: str


class StaffRef(BaseModel):
    id: int
    name: str


class CaseCreated(BaseModel):
    """The case opened for a new household."""

    id: int
    number: str = Field(examples=["LW-000042"])
    state: str = Field(examples=["intake"])
    version: int
    office: OfficeRef
    open_steps: list[str] = Field(examples=[["registration", "energy", "school"]])


class CaseSummary(BaseModel):
    """One line of a work list."""

    id: int
    number: str
    family_name: str
    office: str
    state: str
    state_label: str
    assignee: str | None
    next_due_at: datetime | None
    overdue: bool
    open_steps: list[str]


class CaseList(BaseModel):
    items: list[CaseSummary]
    total: int
    page: int
    per_page: int
    pages: int


class HouseholdSummary(BaseModel):
    """What the case page shows of the household (no member details)."""

    family_name: str
    district: str
    postal_code: str
    moved_in_on: date
    languages: list[str]
    contact_channels: list[str]
    members: int
    sub_location: str | None


class StepState(BaseModel):
    """Where a step stands (what an advance answers; the case adds the rest: ``StepOut``)."""

    kind: str
    label: str
    state: str
    state_label: str
    due_at: datetime | None
    overdue: bool
    closed_at: datetime | None
    hold_until: date | None = Field(default=None, description="On a waiting list: follow-up.")


class StepOut(StepState):
    legal_deadline: bool
    opened_at: datetime
    waive_reason: str | None
    hold_reason: str | None = None
    no_longer_applies: str | None = Field(
        default=None,
        description="Open, but no longer applies to the household (why): close it with a reason.",
    )


class NoticeOut(BaseModel):
    """Something for the caseworker to look at (a step opened because a child turned 6)."""

    id: int
    text: str
    created_at: datetime


class TriggerOut(BaseModel):
    """A trigger offered in the current state; ``reason`` says why it is refused, if it is."""

    trigger: str
    label: str
    allowed: bool
    reason: str | None
    needs_input: list[str] = Field(
        description="Parameters it needs: 'at' (a time), 'on' (a day), 'note'."
    )


class EventOut(BaseModel):
    """One entry of the case's history (oldest first)."""

    at: datetime
    actor: StaffRef | None = Field(description="None: the system itself.")
    trigger: str
    step_kind: str | None
    from_state: str | None
    to_state: str | None
    note: str | None = Field(description="None for a confidential note you may not read.")
    confidential: bool = False


class CaseDetail(BaseModel):
    """A case with its household, steps, the triggers offered now, and its history."""

    id: int
    number: str
    state: str
    state_label: str
    version: int = Field(description="Send it back as expected_version to detect conflicts.")
    office: OfficeRef
    assignee: StaffRef | None
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    milestone_due_at: datetime | None
    next_due_at: datetime | None
    household: HouseholdSummary
    steps: list[StepOut]
    triggers: list[TriggerOut]
    notices: list[NoticeOut] = Field(description="Not yet marked done, oldest first.")
    history: list[EventOut] = Field(
        description="The newest entries (at most 50), oldest first; older ones page by page "
        "from GET /api/cases/{id}/history?before=history_older."
    )
    history_older: int | None = Field(
        description="Where the older entries start (for ?before=); None: this is all of it."
    )


class CaseAdvanced(BaseModel):
    """What an advance changed. The whole case is ``GET /api/cases/{id}``."""

    id: int
    number: str
    state: str
    state_label: str
    version: int = Field(description="Send it back as expected_version to detect conflicts.")
    updated_at: datetime
    milestone_due_at: datetime | None
    next_due_at: datetime | None
    steps: list[StepState]
    recorded: list[EventOut] = Field(
        description="The history entries this change recorded, oldest first: the trigger's, "
        "then any automatic transition that followed it."
    )


class HistoryPage(BaseModel):
    """Entries of a case's history older than ``before``, oldest first."""

    entries: list[EventOut]
    older: int | None = Field(description="?before= for the page before it; None: no more.")


class MemberOut(BaseModel):
    id: int
    given_name: str
    family_name: str
    birth_date: date
    in_school: bool
    in_childcare: bool
    able_to_work: bool
    is_contact: bool


class HouseholdOut(BaseModel):
    """The household's data as staff edit it; ``version`` is the case's."""

    case_id: int
    version: int
    family_name: str
    street: str
    postal_code: str
    city: str
    district: str
    sub_location_id: int | None
    moved_in_on: date
    languages: list[str] = Field(description="Preferred first.")
    messages_in: list[str] = Field(description="The language(s) household messages use now.")
    contact_channels: list[str] = Field(
        description="How the household is reached, preferred first: email, sms, letter, "
        "phone, helper. Each message goes on the first that can carry it, else a call task."
    )
    email: str | None
    phone: str | None
    helper_name: str | None = Field(description="Contact person or volunteer.")
    helper_phone: str | None
    helper_email: str | None
    expected_birth_on: date | None
    members: list[MemberOut]


class Found(BaseModel):
    """What looking at the steps again found after a change."""

    opened: list[str] = Field(description="Steps opened by themselves.")
    offered: list[str] = Field(description="Steps that now apply and can be opened.")
    flagged: list[str] = Field(description="Open steps that no longer apply.")


class CaseChanged(BaseModel):
    """A change was saved: what the look at the steps found, and the case as it is now."""

    found: Found
    case: CaseDetail


class AdvanceIn(BaseModel):
    """Apply one trigger to a case."""

    trigger: str = Field(
        min_length=1,
        max_length=limits.TRIGGER,
        pattern=limits.LINE_PATTERN,
        examples=["schedule_welcome_visit"],
    )
    note: str | None = Field(
        default=None,
        max_length=limits.NOTE,
        pattern=limits.TEXT_PATTERN,
        description="Required by some triggers (a reason).",
    )
    at: AwareDatetime | None = Field(
        default=None,
        description="Appointment time for scheduling triggers, ISO 8601 with offset.",
        examples=["2026-12-01T10:00:00+01:00"],
    )
    on: Day | None = Field(
        default=None,
        description="A calendar day for triggers that need one (a waiting list's follow-up).",
        examples=["2027-03-01"],
    )
    happened_on: Day | None = Field(
        default=None,
        description="The day a step was really done (`complete_<step>`); default today.",
    )
    confirm: StrictBool = Field(
        default=False,
        description="Yes where a condition asks for it: a visit recorded before its time.",
    )
    partner_id: int | None = Field(
        default=None,
        ge=1,
        le=limits.MAX_ID,
        description="`refer_<step>`: the partner chosen (default: the one suggested).",
    )
    message: str | None = Field(
        default=None,
        max_length=limits.NOTE,
        pattern=limits.TEXT_PATTERN,
        description="`refer_<step>`: words to the partner, in the referral email.",
    )
    expected_version: int | None = Field(
        default=None,
        ge=1,
        le=limits.MAX_VERSION,
        description="The version the client read; a case changed since then is a 409 conflict.",
    )

    @field_validator("at")
    @classmethod
    def _plausible_time(cls, value: datetime | None) -> datetime | None:
        if value is not None and not limits.EARLIEST_YEAR <= value.year <= limits.LATEST_YEAR:
            raise ValueError(
                f"Zeitpunkt unplausibel (Jahr {limits.EARLIEST_YEAR}–{limits.LATEST_YEAR})."
            )
        return value


class AgreementOut(BaseModel):
    id: int
    what: str
    owner: str
    due_on: date
    done_at: datetime | None


class VisitOut(BaseModel):
    """A held visit as recorded."""

    id: int
    held_at: datetime
    participants: str
    interpreter_language: str | None
    interpreter_name: str | None
    topics: str
    agreements: list[AgreementOut]


class ReferralOut(BaseModel):
    id: int
    partner: str
    partner_category: str
    step_kind: str | None = Field(description="None: a referral without a step.")
    status: str
    message: str | None
    created_at: datetime
    answered_at: datetime | None
    answer_note: str | None
    reported_at: datetime | None
    report_note: str | None


class NoteOut(BaseModel):
    at: datetime
    note: str
    confidential: bool = False
