"""The vocabulary of the move-in workflow: case states, step states and step kinds."""

from enum import StrEnum


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


MILESTONE_STATES: dict[str, tuple[str, ...]] = {
    Milestone.WELCOME_VISIT: (CaseState.INTAKE, CaseState.WELCOME_VISIT_SCHEDULED),
    Milestone.FOLLOW_UP: (CaseState.FOLLOW_UP_DUE, CaseState.FOLLOW_UP_SCHEDULED),
}

CASE_STATE_LABELS: dict[str, str] = {
    CaseState.INTAKE: "Aufgenommen",
    CaseState.WELCOME_VISIT_SCHEDULED: "Willkommensbesuch geplant",
    CaseState.ACCOMPANYING: "In Begleitung",
    CaseState.FOLLOW_UP_DUE: "Nachbesuch fällig",
    CaseState.FOLLOW_UP_SCHEDULED: "Nachbesuch geplant",
    CaseState.CLOSED: "Abgeschlossen",
}

STEP_STATE_LABELS: dict[str, str] = {
    StepState.INACTIVE: "nicht geöffnet",
    StepState.OPEN: "offen",
    StepState.REFERRED: "weitervermittelt",
    StepState.WAITING: "auf Warteliste",
    StepState.DONE: "erledigt",
    StepState.WAIVED: "entfällt",
}

MILESTONE_LABELS: dict[str, str] = {
    Milestone.WELCOME_VISIT: "Willkommensbesuch",
    Milestone.FOLLOW_UP: "Nachbesuch",
}
