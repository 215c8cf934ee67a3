"""The move-in workflow, version 1: what a household goes through after moving into its flat.

Everything here is data: the steps and when they apply, the guards, the effects, and the two
transitions tables (the case's and every step's). ``workflows.engine`` runs them.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from transitions import EventData

from core.clock import berlin, start_of_day
from models.enums import PARTNER_CATEGORY_LABELS, AppointmentKind, PartnerCategory
from workflows.engine.definition import Guard, Lifecycle, Subject, T, Workflow, register
from workflows.engine.facts import CaseFacts
from workflows.move_in.effects import (
    BookVisit,
    CloseCase,
    CloseStep,
    EndReferral,
    FinishVisit,
    PlanStep,
    Refer,
    SetMilestone,
)
from workflows.move_in.states import (
    ACTIVE_CASE_STATES,
    OPEN_STEP_STATES,
    CaseState,
    Milestone,
    StepKind,
    StepState,
)

# ---------------------------------------------------------------------------------------------
# Steps: when each applies, when it is due, which partner category takes a referral for it.


@dataclass(frozen=True)
class StepDef:
    kind: StepKind
    label: str
    partner_category: PartnerCategory | None
    # None when the step may be opened for this household, else the reason it does not apply.
    eligible: Callable[[CaseFacts], str | None]
    # Opened by itself when the case is opened (otherwise only on request).
    at_intake: Callable[[CaseFacts], bool]
    legal_deadline: bool = False


def _always(_facts: CaseFacts) -> str | None:
    return None


def _member_aged(low: int, high: int, *, unless: str) -> Callable[[CaseFacts], str | None]:
    """Eligible when a member is aged ``low`` ≤ age < ``high`` and the flag ``unless`` is unset."""

    def check(facts: CaseFacts) -> str | None:
        if any(low <= age < high and not getattr(m, unless) for m, age in facts.ages()):
            return None
        return f"Kein Haushaltsmitglied im Alter von {low} bis {high - 1} Jahren ohne Platz."

    return check


def _adult_able_to_work(facts: CaseFacts) -> str | None:
    if any(18 <= age < 67 and member.able_to_work for member, age in facts.ages()):
        return None
    return "Kein erwerbsfähiges erwachsenes Haushaltsmitglied."


def _birth_expected(facts: CaseFacts) -> str | None:
    if facts.household.expected_birth_on is not None:
        return None
    if any(age < 1 for _member, age in facts.ages()):
        return None
    return "Keine Geburt erwartet und kein Säugling im Haushalt."


def _when_eligible(eligible: Callable[[CaseFacts], str | None]) -> Callable[[CaseFacts], bool]:
    return lambda facts: eligible(facts) is None


STEPS: dict[str, StepDef] = {
    step.kind: step
    for step in [
        StepDef(
            StepKind.REGISTRATION,
            "Anmeldung beim Bürgeramt",
            None,
            _always,
            lambda _f: True,
            legal_deadline=True,
        ),
        StepDef(
            StepKind.ENERGY,
            "Strom- und Gasvertrag",
            PartnerCategory.ENERGY_ADVICE,
            _always,
            lambda _f: True,
        ),
        StepDef(
            StepKind.SCHOOL,
            "Einschulung",
            PartnerCategory.SCHOOL,
            _member_aged(6, 18, unless="in_school"),
            _when_eligible(_member_aged(6, 18, unless="in_school")),
        ),
        StepDef(
            StepKind.KINDERGARTEN,
            "Kindergartenplatz",
            PartnerCategory.CHILDCARE,
            _member_aged(1, 6, unless="in_childcare"),
            _when_eligible(_member_aged(1, 6, unless="in_childcare")),
        ),
        StepDef(
            StepKind.TRANSIT_TICKET,
            "ÖPNV-Ticket (Sozialticket)",
            PartnerCategory.TRANSIT,
            _always,
            lambda _f: False,
        ),
        StepDef(
            StepKind.JOB_SEARCH,
            "Arbeitssuche",
            PartnerCategory.EMPLOYMENT,
            _adult_able_to_work,
            _when_eligible(_adult_able_to_work),
        ),
        StepDef(
            StepKind.BIRTH,
            "Geburt beurkunden",
            PartnerCategory.REGISTRY_OFFICE,
            _birth_expected,
            lambda f: f.household.expected_birth_on is not None,
        ),
    ]
}

REGISTRATION_DAYS = 14  # Bundesmeldegesetz §17: register within two weeks of moving in
BIRTH_REGISTRATION_DAYS = 7  # Personenstandsgesetz §18: register a birth within a week


def end_of_day(day: date) -> datetime:
    return start_of_day(day + timedelta(days=1))


def step_due(kind: str, facts: CaseFacts, at_intake: bool) -> datetime:
    """Registration: 14 days after move-in by law. Birth: a week after it. Others: configurable."""
    moved_in = facts.household.moved_in_on
    if kind == StepKind.REGISTRATION:
        return end_of_day(moved_in + timedelta(days=REGISTRATION_DAYS))
    if kind == StepKind.BIRTH:
        born = facts.household.expected_birth_on or facts.today
        return end_of_day(born + timedelta(days=BIRTH_REGISTRATION_DAYS))
    start = moved_in if at_intake else facts.today
    return end_of_day(start + timedelta(days=facts.settings.step_due_days[kind]))


# ---------------------------------------------------------------------------------------------
# Guards: pure checks that return the reason they fail.

Params = Mapping[str, Any]


def _appointment_in_future(subject: Subject, params: Params) -> str | None:
    at = params.get("at")
    if not isinstance(at, datetime) or at.tzinfo is None:
        return "Bitte Datum und Uhrzeit des Termins angeben."
    if at <= subject.facts.now:
        return "Der Termin muss in der Zukunft liegen."
    return None


def _open_steps(subject: Subject) -> list[str]:
    steps = subject.facts.steps.values()
    return [STEPS[s.kind].label for s in steps if s.state in OPEN_STEP_STATES]


def _all_steps_closed(subject: Subject, _params: Params) -> str | None:
    still_open = _open_steps(subject)
    return f"Noch offene Schritte: {', '.join(still_open)}." if still_open else None


def _has_open_step(subject: Subject, _params: Params) -> str | None:
    return None if _open_steps(subject) else "Kein offener Schritt: zuerst einen Schritt öffnen."


def _has_note(_subject: Subject, params: Params) -> str | None:
    note = params.get("note")
    return None if isinstance(note, str) and note.strip() else "Bitte einen Grund angeben."


def _case_active(subject: Subject, _params: Params) -> str | None:
    closed = subject.facts.case.state == CaseState.CLOSED
    return "Der Fall ist abgeschlossen." if closed else None


def _step_eligible(subject: Subject, _params: Params) -> str | None:
    return STEPS[subject.kind or ""].eligible(subject.facts)


def _step_has_partner(subject: Subject, params: Params) -> str | None:
    category = STEPS[subject.kind or ""].partner_category
    if category is None:
        return "Für diesen Schritt ist keine Weitervermittlung vorgesehen."
    if subject.facts.partner_for(category) is None:
        district = subject.facts.household.district
        label = PARTNER_CATEGORY_LABELS[category]
        return f"Kein aktiver Partner '{label}' für den Bezirk {district} hinterlegt."
    return None


def _consent_given(subject: Subject, _params: Params) -> str | None:
    category = STEPS[subject.kind or ""].partner_category
    if category is None or category in subject.facts.consented_categories:
        return None
    label = PARTNER_CATEGORY_LABELS[category]
    return f"Einwilligung des Haushalts zur Weitergabe an '{label}' fehlt."


GUARDS = {
    guard.name: guard
    for guard in [
        Guard("appointment_in_future", _appointment_in_future, needs_input="at"),
        Guard("all_steps_closed", _all_steps_closed),
        Guard("has_open_step", _has_open_step),
        Guard("has_note", _has_note, needs_input="note"),
        Guard("case_active", _case_active),
        Guard("step_eligible", _step_eligible),
        Guard("step_has_partner", _step_has_partner),
        Guard("consent_given", _consent_given),
    ]
}

# ---------------------------------------------------------------------------------------------
# Effect builders: the names in the tables' ``after`` column. They only record.

VISIT_OF_TRIGGER = {
    "schedule_welcome_visit": AppointmentKind.WELCOME_VISIT,
    "reschedule_welcome_visit": AppointmentKind.WELCOME_VISIT,
    "record_welcome_visit": AppointmentKind.WELCOME_VISIT,
    "schedule_follow_up": AppointmentKind.FOLLOW_UP_VISIT,
    "reschedule_follow_up": AppointmentKind.FOLLOW_UP_VISIT,
    "complete_follow_up": AppointmentKind.FOLLOW_UP_VISIT,
    "continue_support": AppointmentKind.FOLLOW_UP_VISIT,
}


def _book_visit(subject: Subject, event: EventData) -> None:
    subject.effects.append(BookVisit(VISIT_OF_TRIGGER[event.event.name], event.kwargs["at"]))


def _finish_visit(subject: Subject, event: EventData) -> None:
    subject.effects.append(FinishVisit(VISIT_OF_TRIGGER[event.event.name]))


def _plan_follow_up(subject: Subject, _event: EventData) -> None:
    """Follow-up some weeks after the welcome visit, but never less than a week from now."""
    facts = subject.facts
    after = timedelta(days=facts.settings.follow_up_after_days)
    day = max(berlin(facts.welcome_visit_at + after).date(), facts.today + timedelta(days=7))
    subject.effects.append(SetMilestone(Milestone.FOLLOW_UP, end_of_day(day)))


def _clear_milestone(subject: Subject, _event: EventData) -> None:
    subject.effects.append(SetMilestone(None, None))


def _close_case(subject: Subject, _event: EventData) -> None:
    subject.effects.append(CloseCase())


def _plan_step(subject: Subject, event: EventData) -> None:
    kind = subject.kind or ""
    due = step_due(kind, subject.facts, bool(event.kwargs.get("at_intake")))
    subject.effects.append(PlanStep(kind, due, STEPS[kind].legal_deadline))


def _refer_to_partner(subject: Subject, _event: EventData) -> None:
    category = STEPS[subject.kind or ""].partner_category
    partner = subject.facts.partner_for(category)
    subject.effects.append(Refer(subject.kind or "", partner.id))


def _end_referral(subject: Subject, _event: EventData) -> None:
    subject.effects.append(EndReferral(subject.kind or ""))


def _close_step(subject: Subject, event: EventData) -> None:
    subject.effects.append(CloseStep(subject.kind or "", event.kwargs.get("note")))


BUILDERS = {
    "book_visit": _book_visit,
    "finish_visit": _finish_visit,
    "plan_follow_up": _plan_follow_up,
    "clear_milestone": _clear_milestone,
    "close_case": _close_case,
    "plan_step": _plan_step,
    "refer_to_partner": _refer_to_partner,
    "close_step": _close_step,
    "end_referral": _end_referral,
}

# ---------------------------------------------------------------------------------------------
# The tables. Rows with the same trigger are tried in order; the first whose guards hold wins.

S = CaseState
CASE_TRANSITIONS = [
    T(
        "schedule_welcome_visit",
        S.INTAKE,
        S.WELCOME_VISIT_SCHEDULED,
        ["appointment_in_future"],
        ["book_visit"],
        "Willkommensbesuch planen",
    ),
    T(
        "reschedule_welcome_visit",
        S.WELCOME_VISIT_SCHEDULED,
        None,
        ["appointment_in_future"],
        ["book_visit"],
        "Willkommensbesuch verschieben",
    ),
    T(
        "record_welcome_visit",
        S.WELCOME_VISIT_SCHEDULED,
        S.FOLLOW_UP_DUE,
        ["all_steps_closed"],
        ["finish_visit", "plan_follow_up"],
        "Willkommensbesuch erfolgt",
    ),
    T(
        "record_welcome_visit",
        S.WELCOME_VISIT_SCHEDULED,
        S.ACCOMPANYING,
        [],
        ["finish_visit", "clear_milestone"],
        "Willkommensbesuch erfolgt",
    ),
    T(
        "steps_finished",
        S.ACCOMPANYING,
        S.FOLLOW_UP_DUE,
        ["all_steps_closed"],
        ["plan_follow_up"],
        "Alle Schritte abgeschlossen",
    ),
    T(
        "steps_reopened",
        S.FOLLOW_UP_DUE,
        S.ACCOMPANYING,
        ["has_open_step"],
        ["clear_milestone"],
        "Schritt wieder offen",
    ),
    T(
        "schedule_follow_up",
        S.FOLLOW_UP_DUE,
        S.FOLLOW_UP_SCHEDULED,
        ["appointment_in_future"],
        ["book_visit"],
        "Nachbesuch planen",
    ),
    T(
        "reschedule_follow_up",
        S.FOLLOW_UP_SCHEDULED,
        None,
        ["appointment_in_future"],
        ["book_visit"],
        "Nachbesuch verschieben",
    ),
    T(
        "complete_follow_up",
        S.FOLLOW_UP_SCHEDULED,
        S.CLOSED,
        ["all_steps_closed"],
        ["finish_visit", "close_case"],
        "Nachbesuch erfolgt, Fall abschließen",
    ),
    T(
        "continue_support",
        S.FOLLOW_UP_SCHEDULED,
        S.ACCOMPANYING,
        ["has_open_step"],
        ["finish_visit", "clear_milestone"],
        "Nachbesuch erfolgt, Begleitung fortsetzen",
    ),
    T(
        "close_case",
        ACTIVE_CASE_STATES,
        S.CLOSED,
        ["has_note"],
        ["close_case"],
        "Fall vorzeitig schließen (mit Grund)",
    ),
]

P = StepState
STEP_TRANSITIONS = [
    T(
        "open",
        [P.INACTIVE, P.DONE, P.WAIVED],
        P.OPEN,
        ["case_active", "step_eligible"],
        ["plan_step"],
        "öffnen",
    ),
    T(
        "refer",
        P.OPEN,
        P.REFERRED,
        ["case_active", "step_has_partner", "consent_given"],
        ["refer_to_partner"],
        "weitervermitteln",
    ),
    # By staff (the partner said no on the phone), or by workflows.referral_answers when the
    # partner declines through its link or the household withdraws its consent.
    T(
        "end_referral",
        P.REFERRED,
        P.OPEN,
        ["case_active", "has_note"],
        ["end_referral"],
        "Weitervermittlung beendet (mit Grund)",
    ),
    T("complete", [P.OPEN, P.REFERRED], P.DONE, ["case_active"], ["close_step"], "erledigt"),
    T(
        "waive",
        [P.OPEN, P.REFERRED],
        P.WAIVED,
        ["case_active", "has_note"],
        ["close_step"],
        "entfällt (mit Grund)",
    ),
]

MOVE_IN = register(
    Workflow(
        name="move_in",
        version=1,
        case=Lifecycle(
            "case", [s.value for s in CaseState], S.INTAKE, CASE_TRANSITIONS, GUARDS, BUILDERS
        ),
        step=Lifecycle(
            "step", [s.value for s in StepState], P.INACTIVE, STEP_TRANSITIONS, GUARDS, BUILDERS
        ),
        step_kinds=[kind.value for kind in StepKind],
        step_labels={kind: step.label for kind, step in STEPS.items()},
        automatic=["steps_finished", "steps_reopened"],
    )
)
CURRENT = MOVE_IN
