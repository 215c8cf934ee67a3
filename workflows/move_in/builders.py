"""The move-in workflow's effect builders: the names in the tables' ``after`` column.

They only record effects on the subject (``workflows.move_in.effects``); the engine applies them.
"""

from datetime import timedelta

from transitions import EventData

from core.clock import berlin
from models.enums import AppointmentKind
from workflows.engine.definition import Subject
from workflows.move_in.effects import (
    BookVisit,
    CloseCase,
    CloseStep,
    EndReferral,
    FinishVisit,
    HoldStep,
    PlanStep,
    Refer,
    SetMilestone,
)
from workflows.move_in.states import (
    Milestone,
)
from workflows.move_in.steps import end_of_day, step_due

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
    """Follow-up some weeks after the welcome visit, but never sooner than the definition allows
    from now (a week)."""
    facts = subject.facts
    follow_up = facts.workflow.milestones[Milestone.FOLLOW_UP]
    after = timedelta(days=follow_up.days)
    earliest = facts.today + timedelta(days=follow_up.at_least_days_ahead)
    day = max(berlin(facts.welcome_visit_at + after).date(), earliest)
    subject.effects.append(SetMilestone(Milestone.FOLLOW_UP, end_of_day(day)))


def _clear_milestone(subject: Subject, _event: EventData) -> None:
    subject.effects.append(SetMilestone(None, None))


def _close_case(subject: Subject, _event: EventData) -> None:
    subject.effects.append(CloseCase())


def _plan_step(subject: Subject, event: EventData) -> None:
    kind = subject.kind or ""
    due = step_due(kind, subject.facts, bool(event.kwargs.get("at_intake")))
    legal = subject.facts.workflow.steps[kind].legal_deadline
    subject.effects.append(PlanStep(kind, due, legal))


def _hold_step(subject: Subject, event: EventData) -> None:
    subject.effects.append(HoldStep(subject.kind or "", event.kwargs["on"], event.kwargs["note"]))


def _refer_to_partner(subject: Subject, event: EventData) -> None:
    category = subject.facts.workflow.steps[subject.kind or ""].partner_category
    chosen = event.kwargs.get("partner_id") or subject.facts.partner_for(category).id
    subject.effects.append(Refer(subject.kind or "", chosen, event.kwargs.get("message")))


def _end_referral(subject: Subject, _event: EventData) -> None:
    subject.effects.append(EndReferral(subject.kind or ""))


def _close_step(subject: Subject, event: EventData) -> None:
    happened = event.kwargs.get("happened_on")
    subject.effects.append(CloseStep(subject.kind or "", event.kwargs.get("note"), happened))


BUILDERS = {
    "book_visit": _book_visit,
    "finish_visit": _finish_visit,
    "plan_follow_up": _plan_follow_up,
    "clear_milestone": _clear_milestone,
    "close_case": _close_case,
    "plan_step": _plan_step,
    "hold_step": _hold_step,
    "refer_to_partner": _refer_to_partner,
    "close_step": _close_step,
    "end_referral": _end_referral,
}
