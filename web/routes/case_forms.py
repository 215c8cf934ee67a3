"""What the case pages read from forms (dates, numbers) and show (the case page's parts).

Only reading here: every change goes through ``workflows`` services in ``web.routes.cases``.
"""

from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from core import limits
from core.clock import BERLIN, format_deadline
from core.config import get_settings
from models import (
    Appointment,
    Case,
    CaseNotice,
    CaseStep,
    Consent,
    Household,
    HouseholdMember,
    Office,
    Partner,
    Referral,
    Staff,
    SubLocation,
)
from models.enums import (
    PARTNER_CATEGORY_LABELS,
    AppointmentStatus,
    EvidenceKind,
    PartnerCategory,
)
from web.params import Id
from workflows.casework import eligibility, notices
from workflows.consent import records as consent_records
from workflows.engine import TriggerOption, allowed_triggers
from workflows.engine.access import staff_may_see, staff_may_work_on
from workflows.engine.definition import Workflow
from workflows.engine.errors import CaseInTransfer, CaseNotFound
from workflows.engine.facts import CaseFacts, age_on, member_flags
from workflows.messaging import i18n
from workflows.move_in.states import (
    MILESTONE_LABELS,
    MILESTONE_STATES,
    OPEN_STEP_STATES,
    StepState,
)

_MAX_ID = 2**31 - 1  # larger numbers are no case (and would overflow an INTEGER column)


deadline = format_deadline


def parse_local_time(text: str) -> datetime | None:
    """A ``datetime-local`` value, meant in Berlin, as aware UTC; empty → None, else ValueError."""
    if not text.strip():
        return None
    moment = datetime.fromisoformat(text.strip())
    if not limits.EARLIEST_YEAR <= moment.year <= limits.LATEST_YEAR:
        raise ValueError("year out of range")
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=BERLIN)
    return moment.astimezone(UTC)


def parse_day(text: str) -> date | None:
    """A ``date`` input's value; empty → None, anything else malformed → ValueError."""
    if not text.strip():
        return None
    day = date.fromisoformat(text.strip())
    if not limits.EARLIEST_YEAR <= day.year <= limits.LATEST_YEAR:
        raise ValueError("year out of range")
    return day


def day_or_none(text: str) -> date | None:
    """A date from a query string (``?datum=``); anything malformed reads as none given."""
    try:
        return parse_day(text[:10])
    except ValueError:
        return None


def form_text(form: FormData, key: str, limit: int = 500) -> str:
    """One field of a posted form, trimmed and cut to ``limit`` ("" when absent)."""
    value = form.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def form_list(form: FormData, key: str) -> list[str]:
    """The ticked values of a field (checkboxes), each short, at most 20."""
    return [v.strip()[:40] for v in form.getlist(key) if isinstance(v, str) and v.strip()][:20]


def parse_int(text: str | None, *, minimum: int = 1) -> int | None:
    """A whole number from a form or query string; anything else (or too large) → None."""
    value = (text or "").strip()
    if not value.isdigit() or len(value) > 9 or int(value) < minimum:
        return None
    return int(value)


def place_choices(session: Session, office_ids: list[int] | None) -> list[tuple[int, str]]:
    """The sub-locations of the offices seen, named with their office when there are several."""
    query = select(SubLocation, Office.name).join(Office, col(Office.id) == SubLocation.office_id)
    if office_ids is not None:
        query = query.where(col(SubLocation.office_id).in_(office_ids))
    several = office_ids is None or len(office_ids) > 1
    rows = session.exec(query.order_by(col(Office.name), col(SubLocation.name))).all()
    return [
        (place.id, f"{office} – {place.name}" if several else place.name)
        for place, office in rows
        if place.id is not None
    ]


# ---------------------------------------------------------------------------------------------
# The case page


def case_for(session: Session, staff: Staff, case_id: Id) -> Case:
    """The case if ``staff`` may see it: their office's, or one being handed over to it.
    Another office's case is not found (404)."""
    case = session.get(Case, case_id) if case_id <= _MAX_ID else None
    if case is None or not staff_may_see(staff, case):
        raise CaseNotFound(case_id)
    return case


def case_to_change(session: Session, staff: Staff, case_id: Id) -> Case:
    """The case if ``staff`` may change it now: not while it is handed over (read-only)."""
    case = case_for(session, staff, case_id)
    if case.transfer_to_office_id is not None:
        raise CaseInTransfer(case.id)  # type: ignore[arg-type]
    if not staff_may_work_on(staff, case.office_id):
        raise CaseNotFound(case_id)
    return case


@dataclass(frozen=True)
class MemberView:
    member: HouseholdMember
    age: str  # "8 Jahre", "5 Monate"
    flags: list[str]
    steps: list[CaseStep | str]  # the case's step row, or the kind if it was never opened


@dataclass(frozen=True)
class Action:
    option: TriggerOption
    text: str  # the words on the button: short inside a step's own group


@dataclass(frozen=True)
class ActionGroup:
    title: str
    kind: str  # "case", "step" (one opened step), "to_open", "closed"
    state: str | None = None  # the step's state, for its badge
    allowed: list[Action] = field(default_factory=list)
    refused: list[Action] = field(default_factory=list)


@dataclass(frozen=True)
class ConsentView:
    category: PartnerCategory
    label: str
    consent: Consent | None  # the latest neither withdrawn nor replaced; it may have expired
    granted_by: str | None
    needed_for: list[str]  # open steps that could be referred with it
    expired: bool = False
    evidence: EvidenceKind | None = None  # how the household signed; None: before forms

    @property
    def in_force(self) -> bool:
        return self.consent is not None and not self.expired


@dataclass
class CasePage:
    case: Case
    household: Household
    office: Office
    sub_location: SubLocation | None
    assignee: Staff | None
    members: list[MemberView]
    steps: list[CaseStep]
    partners: dict[int, str]  # step id → partner of its latest referral
    milestone: tuple[str, datetime] | None
    appointments: list[Appointment]
    groups: list[ActionGroup]
    consents: list[ConsentView]
    workflow: Workflow
    notices: list[CaseNotice]
    handover: "Handover | None"
    partner_choices: dict[str, list[Partner]]  # category → partners that fit, best first
    referrals: list[tuple[Referral, Partner]]  # without a step, newest first
    lapsed: dict[str, str]  # open step kind → why it no longer applies
    messages_in: tuple[str, ...]  # the language(s) household messages go out in


def case_page(session: Session, case: Case, now: datetime) -> CasePage:
    """Everything the case page shows, each row read once: the page's parts (the buttons, the
    members, the consents, the partners to suggest, the steps that lapsed) share one
    :class:`CaseFacts`."""
    assert case.id is not None
    household = session.get(Household, case.household_id)
    office = session.get(Office, case.office_id)
    assert household is not None and office is not None  # foreign keys
    facts = CaseFacts(
        session, case, actor_id=None, now=now, settings=get_settings(), household=household
    )
    workflow = facts.workflow  # its version, as its office's variant has it
    order = list(workflow.steps)
    steps = sorted(
        facts.steps.values(), key=lambda s: order.index(s.kind) if s.kind in order else len(order)
    )
    visits = select(Appointment).where(
        Appointment.case_id == case.id, Appointment.status == AppointmentStatus.SCHEDULED
    )
    partners, direct = _referrals(session, case.id)
    return CasePage(
        case=case,
        household=household,
        office=office,
        sub_location=session.get(SubLocation, household.sub_location_id)
        if household.sub_location_id is not None
        else None,
        assignee=session.get(Staff, case.assignee_id) if case.assignee_id is not None else None,
        members=_members(facts, steps),
        steps=steps,
        partners=partners,
        milestone=_milestone(case),
        appointments=list(session.exec(visits.order_by(col(Appointment.starts_at)))),
        groups=_action_groups(workflow, allowed_triggers(session, case.id, facts=facts), steps),
        consents=_consents(session, facts, steps),
        workflow=workflow,
        notices=notices.open_notices(session, case.id),
        handover=_handover(session, case),
        partner_choices={str(c): facts.partners_for(c) for c in PartnerCategory},
        referrals=direct,
        lapsed=_lapsed(facts, steps),
        messages_in=i18n.choose_languages(household.languages),
    )


def _referrals(
    session: Session, case_id: int
) -> tuple[dict[int, str], list[tuple[Referral, Partner]]]:
    """The partner of each step's latest referral, and the referrals without a step (newest
    first): one query."""
    query = (
        select(Referral, Partner)
        .join(Partner, col(Partner.id) == Referral.partner_id)
        .where(Referral.case_id == case_id)
        .order_by(col(Referral.created_at), col(Referral.id))
    )
    rows = session.exec(query).all()
    partners = {r.step_id: p.name for r, p in rows if r.step_id is not None}
    return partners, [(r, p) for r, p in reversed(rows) if r.step_id is None]


@dataclass(frozen=True)
class Handover:
    office: Office  # the receiving office
    requested_at: datetime
    requested_by: str


def _handover(session: Session, case: Case) -> Handover | None:
    if case.transfer_to_office_id is None:
        return None
    office = session.get(Office, case.transfer_to_office_id)
    by = (
        session.get(Staff, case.transfer_requested_by_id) if case.transfer_requested_by_id else None
    )
    assert office is not None and case.transfer_requested_at is not None
    return Handover(office, case.transfer_requested_at, by.name if by else "–")


def _lapsed(facts: CaseFacts, steps: list[CaseStep]) -> dict[str, str]:
    """Open steps that no longer apply (flagged, never closed by themselves)."""
    found = {step.kind: eligibility.no_longer_applies(facts, step) for step in steps}
    return {kind: reason for kind, reason in found.items() if reason is not None}


def _milestone(case: Case) -> tuple[str, datetime] | None:
    if case.milestone_due_at is None:
        return None
    for milestone, states in MILESTONE_STATES.items():
        if case.state in states:
            return MILESTONE_LABELS[milestone], case.milestone_due_at
    return None


def _members(facts: CaseFacts, steps: list[CaseStep]) -> list[MemberView]:
    """Each member with the steps that apply because of them (school for the 8-year-old).

    A step applies because of a member when the workflow's own eligibility rule holds for a
    household of just that member but not for one without members (registration, energy:
    the whole household).
    """
    everyone = eligibility.facts_with(facts, [])
    defined = facts.workflow.steps
    household_wide = {kind for kind, s in defined.items() if s.eligible(everyone) is None}
    by_kind = {s.kind: s for s in steps}
    views = []
    for member in facts.members:
        alone = eligibility.facts_with(facts, [member])
        kinds = [
            kind
            for kind, step in defined.items()
            if kind not in household_wide and step.eligible(alone) is None
        ]
        flags = member_flags(member)
        views.append(
            MemberView(
                member=member,
                age=_age_text(member.birth_date, alone.today),
                flags=flags,
                steps=[by_kind.get(kind) or kind for kind in kinds],
            )
        )
    return views


def _age_text(born: date, today: date) -> str:
    years = age_on(born, today)
    if years >= 1:
        return "1 Jahr" if years == 1 else f"{years} Jahre"
    months = (today.year - born.year) * 12 + today.month - born.month - (today.day < born.day)
    return "1 Monat" if months == 1 else f"{max(months, 0)} Monate"


def _action_groups(
    workflow: Workflow, options: list[TriggerOption], steps: list[CaseStep]
) -> list[ActionGroup]:
    """The buttons by what they act on: the case, each open step, steps to open or reopen."""
    states = {s.kind: s.state for s in steps}
    case_group = ActionGroup("Fall", "case")
    to_open = ActionGroup("Weitere Schritte öffnen", "to_open")
    closed = ActionGroup("Abgeschlossene Schritte wieder öffnen", "closed")
    groups: dict[str, ActionGroup] = {}
    for option in options:
        step = workflow.step_trigger(option.trigger)
        state = states.get(step[1], StepState.INACTIVE) if step else None
        text = option.label
        if step is None:
            group = case_group
        elif state == StepState.INACTIVE:
            group = to_open
        elif state in (StepState.DONE, StepState.WAIVED):
            group, text = closed, f"{workflow.step_labels.get(step[1], step[1])}: wieder öffnen"
        else:
            kind = step[1]
            title = workflow.step_labels.get(kind, kind)
            group = groups.setdefault(kind, ActionGroup(title, "step", state))
            text = text.removeprefix(f"{group.title}: ")
        (group.allowed if option.allowed else group.refused).append(Action(option, text))
    ordered = [groups[s.kind] for s in steps if s.kind in groups]
    return [g for g in [case_group, *ordered, to_open, closed] if g.allowed or g.refused]


def _consents(session: Session, facts: CaseFacts, steps: list[CaseStep]) -> list[ConsentView]:
    active, today = facts.consents, facts.today
    evidence = consent_records.evidence_kinds(session, [c.id for c in active.values()])
    granted_by = {c.granted_by_id for c in active.values()}
    names = (
        dict(session.exec(select(Staff.id, Staff.name).where(col(Staff.id).in_(granted_by))).all())
        if granted_by
        else {}
    )
    views = []
    defined = facts.workflow.steps
    for category in PartnerCategory:
        consent = active.get(category)
        needed_for = [
            defined[s.kind].label
            for s in steps
            if s.kind in defined
            and s.state in OPEN_STEP_STATES
            and defined[s.kind].partner_category == category
        ]
        views.append(
            ConsentView(
                category=category,
                label=PARTNER_CATEGORY_LABELS[category],
                consent=consent,
                granted_by=names.get(consent.granted_by_id) if consent else None,
                needed_for=needed_for,
                expired=consent is not None and consent.expired_on(today),
                evidence=evidence.get(consent.id) if consent and consent.id else None,
            )
        )
    # The categories the open steps need come first.
    return sorted(views, key=lambda v: not v.needed_for)
