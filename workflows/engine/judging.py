"""Judging a trigger on one case: is it offered in the current state, do its guards hold?

Pure: the machine runs on a short-lived subject in memory, guards only read the case's facts,
and effect builders only record. Nothing here writes, so the same code decides which buttons a
case page shows and whether ``advance`` may go ahead.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from models import Case
from workflows.engine.definition import Lifecycle, Subject, Workflow
from workflows.engine.errors import GuardFailed, TransitionNotAllowed, UnknownTrigger
from workflows.engine.facts import CaseFacts

# Every input a trigger may take: a note, a moment, a day, the day something really happened,
# a confirmation, a partner chosen by hand and a message to it. None of them given: the
# state a button is judged in.
NO_INPUT: Mapping[str, Any] = {
    "note": None, "at": None, "on": None, "happened_on": None, "confirm": False,
    "partner_id": None, "message": None,
}  # fmt: skip


@dataclass(frozen=True)
class TriggerOption:
    """A button on the case page: the trigger, its label, and why it is refused if it is."""

    trigger: str
    label: str
    allowed: bool
    reason: str | None
    needs_input: tuple[str, ...]


@dataclass(frozen=True)
class Judged:
    """A trigger that may go ahead: the subject carries the new state and the effects."""

    trigger: str
    subject: Subject
    lifecycle: Lifecycle
    verb: str


class Judge:
    """Runs triggers of one workflow on one case in memory and says what they would do."""

    def __init__(self, workflow: Workflow, case: Case, facts: CaseFacts) -> None:
        self.workflow, self.case, self.facts = workflow, case, facts

    def judge(self, trigger: str, params: Mapping[str, Any]) -> Judged:
        """Run the trigger on a subject; raises unless it is offered now and its guards hold."""
        subject, lifecycle, verb = self._subject_for(trigger)
        if verb not in lifecycle.triggers_from(subject.state):
            raise TransitionNotAllowed(trigger, subject.state, self.allowed())
        if not lifecycle.fire(subject, verb, params):
            guard = subject.failures[-1][0] if subject.failures else "?"
            raise GuardFailed(trigger, guard, reason(subject))
        return Judged(trigger, subject, lifecycle, verb)

    def automatic(self, trigger: str) -> Judged | None:
        """An automatic case trigger (e.g. "all steps closed") if it fires now, else None."""
        lifecycle = self.workflow.case
        if trigger not in lifecycle.triggers_from(self.case.state):
            return None
        subject = lifecycle.subject(self.case.state, self.facts)
        fired = lifecycle.fire(subject, trigger, NO_INPUT)
        return Judged(trigger, subject, lifecycle, trigger) if fired else None

    def step_state(self, kind: str) -> str:
        row = self.facts.steps.get(kind)
        return row.state if row is not None else self.workflow.step.initial

    def _subject_for(self, trigger: str) -> tuple[Subject, Lifecycle, str]:
        step = self.workflow.step_trigger(trigger)
        if step is not None:
            verb, kind = step
            lifecycle = self.workflow.step
            return lifecycle.subject(self.step_state(kind), self.facts, kind), lifecycle, verb
        if trigger in self.workflow.case.triggers:
            lifecycle = self.workflow.case
            return lifecycle.subject(self.case.state, self.facts), lifecycle, trigger
        raise UnknownTrigger(trigger, self.case.state, self.allowed())

    def allowed(self) -> list[str]:
        return [option.trigger for option in self.options() if option.allowed]

    def options(self) -> list[TriggerOption]:
        """Every trigger offered from the current state, allowed or with the reason it is not."""
        workflow, case_lifecycle = self.workflow, self.workflow.case
        options = [
            self._option(trigger, case_lifecycle, self.case.state, None)
            for trigger in case_lifecycle.triggers_from(self.case.state)
            if trigger not in workflow.automatic
        ]
        if not workflow.is_closed(self.case.state):
            for kind in workflow.step_kinds:
                state = self.step_state(kind)
                for verb in workflow.step.triggers_from(state):
                    options.append(self._option(f"{verb}_{kind}", workflow.step, state, kind))
        return options

    def _option(
        self, trigger: str, lifecycle: Lifecycle, state: str, kind: str | None
    ) -> TriggerOption:
        subject = lifecycle.subject(state, self.facts, kind)
        subject.judge_input = False  # a button is offered before its note or time is typed
        verb = trigger if kind is None else trigger.removesuffix(f"_{kind}")
        allowed = lifecycle.may(subject, verb, NO_INPUT)
        return TriggerOption(
            trigger=trigger,
            label=self.workflow.label(trigger),
            allowed=allowed,
            reason=None if allowed else reason(subject),
            needs_input=lifecycle.needs_input(verb),
        )


def reason(subject: Subject) -> str:
    """Why the subject's last trigger was refused, in words staff understand."""
    return subject.failures[-1][1] if subject.failures else "Im aktuellen Zustand nicht möglich."
