"""The move-in workflow's two transitions tables (the case's and every step's), registered.

Rows are data: ``trigger / source / dest / conditions / after``, the names of the guards
(``guards.py``) and effect builders (``builders.py``) of this package. ``workflows.engine``
compiles them once and runs them for every case.
"""

from workflows.engine.definition import Lifecycle, T, Workflow, register
from workflows.move_in.builders import BUILDERS
from workflows.move_in.guards import GUARDS
from workflows.move_in.states import (
    ACTIVE_CASE_STATES,
    MILESTONE_STATES,
    OPEN_STEP_STATES,
    CaseState,
    StepKind,
    StepState,
)
from workflows.move_in.steps import STEPS

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
        ["welcome_visit_not_ahead", "all_steps_closed"],
        ["finish_visit", "plan_follow_up"],
        "Willkommensbesuch erfolgt",
    ),
    T(
        "record_welcome_visit",
        S.WELCOME_VISIT_SCHEDULED,
        S.ACCOMPANYING,
        ["welcome_visit_not_ahead"],
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
        ["follow_up_not_ahead", "all_steps_closed"],
        ["finish_visit", "close_case"],
        "Nachbesuch erfolgt, Fall abschließen",
    ),
    T(
        "continue_support",
        S.FOLLOW_UP_SCHEDULED,
        S.ACCOMPANYING,
        ["follow_up_not_ahead", "has_open_step"],
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
        ["case_active", "step_has_partner", "consent_given", "chosen_partner_fits"],
        ["refer_to_partner"],
        "weitervermitteln",
    ),
    # By staff (the partner said no on the phone), or by workflows.referrals.answers when the
    # partner declines through its link or the household withdraws its consent.
    T(
        "end_referral",
        P.REFERRED,
        P.OPEN,
        ["case_active", "has_note"],
        ["end_referral"],
        "Weitervermittlung beendet (mit Grund)",
    ),
    # A waiting list (a Kita place months away): no deadline, no escalation; the caseworker
    # is reminded on the follow-up date.
    T(
        "hold",
        P.OPEN,
        P.WAITING,
        ["case_active", "no_legal_deadline", "has_note", "follow_up_date"],
        ["hold_step"],
        "auf Warteliste (mit Grund und Wiedervorlage)",
    ),
    T("resume", P.WAITING, P.OPEN, ["case_active"], ["plan_step"], "weiter bearbeiten"),
    T(
        "complete",
        [P.OPEN, P.REFERRED, P.WAITING],
        P.DONE,
        ["case_active", "happened_plausibly"],
        ["close_step"],
        "erledigt",
    ),
    T(
        "waive",
        [P.OPEN, P.REFERRED, P.WAITING],
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
            "case",
            [s.value for s in CaseState],
            S.INTAKE,
            CASE_TRANSITIONS,
            GUARDS,
            BUILDERS,
            final=[S.CLOSED.value],
        ),
        step=Lifecycle(
            "step", [s.value for s in StepState], P.INACTIVE, STEP_TRANSITIONS, GUARDS, BUILDERS
        ),
        step_kinds=[kind.value for kind in StepKind],
        step_labels={kind: step.label for kind, step in STEPS.items()},
        automatic=["steps_finished", "steps_reopened"],
        open_step_states=OPEN_STEP_STATES,
        household_step_states=[P.OPEN.value],
        milestone_states=MILESTONE_STATES,
    )
)
CURRENT = MOVE_IN
