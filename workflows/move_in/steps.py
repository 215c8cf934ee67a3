"""When a step of the move-in workflow is due: as its definition says, counted from the move-in
day, from the day the step was opened (at intake: the move-in day) or from the birth."""

from datetime import date, datetime, timedelta

from core.clock import start_of_day
from workflows.engine.facts import CaseFacts


def end_of_day(day: date) -> datetime:
    return start_of_day(day + timedelta(days=1))


def step_due(kind: str, facts: CaseFacts, at_intake: bool) -> datetime:
    """The end of the step's last day, by the case's definition (with its office's variant)."""
    due = facts.workflow.steps[kind].due
    moved_in = facts.household.moved_in_on
    if due.counted_from == "move_in":
        start = moved_in
    elif due.counted_from == "birth":
        start = facts.household.expected_birth_on or facts.today
    else:  # "opening"
        start = moved_in if at_intake else facts.today
    return end_of_day(start + timedelta(days=due.days))
