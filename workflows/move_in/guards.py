"""The move-in workflow's guards: pure checks that return the reason they fail, or None.

The names in the tables' ``conditions`` column; the engine runs them to decide which buttons to
show, so none of them writes, sends or sleeps.
"""

from collections.abc import Callable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from core.clock import format_berlin
from models.enums import PARTNER_CATEGORY_LABELS, AppointmentKind
from workflows import consent
from workflows.engine.definition import Guard, StepDef, Subject
from workflows.move_in.states import (
    UNFINISHED_STEP_STATES,
    CaseState,
)

Params = Mapping[str, Any]


def _step(subject: Subject) -> StepDef:
    """The subject's step as the case's definition (with its office's variant) has it."""
    return subject.facts.workflow.steps[subject.kind or ""]


def _appointment_in_future(subject: Subject, params: Params) -> str | None:
    at = params.get("at")
    if not isinstance(at, datetime) or at.tzinfo is None:
        return "Bitte Datum und Uhrzeit des Termins angeben."
    if at <= subject.facts.now:
        return "Der Termin muss in der Zukunft liegen."
    return None


def _open_steps(subject: Subject) -> list[str]:
    steps = subject.facts.steps.values()
    labels = subject.facts.workflow.step_labels
    return [labels.get(s.kind, s.kind) for s in steps if s.state in UNFINISHED_STEP_STATES]


def _all_steps_closed(subject: Subject, _params: Params) -> str | None:
    still_open = _open_steps(subject)
    return f"Noch offene Schritte: {', '.join(still_open)}." if still_open else None


def _has_open_step(subject: Subject, _params: Params) -> str | None:
    return None if _open_steps(subject) else "Kein offener Schritt: zuerst einen Schritt öffnen."


def _has_note(_subject: Subject, params: Params) -> str | None:
    note = params.get("note")
    return None if isinstance(note, str) and note.strip() else "Bitte einen Grund angeben."


# A waiting list is looked at again within a year at the latest.
LONGEST_HOLD_DAYS = 366


def _follow_up_date(subject: Subject, params: Params) -> str | None:
    on = params.get("on")
    if not isinstance(on, date) or isinstance(on, datetime):
        return "Bitte ein Datum für die Wiedervorlage angeben."
    today = subject.facts.today
    if on <= today:
        return "Die Wiedervorlage muss nach heute liegen."
    if on > today + timedelta(days=LONGEST_HOLD_DAYS):
        return "Die Wiedervorlage darf höchstens ein Jahr entfernt sein."
    return None


# Which planned visit each trigger records as held.
VISIT_HELD = {
    "record_welcome_visit": AppointmentKind.WELCOME_VISIT,
    "complete_follow_up": AppointmentKind.FOLLOW_UP_VISIT,
    "continue_support": AppointmentKind.FOLLOW_UP_VISIT,
}


def _visit_not_ahead(kind: AppointmentKind) -> Callable[[Subject, Params], str | None]:
    """A visit recorded before its planned time: only with an explicit confirmation."""

    def check(subject: Subject, params: Params) -> str | None:
        visit = subject.facts.scheduled_visit(kind)
        if visit is None or visit.starts_at <= subject.facts.now or params.get("confirm") is True:
            return None
        return (
            f"Der Besuch ist erst für {format_berlin(visit.starts_at)} geplant. Fand er "
            "früher statt, bitte ausdrücklich bestätigen."
        )

    return check


def _happened_plausibly(subject: Subject, params: Params) -> str | None:
    day = params.get("happened_on")
    if day is None:
        return None  # today
    if not isinstance(day, date) or isinstance(day, datetime):
        return "Bitte ein Datum angeben."
    today = subject.facts.today
    if day > today:
        return "Das Datum liegt in der Zukunft."
    if day < today - timedelta(days=LONGEST_HOLD_DAYS):
        return "Das Datum liegt mehr als ein Jahr zurück."
    return None


def _no_legal_deadline(subject: Subject, _params: Params) -> str | None:
    legal = _step(subject).legal_deadline
    return "Eine gesetzliche Frist wartet nicht: keine Warteliste." if legal else None


def _case_active(subject: Subject, _params: Params) -> str | None:
    closed = subject.facts.case.state == CaseState.CLOSED
    return "Der Fall ist abgeschlossen." if closed else None


def _step_eligible(subject: Subject, _params: Params) -> str | None:
    return _step(subject).eligible(subject.facts)


def _step_has_partner(subject: Subject, params: Params) -> str | None:
    category = _step(subject).partner_category
    if category is None:
        return "Für diesen Schritt ist keine Weitervermittlung vorgesehen."
    if subject.facts.partner_for(category) is None:
        district = subject.facts.household.district
        label = PARTNER_CATEGORY_LABELS.get(category, category)  # type: ignore[call-overload]
        return f"Kein aktiver Partner '{label}' für den Bezirk {district} hinterlegt."
    return None


def _chosen_partner_fits(subject: Subject, params: Params) -> str | None:
    """A partner chosen by hand must be one that may take this step for this household."""
    chosen = params.get("partner_id")
    if chosen is None:
        return None  # the suggested one
    category = _step(subject).partner_category
    fitting = subject.facts.partners_for(category) if category else []
    if not any(partner.id == chosen for partner in fitting):
        return "Dieser Partner passt nicht (Art, Bezirk oder nicht aktiv)."
    return None


def _consent_given(subject: Subject, _params: Params) -> str | None:
    category = _step(subject).partner_category
    if category is None or category in subject.facts.consented_categories:
        return None
    facts = subject.facts
    return consent.missing(facts.consents.get(category), category, facts.today)


GUARDS = {
    guard.name: guard
    for guard in [
        Guard("appointment_in_future", _appointment_in_future, needs_input="at"),
        Guard("all_steps_closed", _all_steps_closed),
        Guard("has_open_step", _has_open_step),
        Guard("has_note", _has_note, needs_input="note"),
        Guard("follow_up_date", _follow_up_date, needs_input="on"),
        Guard("no_legal_deadline", _no_legal_deadline),
        Guard(
            "welcome_visit_not_ahead",
            _visit_not_ahead(AppointmentKind.WELCOME_VISIT),
            needs_input="confirm",
        ),
        Guard(
            "follow_up_not_ahead",
            _visit_not_ahead(AppointmentKind.FOLLOW_UP_VISIT),
            needs_input="confirm",
        ),
        Guard("happened_plausibly", _happened_plausibly, needs_input="happened_on"),
        Guard("case_active", _case_active),
        Guard("step_eligible", _step_eligible),
        Guard("step_has_partner", _step_has_partner),
        Guard("consent_given", _consent_given),
        Guard("chosen_partner_fits", _chosen_partner_fits, needs_input="partner_id"),
    ]
}
