"""The one way to change a case: ``advance`` (and ``start`` for a new one).

Within the caller's transaction it loads the case, checks the trigger is allowed now and its
guards hold, then writes the new state, one history entry per transition and the effects.
The caller's unit of work commits; nothing leaves the process before that.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, insert
from sqlmodel import Session, col, select

import workflows.move_in.tables  # noqa: F401 - registers the workflow definitions cases run on
from core.clock import utc_now
from core.config import get_settings
from models import Case, CaseEvent, CaseStep, Household, Staff
from workflows.engine import reminders
from workflows.engine.access import staff_may_work_on
from workflows.engine.definition import Lifecycle, Subject, Workflow, get_workflow
from workflows.engine.errors import (
    CaseNotFound,
    GuardFailed,
    StaleCase,
    TransitionNotAllowed,
    UnknownTrigger,
)
from workflows.engine.facts import CaseFacts
from workflows.move_in.effects import Context
from workflows.move_in.states import OPEN_STEP_STATES, CaseState, StepState


@dataclass(frozen=True)
class TriggerOption:
    """A button on the case page: the trigger, its label, and why it is refused if it is."""

    trigger: str
    label: str
    allowed: bool
    reason: str | None
    needs_input: tuple[str, ...]


def advance(
    session: Session,
    case_id: int,
    trigger: str,
    *,
    actor_id: int | None,
    note: str | None = None,
    at: datetime | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Apply ``trigger`` to the case and record who did it, or raise a domain error."""
    now = now or utc_now()
    loaded = _lock(session, case_id, actor_id)
    if loaded is None:
        raise CaseNotFound(case_id)
    case, household, staff = loaded
    if actor_id is not None and (staff is None or not staff_may_work_on(staff, case.office_id)):
        raise CaseNotFound(case_id)  # another office's case is not shown, not merely refused
    if expected_version is not None and case.version != expected_version:
        raise StaleCase(case_id, expected_version, case.version)
    change = Change(session, case, actor_id=actor_id, now=now, note=note, household=household)
    subject, lifecycle, verb = change.judge(trigger, {"note": note, "at": at})
    # Goes out with the new state in one UPDATE; a form showing the old version is now stale.
    case.version, case.updated_at = case.version + 1, now
    with reminders.queued_together(session):
        change.write(trigger, subject, lifecycle, verb)
        change.finish()
    return case


# Built once: building and keying a statement costs more than running this one.
_LOCK = (
    select(Case, Household, Staff)
    .join(Household, col(Household.id) == Case.household_id)
    .outerjoin(Staff, col(Staff.id) == bindparam("actor_id"))  # None (the system): no row
    .where(col(Case.id) == bindparam("case_id"))
    .with_for_update(key_share=True, of=Case)
    .execution_options(populate_existing=True)
)


def _lock(
    session: Session, case_id: int, actor_id: int | None
) -> tuple[Case, Household, Staff | None] | None:
    """The case, read fresh and held until commit, with its household and the actor.

    Two changes to one case queue instead of racing: PostgreSQL locks the case row (``FOR NO
    KEY UPDATE``: rows that merely refer to the case can still be written), SQLite's ``BEGIN
    IMMEDIATE`` serialises every writer already. The second one is judged against what the
    first committed, so the same step done twice is refused and two different steps both hold.
    The steps are read by the next statement (``CaseFacts.steps``), not joined here: after
    waiting for the lock, PostgreSQL re-reads the locked row but not the rows joined to it.
    """
    row = session.execute(_LOCK, {"case_id": case_id, "actor_id": actor_id}).first()
    return None if row is None else (row[0], row[1], row[2])


_RECORD = insert(CaseEvent.__table__)  # type: ignore[attr-defined]


class Change:
    """One change to one case: judging triggers, writing their outcome, keeping derived fields."""

    def __init__(
        self,
        session: Session,
        case: Case,
        *,
        actor_id: int | None,
        now: datetime,
        note: str | None,
        household: Household | None = None,
    ) -> None:
        self.session, self.case, self.actor_id, self.now, self.note = (
            session,
            case,
            actor_id,
            now,
            note,
        )
        self.workflow: Workflow = get_workflow(case.workflow, case.workflow_version)
        # The steps this change moved, while only steps moved: only their reminders may be moot.
        self.touched_steps: list[CaseStep] | None = []
        self.facts = CaseFacts(
            session,
            case,
            actor_id=actor_id,
            now=now,
            settings=get_settings(),
            household=household,
        )

    def subject_for(self, trigger: str) -> tuple[Subject, Lifecycle, str]:
        step = self.workflow.step_trigger(trigger)
        if step is not None:
            verb, kind = step
            row = self.facts.steps.get(kind)
            state = row.state if row is not None else StepState.INACTIVE.value
            return self.workflow.step.subject(state, self.facts, kind), self.workflow.step, verb
        if trigger in self.workflow.case.triggers:
            return (
                self.workflow.case.subject(self.case.state, self.facts),
                self.workflow.case,
                trigger,
            )
        raise UnknownTrigger(
            trigger, self.case.state, [o.trigger for o in self.options() if o.allowed]
        )

    def judge(self, trigger: str, params: dict[str, Any]) -> tuple[Subject, Lifecycle, str]:
        """Run the trigger on a subject in memory; raises unless allowed and its guards hold."""
        subject, lifecycle, verb = self.subject_for(trigger)
        if verb not in lifecycle.triggers_from(subject.state):
            allowed = [o.trigger for o in self.options() if o.allowed]
            raise TransitionNotAllowed(trigger, subject.state, allowed)
        if not lifecycle.fire(subject, verb, params):
            guard = subject.failures[-1][0] if subject.failures else "?"
            raise GuardFailed(trigger, guard, _reason(subject))
        return subject, lifecycle, verb

    def write(self, trigger: str, subject: Subject, lifecycle: Lifecycle, verb: str) -> None:
        """Persist the subject's new state, one history entry, and the effects it recorded."""
        if subject.kind is not None:
            before = self._step_row(subject.kind)
            from_state, before.state = before.state, subject.state
            if self.touched_steps is not None:
                self.touched_steps.append(before)
        else:
            from_state, self.case.state = self.case.state, subject.state
            self.touched_steps = None  # the case itself changed: any reminder may be moot
        self.record(trigger, subject.kind, from_state, subject.state)
        # No flush here: effects that need ids flush themselves, queries autoflush, and the
        # step's state and closing time then go out as one UPDATE.
        context = Context(
            self.session, self.case, self.facts, self.actor_id, self.now, self.facts.settings
        )
        for effect in subject.effects:
            effect.apply(context)

    def record(
        self, trigger: str, step_kind: str | None, from_state: str | None, to_state: str
    ) -> None:
        """One history entry: a plain INSERT (no ORM object: it is never read back here) that
        flushes nothing, so the rows it changed go out together later."""
        entry: dict[str, Any] = {"case_id": self.case.id, "at": self.now, "note": self.note}
        entry |= {"actor_id": self.actor_id, "trigger": trigger, "step_kind": step_kind}
        entry |= {"from_state": from_state, "to_state": to_state}
        with self.session.no_autoflush:
            self.session.execute(_RECORD, entry)

    def _step_row(self, kind: str) -> CaseStep:
        row = self.facts.steps.get(kind)
        if row is None:
            row = CaseStep(case_id=self.case.id, kind=kind, state=StepState.INACTIVE)  # type: ignore[arg-type]
            self.session.add(row)
            self.facts.steps[kind] = row
        return row

    def fire(self, trigger: str, **params: Any) -> None:
        """Judge and write one more trigger within this change (used by ``start``)."""
        subject, lifecycle, verb = self.judge(trigger, {"note": self.note, "at": None, **params})
        self.write(trigger, subject, lifecycle, verb)

    def finish(self) -> None:
        """Fire the automatic transitions, cancel moot reminders, keep the derived fields true."""
        case_lifecycle = self.workflow.case
        for trigger in self.workflow.automatic:
            if trigger in case_lifecycle.triggers_from(self.case.state):
                subject = case_lifecycle.subject(self.case.state, self.facts)
                if case_lifecycle.fire(subject, trigger, {"note": None, "at": None}):
                    self.note = "automatisch"
                    self.write(trigger, subject, case_lifecycle, trigger)
        _ = self.facts.steps  # loaded once here, so judging the reminders finds them in the session
        reminders.cancel_obsolete(self.session, self.case, steps=self.touched_steps)
        self.case.updated_at = self.now
        self.case.next_due_at = self._next_due()
        self.session.flush()

    def _next_due(self) -> datetime | None:
        if self.case.state == CaseState.CLOSED:
            return None
        dues = [s.due_at for s in self.facts.steps.values() if s.state in OPEN_STEP_STATES]
        dues.append(self.case.milestone_due_at)
        present = [due for due in dues if due is not None]
        return min(present) if present else None

    def options(self) -> list[TriggerOption]:
        """Every trigger offered from the current state, allowed or with the reason it is not."""
        options = []
        case_lifecycle = self.workflow.case
        for trigger in case_lifecycle.triggers_from(self.case.state):
            if trigger not in self.workflow.automatic:
                options.append(self._option(trigger, case_lifecycle, self.case.state, None))
        if self.case.state != CaseState.CLOSED:
            for kind in self.workflow.step_kinds:
                row = self.facts.steps.get(kind)
                state = row.state if row is not None else StepState.INACTIVE.value
                for verb in self.workflow.step.triggers_from(state):
                    options.append(self._option(f"{verb}_{kind}", self.workflow.step, state, kind))
        return options

    def _option(
        self, trigger: str, lifecycle: Lifecycle, state: str, kind: str | None
    ) -> TriggerOption:
        subject = lifecycle.subject(state, self.facts, kind)
        subject.judge_input = False
        verb = trigger if kind is None else trigger.removesuffix(f"_{kind}")
        allowed = lifecycle.may(subject, verb, {"note": None, "at": None})
        rows = [t for t in lifecycle.transitions if t.trigger == verb]
        needs = {lifecycle.guards[g].needs_input for t in rows for g in t.conditions}
        return TriggerOption(
            trigger=trigger,
            label=self.workflow.label(trigger),
            allowed=allowed,
            reason=None if allowed else _reason(subject),
            needs_input=tuple(sorted(n for n in needs if n)),
        )


def _reason(subject: Subject) -> str:
    return subject.failures[-1][1] if subject.failures else "Im aktuellen Zustand nicht möglich."


def allowed_triggers(
    session: Session, case_id: int, now: datetime | None = None
) -> list[TriggerOption]:
    """The buttons for a case: triggers possible now and, for the others, why not."""
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(case_id)
    return Change(session, case, actor_id=None, now=now or utc_now(), note=None).options()
