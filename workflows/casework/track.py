"""A case's track in plain German: the stations it passes — its definition's states in their
words, with the day it reached each, the current one with what is due next — and each step
with what became of it: done on a day, open until its deadline, with a partner, on a waiting
list until a day, waived, not opened. Drawn from the case's own definition and history, so it
reads the same for any workflow."""

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.clock import berlin, format_deadline
from models import Appointment, Case, CaseEvent, CaseStep
from models.enums import APPOINTMENT_KIND_LABELS
from workflows.engine.definition import Workflow

Passage = Literal["passed", "current", "skipped", "ahead"]


@dataclass(frozen=True)
class Station:
    state: str
    label: str
    passage: Passage
    since: date | None  # the day the case (first) reached it
    next: list[str]  # at the current station: what is due or planned next


@dataclass(frozen=True)
class StepLine:
    kind: str
    label: str
    state: str
    words: str  # "offen – fällig bis 17.11.2026"
    overdue: bool
    legal: bool


@dataclass(frozen=True)
class Track:
    stations: list[Station]
    steps: list[StepLine]


def _day(moment: datetime | date | None) -> str:
    if moment is None:
        return "–"
    return f"{berlin(moment) if isinstance(moment, datetime) else moment:%d.%m.%Y}"


def _reached(session: Session, case: Case) -> dict[str, date]:
    """Each case state the history shows it entered, with the first day it did."""
    rows = session.exec(
        select(CaseEvent.to_state, func.min(CaseEvent.at))
        .where(
            CaseEvent.case_id == case.id,
            col(CaseEvent.step_kind).is_(None),
            col(CaseEvent.to_state).is_not(None),
        )
        .group_by(col(CaseEvent.to_state))
    ).all()
    return {state: berlin(at).date() for state, at in rows if state is not None}


def track(
    session: Session,
    case: Case,
    workflow: Workflow,
    steps: Sequence[CaseStep],
    appointments: Sequence[Appointment],
    now: datetime,
    partners: dict[int, str] | None = None,
) -> Track:
    """The case's stations and steps (``appointments``: its planned visits; ``partners``: the
    partner of each step's latest referral)."""
    reached = _reached(session, case)
    reached.setdefault(workflow.case.initial, berlin(case.opened_at).date())
    states = [str(s) for s in workflow.case.states]
    here = states.index(case.state) if case.state in states else len(states)
    stations = []
    for index, state in enumerate(states):
        if state == case.state:
            passage: Passage = "current"
        elif state in reached:
            passage = "passed"
        else:
            passage = "skipped" if index < here else "ahead"
        upcoming = _next(case, workflow, appointments) if passage == "current" else []
        label = workflow.case.labels.get(state, state)
        stations.append(Station(state, label, passage, reached.get(state), upcoming))
    lines = [_step_line(workflow, step, now, partners or {}) for step in steps]
    return Track(stations, lines)


def _next(case: Case, workflow: Workflow, appointments: Sequence[Appointment]) -> list[str]:
    found = []
    for appointment in appointments:
        kind = APPOINTMENT_KIND_LABELS.get(appointment.kind, appointment.kind)
        when = berlin(appointment.starts_at).strftime("%d.%m.%Y, %H:%M Uhr")
        found.append(f"{kind} geplant: {when}")
    if case.milestone_due_at is not None:
        for milestone in workflow.milestones.values():
            if case.state in milestone.states:
                found.append(
                    f"{milestone.label} fällig bis {format_deadline(case.milestone_due_at)}"
                )
    return found


def _step_line(
    workflow: Workflow, step: CaseStep, now: datetime, partners: dict[int, str]
) -> StepLine:
    definition = workflow.steps.get(step.kind)
    label = definition.label if definition else step.kind
    due = f"fällig bis {format_deadline(step.due_at)}"
    partner = partners.get(step.id) if step.id is not None else None
    words = {
        "done": f"erledigt am {_day(step.done_on or step.closed_at)}",
        "open": f"offen – {due}",
        "referred": f"weitervermittelt{f' an {partner}' if partner else ''} – {due}",
        "waiting": f"auf Warteliste – Wiedervorlage am {_day(step.hold_until)}",
        "waived": "entfällt" + (f": {step.waive_reason}" if step.waive_reason else ""),
        "inactive": "nicht geöffnet",
    }.get(step.state, workflow.step.labels.get(step.state, step.state))
    running = step.state in workflow.open_step_states
    overdue = running and step.due_at is not None and step.due_at < now
    return StepLine(step.kind, label, step.state, words, overdue, bool(step.legal_deadline))
