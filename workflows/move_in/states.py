"""The vocabulary the move-in workflow's Python code speaks: case states, step states, step kinds
and milestones it refers to by name. Their labels are the definition file's."""

from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import StrEnum
from typing import Any, TypeVar

V = TypeVar("V")


class CaseState(StrEnum):
    INTAKE = "intake"  # opened; welcome visit not yet planned
    WELCOME_VISIT_SCHEDULED = "welcome_visit_scheduled"
    ACCOMPANYING = "accompanying"  # steps in progress (Begleitung)
    FOLLOW_UP_DUE = "follow_up_due"  # all steps closed; follow-up visit to plan
    FOLLOW_UP_SCHEDULED = "follow_up_scheduled"
    CLOSED = "closed"


ACTIVE_CASE_STATES = [state.value for state in CaseState if state is not CaseState.CLOSED]


class StepState(StrEnum):
    INACTIVE = "inactive"  # not opened (does not apply, or not requested)
    OPEN = "open"
    REFERRED = "referred"  # handed to a partner, waiting for the outcome
    WAITING = "waiting"  # on a waiting list (Kita place): no deadline, a follow-up date
    DONE = "done"
    WAIVED = "waived"  # closed without doing it, with a reason


# Running against a deadline: overdue lists and escalations look at these.
OPEN_STEP_STATES = (StepState.OPEN.value, StepState.REFERRED.value)
# Not finished: the case does not move on to its follow-up visit while one of these is left.
UNFINISHED_STEP_STATES = (*OPEN_STEP_STATES, StepState.WAITING.value)


class StepKind(StrEnum):
    REGISTRATION = "registration"
    ENERGY = "energy"
    SCHOOL = "school"
    KINDERGARTEN = "kindergarten"
    TRANSIT_TICKET = "transit_ticket"
    JOB_SEARCH = "job_search"
    BIRTH = "birth"


class Milestone(StrEnum):
    """Case-level deadlines: the visit must have happened before the case leaves these states."""

    WELCOME_VISIT = "welcome_visit"
    FOLLOW_UP = "follow_up"


class CurrentDefinition(Mapping[str, V]):
    """A mapping read from the current definition file when asked (it is loaded after this
    module, from ``definitions/``): the labels staff read are data, not code."""

    def __init__(self, read: Callable[[Any], Mapping[str, V]]) -> None:
        self._read = read

    def _now(self) -> Mapping[str, V]:
        from workflows.move_in.versions import CURRENT

        return self._read(CURRENT)

    def __getitem__(self, key: str) -> V:
        return self._now()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._now())

    def __len__(self) -> int:
        return len(self._now())


CASE_STATE_LABELS: Mapping[str, str] = CurrentDefinition(lambda w: w.case.labels)
STEP_STATE_LABELS: Mapping[str, str] = CurrentDefinition(lambda w: w.step.labels)
MILESTONE_LABELS: Mapping[str, str] = CurrentDefinition(
    lambda w: {name: m.label for name, m in w.milestones.items()}
)
# Per milestone, the case states in which it still runs.
MILESTONE_STATES: Mapping[str, Sequence[str]] = CurrentDefinition(lambda w: w.milestone_states)
