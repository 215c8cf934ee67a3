"""Writing what a judged trigger decided: the new state, one history entry, the effects."""

from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from models import Case, CaseEvent, CaseStep
from workflows.engine.effects import Context
from workflows.engine.facts import CaseFacts
from workflows.engine.judging import Judged

_RECORD = insert(CaseEvent.__table__)  # type: ignore[attr-defined]


class Writer:
    """Writes one change's transitions into the caller's transaction; flushes only when needed."""

    def __init__(
        self,
        session: Session,
        case: Case,
        facts: CaseFacts,
        *,
        actor_id: int | None,
        now: datetime,
        step_initial: str,
        versioned: bool = False,
    ) -> None:
        self.session, self.case, self.facts = session, case, facts
        self.versioned = versioned  # a change to a case on record: its version goes up
        self.actor_id, self.now, self.step_initial = actor_id, now, step_initial
        # The steps this change moved, while only steps moved: only their reminders may be moot.
        self.touched_steps: list[CaseStep] | None = []
        self.written = False  # anything on record yet (a history entry)
        # The history entries written, in order (not read back: the caller can answer from them).
        self.recorded: list[CaseEvent] = []

    def write(self, judged: Judged, note: str | None) -> None:
        """Persist the subject's new state, one history entry, and the effects it recorded."""
        subject = judged.subject
        if subject.kind is not None:
            step = self._step_row(subject.kind)
            from_state, step.state = step.state, subject.state
            if self.touched_steps is not None:
                self.touched_steps.append(step)
        else:
            from_state, self.case.state = self.case.state, subject.state
            self.touched_steps = None  # the case itself changed: any reminder may be moot
        self.record(judged.trigger, subject.kind, from_state, subject.state, note)
        # No flush here: effects that need ids flush themselves, queries autoflush, and the
        # step's state and closing time then go out as one UPDATE.
        context = Context(
            self.session, self.case, self.facts, self.actor_id, self.now, self.facts.settings
        )
        for effect in subject.effects:
            effect.apply(context)

    def record(
        self,
        trigger: str,
        step_kind: str | None,
        from_state: str | None,
        to_state: str | None,
        note: str | None,
    ) -> None:
        """One history entry: a plain INSERT (no ORM object: it is never read back here) that
        flushes nothing, so the rows it changed go out together later."""
        if not self.written and self.versioned:
            # A form showing the old version is stale now. Set with the first entry, so it goes
            # out with the new state in the change's first UPDATE of the case.
            self.case.version, self.case.updated_at = self.case.version + 1, self.now
        self.written = True
        entry: dict[str, Any] = {"case_id": self.case.id, "at": self.now, "note": note}
        entry |= {"actor_id": self.actor_id, "trigger": trigger, "step_kind": step_kind}
        entry |= {"from_state": from_state, "to_state": to_state}
        with self.session.no_autoflush:
            self.session.execute(_RECORD, entry)
        self.recorded.append(CaseEvent(**entry))  # transient: never added to the session

    def _step_row(self, kind: str) -> CaseStep:
        row = self.facts.steps.get(kind)
        if row is None:
            row = CaseStep(case_id=self.case.id, kind=kind, state=self.step_initial)  # type: ignore[arg-type]
            self.session.add(row)
            self.facts.steps[kind] = row
        return row
