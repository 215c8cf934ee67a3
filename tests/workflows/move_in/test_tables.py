"""The move-in workflow's tables, without a database: ``(state, trigger) -> new state | error``.

Every test drives ``MOVE_IN.case`` or ``MOVE_IN.step`` on a :class:`Subject` whose ``facts`` is
:class:`Facts` below. That stand-in is a pure data object holding what the engine's
``CaseFacts`` would have read from the database (steps, household, consent, partners, ages);
it is not a mock of a service: nothing is recorded or asserted on it, it only answers questions.
"""

from collections import deque
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from itertools import product

import pytest
from transitions import MachineError

from core.clock import BERLIN, berlin
from core.config import Settings
from models import Consent
from models.enums import PartnerCategory
from workflows.engine.definition import Subject, Workflow
from workflows.move_in import MOVE_IN, STEPS
from workflows.move_in.effects import PlanStep, Refer, SetMilestone
from workflows.move_in.states import CaseState, Milestone, StepKind, StepState

NOW = datetime(2025, 3, 20, 9, 30, tzinfo=UTC)
# Consent to energy advice that held until the day before NOW.
EXPIRED = Consent(
    household_id=1, partner_category=PartnerCategory.ENERGY_ADVICE, granted_by_id=1,
    expires_on=date(2025, 3, 19),
)  # fmt: skip
LATER = NOW + timedelta(days=2)
EARLIER = NOW - timedelta(hours=1)
ENERGY_PARTNER_ID = 7


@dataclass
class StepRow:
    kind: str
    state: str


@dataclass
class CaseRow:
    state: str


@dataclass
class Member:
    in_school: bool = False
    in_childcare: bool = False
    able_to_work: bool = False


@dataclass
class HouseholdRow:
    district: str = "Eving"
    moved_in_on: date = date(2025, 3, 18)
    expected_birth_on: date | None = None


@dataclass
class PartnerRow:
    id: int


@dataclass(frozen=True)
class VisitRow:
    starts_at: datetime


@dataclass
class Facts:
    """What guards and effect builders may ask about one case; plain values, no behaviour."""

    steps: dict[str, StepRow] = field(default_factory=dict)
    case: CaseRow = field(default_factory=lambda: CaseRow(CaseState.ACCOMPANYING))
    now: datetime = NOW
    settings: Settings = field(default_factory=Settings)
    household: HouseholdRow = field(default_factory=HouseholdRow)
    consented_categories: set[str] = field(default_factory=set)
    consents: dict[str, Consent] = field(default_factory=dict)  # neither withdrawn nor replaced
    partners: dict[str, int] = field(default_factory=dict)
    members: list[tuple[Member, int]] = field(default_factory=list)
    welcome_visit_at: datetime = NOW - timedelta(hours=2)
    visits: dict[str, datetime] = field(default_factory=dict)  # planned visits by kind
    workflow: Workflow = field(default_factory=lambda: MOVE_IN)  # the definition it runs on

    @property
    def today(self) -> date:
        return berlin(self.now).date()

    def partner_for(self, category: str) -> PartnerRow | None:
        partner_id = self.partners.get(category)
        return None if partner_id is None else PartnerRow(partner_id)

    def ages(self) -> list[tuple[Member, int]]:
        return list(self.members)

    def scheduled_visit(self, kind: str) -> VisitRow | None:
        return VisitRow(self.visits[kind]) if kind in self.visits else None


def facts_with(*, open_step: bool, case_state: str = CaseState.ACCOMPANYING) -> Facts:
    """Registration done and school either still open or done, energy advice ready to refer."""
    return Facts(
        steps={
            StepKind.REGISTRATION: StepRow(StepKind.REGISTRATION, StepState.DONE),
            StepKind.SCHOOL: StepRow(
                StepKind.SCHOOL, StepState.OPEN if open_step else StepState.DONE
            ),
        },
        case=CaseRow(case_state),
        consented_categories={PartnerCategory.ENERGY_ADVICE},
        partners={PartnerCategory.ENERGY_ADVICE: ENERGY_PARTNER_ID},
        members=[(Member(able_to_work=True), 38), (Member(), 9)],
    )


def case_subject(state: str, facts: Facts) -> Subject:
    return MOVE_IN.case.subject(str(state), facts)


def step_subject(state: str, kind: str, facts: Facts) -> Subject:
    return MOVE_IN.step.subject(str(state), facts, str(kind))


IN_A_MONTH = berlin(NOW).date() + timedelta(days=30)
FULL_INPUT = {"at": LATER, "on": IN_A_MONTH, "note": "Familie ist verzogen", "at_intake": False}

S, P = CaseState, StepState


def plain(rows):
    """The tables as the engine sees them: states as plain strings read from the database.

    (``transitions`` names an Enum state by its Python name, ``INTAKE``, so members are not
    interchangeable with their values there.)
    """
    return [tuple(str(v) if isinstance(v, StrEnum) else v for v in row) for row in rows]


# ---------------------------------------------------------------------------------------------
# The case lifecycle

# (state, trigger, a step still open?) -> new state
CASE_ALLOWED = plain(
    [
        (S.INTAKE, "schedule_welcome_visit", True, S.WELCOME_VISIT_SCHEDULED),
        (S.WELCOME_VISIT_SCHEDULED, "reschedule_welcome_visit", True, S.WELCOME_VISIT_SCHEDULED),
        (S.WELCOME_VISIT_SCHEDULED, "record_welcome_visit", True, S.ACCOMPANYING),
        (S.WELCOME_VISIT_SCHEDULED, "record_welcome_visit", False, S.FOLLOW_UP_DUE),
        (S.ACCOMPANYING, "steps_finished", False, S.FOLLOW_UP_DUE),
        (S.FOLLOW_UP_DUE, "steps_reopened", True, S.ACCOMPANYING),
        (S.FOLLOW_UP_DUE, "schedule_follow_up", False, S.FOLLOW_UP_SCHEDULED),
        (S.FOLLOW_UP_SCHEDULED, "reschedule_follow_up", False, S.FOLLOW_UP_SCHEDULED),
        (S.FOLLOW_UP_SCHEDULED, "complete_follow_up", False, S.CLOSED),
        (S.FOLLOW_UP_SCHEDULED, "continue_support", True, S.ACCOMPANYING),
    ]
    + [(state, "close_case", True, S.CLOSED) for state in CaseState if state is not S.CLOSED]
)

CASE_TRIGGERS = {
    "schedule_welcome_visit", "reschedule_welcome_visit", "record_welcome_visit",
    "steps_finished", "steps_reopened", "schedule_follow_up", "reschedule_follow_up",
    "complete_follow_up", "continue_support", "close_case",
}  # fmt: skip

CASE_NOT_ALLOWED = sorted(
    set(product(MOVE_IN.case.states, sorted(CASE_TRIGGERS)))
    - {(state, trigger) for state, trigger, _open, _dest in CASE_ALLOWED}
)


def test_case_triggers_are_exactly_those_in_this_table():
    """Given the case lifecycle, when its triggers are listed,
    then they are the ones this table covers (a new trigger must be added here)."""
    assert set(MOVE_IN.case.triggers) == CASE_TRIGGERS
    assert set(MOVE_IN.case.states) == {state.value for state in CaseState}


@pytest.mark.parametrize(("state", "trigger", "open_step", "dest"), CASE_ALLOWED)
def test_allowed_case_transition_reaches_its_destination(state, trigger, open_step, dest):
    """Given a case in ``state`` (with or without an open step) and valid input,
    when ``trigger`` fires, then the case is in ``dest``."""
    subject = case_subject(state, facts_with(open_step=open_step))

    assert trigger in MOVE_IN.case.triggers_from(state)
    assert MOVE_IN.case.fire(subject, trigger, FULL_INPUT) is True
    assert subject.state == dest


@pytest.mark.parametrize(("state", "trigger"), CASE_NOT_ALLOWED)
def test_case_trigger_not_allowed_from_state_raises(state, trigger):
    """Given a case in ``state``, when a trigger the table does not offer there fires,
    then it is refused with a MachineError and the case stays where it was."""
    subject = case_subject(state, facts_with(open_step=False))

    assert trigger not in MOVE_IN.case.triggers_from(state)
    with pytest.raises(MachineError):
        MOVE_IN.case.fire(subject, trigger, FULL_INPUT)
    assert subject.state == state
    assert subject.effects == []


@pytest.mark.parametrize(
    ("open_step", "dest", "milestone"),
    plain([(False, S.FOLLOW_UP_DUE, Milestone.FOLLOW_UP), (True, S.ACCOMPANYING, None)]),
)
def test_record_welcome_visit_takes_the_first_row_whose_guards_hold(open_step, dest, milestone):
    """Given a scheduled welcome visit, when it is recorded,
    then the case goes to follow_up_due (follow-up deadline set) if every step is closed,
    else to accompanying (no case deadline while steps run)."""
    subject = case_subject(S.WELCOME_VISIT_SCHEDULED, facts_with(open_step=open_step))

    assert MOVE_IN.case.fire(subject, "record_welcome_visit", {"at": None, "note": None})

    assert subject.state == dest
    milestones = [e for e in subject.effects if isinstance(e, SetMilestone)]
    assert [m.milestone for m in milestones] == [milestone]
    if milestone is not None:
        # some weeks (42 days by default) after the visit, at the end of that day in Berlin
        visit_day = berlin(NOW - timedelta(hours=2)).date()
        assert berlin(milestones[0].due_at) == datetime.combine(
            visit_day + timedelta(days=43), datetime.min.time(), BERLIN
        )


# (lifecycle, state, kind, trigger, facts changes, params) -> failing guard, German reason
REFUSALS = plain([
    ("case", S.INTAKE, None, "schedule_welcome_visit", {}, {"at": EARLIER},
     "appointment_in_future", "Der Termin muss in der Zukunft liegen."),
    ("case", S.INTAKE, None, "schedule_welcome_visit", {}, {"at": None},
     "appointment_in_future", "Bitte Datum und Uhrzeit des Termins angeben."),
    ("case", S.INTAKE, None, "schedule_welcome_visit", {}, {"at": LATER.replace(tzinfo=None)},
     "appointment_in_future", "Bitte Datum und Uhrzeit des Termins angeben."),
    ("case", S.FOLLOW_UP_DUE, None, "schedule_follow_up", {}, {"at": NOW},
     "appointment_in_future", "Der Termin muss in der Zukunft liegen."),
    ("case", S.FOLLOW_UP_SCHEDULED, None, "complete_follow_up", {"open_step": True}, {},
     "all_steps_closed", "Noch offene Schritte: Einschulung."),
    ("case", S.FOLLOW_UP_SCHEDULED, None, "continue_support", {}, {},
     "has_open_step", "Kein offener Schritt: zuerst einen Schritt öffnen."),
    ("case", S.ACCOMPANYING, None, "close_case", {}, {"note": "   "},
     "has_note", "Bitte einen Grund angeben."),
    ("step", P.OPEN, StepKind.SCHOOL, "waive", {}, {"note": None},
     "has_note", "Bitte einen Grund angeben."),
    ("step", P.OPEN, StepKind.ENERGY, "refer", {"consented_categories": set()}, {},
     "consent_given", "Einwilligung des Haushalts zur Weitergabe an 'Energieberatung' fehlt."),
    ("step", P.OPEN, StepKind.ENERGY, "refer",
     {"consented_categories": set(), "consents": {"energy_advice": EXPIRED}}, {},
     "consent_given", "Die Einwilligung zur Weitergabe an 'Energieberatung' galt bis "
     f"{EXPIRED.expires_on:%d.%m.%Y}. Bitte mit dem Haushalt erneuern."),
    ("step", P.OPEN, StepKind.ENERGY, "refer", {"partners": {}}, {},
     "step_has_partner", "Kein aktiver Partner 'Energieberatung' für den Bezirk Eving hinterlegt."),
    ("step", P.OPEN, StepKind.REGISTRATION, "refer", {}, {},
     "step_has_partner", "Für diesen Schritt ist keine Weitervermittlung vorgesehen."),
    ("step", P.OPEN, StepKind.ENERGY, "complete", {"case_state": S.CLOSED}, {},
     "case_active", "Der Fall ist abgeschlossen."),
    ("step", P.OPEN, StepKind.KINDERGARTEN, "hold", {}, {"note": "Warteliste", "on": None},
     "follow_up_date", "Bitte ein Datum für die Wiedervorlage angeben."),
    ("step", P.OPEN, StepKind.KINDERGARTEN, "hold", {},
     {"note": "Warteliste", "on": berlin(NOW).date()},
     "follow_up_date", "Die Wiedervorlage muss nach heute liegen."),
    ("step", P.OPEN, StepKind.KINDERGARTEN, "hold", {},
     {"note": "Warteliste", "on": berlin(NOW).date() + timedelta(days=400)},
     "follow_up_date", "Die Wiedervorlage darf höchstens ein Jahr entfernt sein."),
    ("step", P.OPEN, StepKind.KINDERGARTEN, "hold", {}, {"note": "", "on": IN_A_MONTH},
     "has_note", "Bitte einen Grund angeben."),
])  # fmt: skip


@pytest.mark.parametrize(
    ("lifecycle", "state", "kind", "trigger", "changes", "params", "guard", "reason"), REFUSALS
)
def test_guard_failure_keeps_state_and_reports_the_reason(
    lifecycle, state, kind, trigger, changes, params, guard, reason
):
    """Given a trigger the table offers but whose condition does not hold,
    when it fires, then nothing changes, nothing is recorded,
    and staff are told why in German."""
    changes = dict(changes)
    facts = facts_with(
        open_step=changes.pop("open_step", False),
        case_state=changes.pop("case_state", S.ACCOMPANYING),
    )
    for name, value in changes.items():
        setattr(facts, name, value)
    machine = MOVE_IN.case if lifecycle == "case" else MOVE_IN.step
    subject = machine.subject(state, facts, kind)

    inputs = {"at": None, "on": None, "note": None, "happened_on": None, "confirm": False}
    assert machine.fire(subject, trigger, {**inputs, **params}) is False

    assert subject.state == state
    assert subject.effects == []
    assert subject.failures[-1] == (guard, reason)


def _reachable(machine, start: str, facts_variants: list[Facts], kind: str | None) -> set[str]:
    seen, todo = {str(start)}, deque([str(start)])
    while todo:
        state = todo.popleft()
        for trigger, facts in product(machine.triggers_from(state), facts_variants):
            subject = machine.subject(state, facts, kind)
            if machine.fire(subject, trigger, FULL_INPUT) and subject.state not in seen:
                seen.add(subject.state)
                todo.append(subject.state)
    return seen


def test_every_case_state_is_reachable_from_intake():
    """Given a new case in intake, when every trigger is tried with valid input,
    then every state of the case lifecycle can be reached (none is dead)."""
    variants = [facts_with(open_step=True), facts_with(open_step=False)]

    assert _reachable(MOVE_IN.case, S.INTAKE, variants, None) == set(MOVE_IN.case.states)


def test_every_step_state_is_reachable_from_inactive():
    """Given a step not yet opened, when every trigger is tried with valid input,
    then every step state can be reached."""
    variants = [facts_with(open_step=True)]

    reached = _reachable(MOVE_IN.step, P.INACTIVE, variants, StepKind.ENERGY)

    assert reached == set(MOVE_IN.step.states)


def test_closed_is_final():
    """Given a closed case, when any trigger is tried, then none leaves the closed state."""
    assert MOVE_IN.case.triggers_from("closed") == []
    for trigger in MOVE_IN.case.triggers:
        subject = case_subject(S.CLOSED, facts_with(open_step=True, case_state=S.CLOSED))
        with pytest.raises(MachineError):
            MOVE_IN.case.fire(subject, trigger, FULL_INPUT)
        assert subject.state == S.CLOSED


@pytest.mark.parametrize("lifecycle", [MOVE_IN.case, MOVE_IN.step], ids=["case", "step"])
def test_no_automatic_to_state_shortcuts(lifecycle):
    """Given a compiled lifecycle, when its events are listed,
    then there is no ``to_<state>`` event that would bypass the guards."""
    events = set(lifecycle.machine.events)

    assert events == set(lifecycle.triggers)
    assert not [name for name in events if name.startswith("to_")]
    with pytest.raises(AttributeError):
        _ = case_subject(S.INTAKE, facts_with(open_step=False)).to_closed


# ---------------------------------------------------------------------------------------------
# The step lifecycle

STEP_ALLOWED = plain(
    [
        (P.INACTIVE, "open", P.OPEN),
        (P.DONE, "open", P.OPEN),
        (P.WAIVED, "open", P.OPEN),
        (P.OPEN, "refer", P.REFERRED),
        (P.REFERRED, "end_referral", P.OPEN),
        (P.OPEN, "complete", P.DONE),
        (P.REFERRED, "complete", P.DONE),
        (P.OPEN, "waive", P.WAIVED),
        (P.REFERRED, "waive", P.WAIVED),
        (P.OPEN, "hold", P.WAITING),
        (P.WAITING, "resume", P.OPEN),
        (P.WAITING, "complete", P.DONE),
        (P.WAITING, "waive", P.WAIVED),
    ]
)
STEP_TRIGGERS = {"open", "refer", "end_referral", "complete", "waive", "hold", "resume"}
STEP_NOT_ALLOWED = sorted(
    set(product(MOVE_IN.step.states, sorted(STEP_TRIGGERS)))
    - {(state, trigger) for state, trigger, _dest in STEP_ALLOWED}
)


def test_step_triggers_are_exactly_those_in_this_table():
    """Given the step lifecycle, when its triggers are listed, then this table covers them all."""
    assert set(MOVE_IN.step.triggers) == STEP_TRIGGERS
    assert set(MOVE_IN.step.states) == {state.value for state in StepState}


@pytest.mark.parametrize(("state", "trigger", "dest"), STEP_ALLOWED)
def test_allowed_step_transition_reaches_its_destination(state, trigger, dest):
    """Given the energy step in ``state`` with consent and a partner, when ``trigger`` fires,
    then the step is in ``dest``."""
    subject = step_subject(state, StepKind.ENERGY, facts_with(open_step=True))

    assert MOVE_IN.step.fire(subject, trigger, FULL_INPUT) is True
    assert subject.state == dest


@pytest.mark.parametrize(("state", "trigger"), STEP_NOT_ALLOWED)
def test_step_trigger_not_allowed_from_state_raises(state, trigger):
    """Given a step in ``state``, when a trigger the table does not offer there fires,
    then it is refused with a MachineError and the step stays where it was."""
    subject = step_subject(state, StepKind.ENERGY, facts_with(open_step=True))

    assert trigger not in MOVE_IN.step.triggers_from(state)
    with pytest.raises(MachineError):
        MOVE_IN.step.fire(subject, trigger, FULL_INPUT)
    assert subject.state == state


def test_referral_goes_to_the_partner_serving_the_household():
    """Given consent and an energy partner for the district, when the energy step is referred,
    then the referral is recorded for that partner."""
    subject = step_subject(P.OPEN, StepKind.ENERGY, facts_with(open_step=True))

    MOVE_IN.step.fire(subject, "refer", FULL_INPUT)

    assert subject.effects == [Refer(StepKind.ENERGY, ENERGY_PARTNER_ID)]


# ---------------------------------------------------------------------------------------------
# When a step applies


def opens(kind: str, facts: Facts) -> tuple[bool, str | None]:
    """Try to open ``kind``; return whether it opened and the reason if not."""
    subject = step_subject(P.INACTIVE, kind, facts)
    opened = MOVE_IN.step.fire(subject, "open", {"at": None, "note": None})
    return opened, (subject.failures[-1][1] if subject.failures else None)


def household_with(*members: tuple[Member, int], expected_birth_on: date | None = None) -> Facts:
    adult = (Member(), 35)  # an adult not able to work: no step applies because of them
    return Facts(
        members=[adult, *members],
        household=HouseholdRow(expected_birth_on=expected_birth_on),
    )


@pytest.mark.parametrize(
    ("age", "in_school", "applies"),
    [(0, False, False), (1, False, False), (5, False, False), (6, False, True),
     (17, False, True), (18, False, False), (8, True, False)],
)  # fmt: skip
def test_school_applies_to_a_member_aged_6_to_17_not_in_school(age, in_school, applies):
    """Given a household with a member of ``age`` (in school or not),
    when school enrolment is opened (or the case is taken in),
    then it applies only for ages 6 to 17 without a school place."""
    facts = household_with((Member(in_school=in_school), age))

    opened, reason = opens(StepKind.SCHOOL, facts)

    assert opened is applies
    assert STEPS[StepKind.SCHOOL].at_intake(facts) is applies
    if not applies:
        assert reason == "Kein Haushaltsmitglied im Alter von 6 bis 17 Jahren ohne Platz."


@pytest.mark.parametrize(
    ("age", "in_childcare", "applies"),
    [(0, False, False), (1, False, True), (5, False, True), (6, False, False),
     (17, False, False), (18, False, False), (4, True, False)],
)  # fmt: skip
def test_kindergarten_applies_to_a_member_aged_1_to_5_without_a_place(age, in_childcare, applies):
    """Given a household with a member of ``age`` (in childcare or not),
    when the kindergarten step is opened, then it applies only for ages 1 to 5 without a place."""
    facts = household_with((Member(in_childcare=in_childcare), age))

    opened, reason = opens(StepKind.KINDERGARTEN, facts)

    assert opened is applies
    assert STEPS[StepKind.KINDERGARTEN].at_intake(facts) is applies
    if not applies:
        assert reason == "Kein Haushaltsmitglied im Alter von 1 bis 5 Jahren ohne Platz."


@pytest.mark.parametrize(
    ("age", "able_to_work", "applies"),
    [(17, True, False), (18, True, True), (45, True, True), (45, False, False)],
)
def test_job_search_applies_to_an_adult_able_to_work(age, able_to_work, applies):
    """Given a household member of ``age`` who is (not) able to work,
    when job search is opened, then it applies only to an adult able to work."""
    facts = household_with((Member(able_to_work=able_to_work), age))

    opened, reason = opens(StepKind.JOB_SEARCH, facts)

    assert opened is applies
    assert STEPS[StepKind.JOB_SEARCH].at_intake(facts) is applies
    if not applies:
        assert reason == "Kein erwerbsfähiges erwachsenes Haushaltsmitglied."


def test_birth_step_opens_at_intake_when_a_birth_is_expected():
    """Given a household expecting a birth on 2 May 2025, when the birth step is opened at intake,
    then it applies and the birth must be registered by the end of 9 May (a week later)."""
    facts = household_with(expected_birth_on=date(2025, 5, 2))
    subject = step_subject(P.INACTIVE, StepKind.BIRTH, facts)

    assert STEPS[StepKind.BIRTH].at_intake(facts) is True
    assert MOVE_IN.step.fire(subject, "open", {"at_intake": True})
    assert berlin(subject.effects[0].due_at) == datetime(2025, 5, 10, tzinfo=BERLIN)


def test_birth_step_does_not_apply_without_an_expected_birth():
    """Given a household of adults expecting no birth, when the birth step is opened,
    then it is refused with the reason, and it is not opened at intake."""
    facts = household_with((Member(), 12))

    assert STEPS[StepKind.BIRTH].at_intake(facts) is False
    assert opens(StepKind.BIRTH, facts) == (
        False, "Keine Geburt erwartet und kein Säugling im Haushalt."
    )  # fmt: skip


@pytest.mark.parametrize(
    ("moved_in_on", "due_utc"),
    [
        (date(2025, 1, 10), datetime(2025, 1, 24, 23, 0, tzinfo=UTC)),  # winter time
        (date(2025, 6, 2), datetime(2025, 6, 16, 22, 0, tzinfo=UTC)),  # summer time
        (date(2025, 3, 20), datetime(2025, 4, 3, 22, 0, tzinfo=UTC)),  # clocks go forward between
        (date(2025, 10, 20), datetime(2025, 11, 3, 23, 0, tzinfo=UTC)),  # clocks go back between
    ],
)
def test_registration_is_due_at_the_end_of_the_fourteenth_day_after_moving_in(moved_in_on, due_utc):
    """Given a household that moved in on ``moved_in_on``, when registration is opened,
    then it is due at midnight (Berlin) ending the 14th day after moving in, as a legal deadline,
    whether it was opened at intake or later."""
    for at_intake in (True, False):
        facts = Facts(household=HouseholdRow(moved_in_on=moved_in_on))
        subject = step_subject(P.INACTIVE, StepKind.REGISTRATION, facts)

        assert MOVE_IN.step.fire(subject, "open", {"at_intake": at_intake})

        (plan,) = subject.effects
        assert isinstance(plan, PlanStep)
        assert plan.legal_deadline is True
        assert plan.due_at == due_utc
        local = berlin(plan.due_at)
        assert (local.date(), local.hour, local.minute) == (moved_in_on + timedelta(days=15), 0, 0)
