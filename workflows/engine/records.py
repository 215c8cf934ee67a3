"""Workflows of one lifecycle on a record that is no case (a round table's action item).

The same machinery as a case's: a definition file compiled into a :class:`Lifecycle`, guards
that say why not in words staff understand, effect builders that only record, the buttons
judged before anything is typed. What is written — the record's new state, its history, the
effects — is the owning capability's, in its caller's transaction.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from workflows.engine.definition import Lifecycle, Subject
from workflows.engine.errors import GuardFailed, TransitionNotAllowed, UnknownTrigger
from workflows.engine.judging import TriggerOption, reason


@dataclass(frozen=True)
class RecordWorkflow:
    name: str
    version: int
    title: str
    lifecycle: Lifecycle

    def label(self, trigger: str) -> str:
        labels = {t.trigger: t.label for t in reversed(self.lifecycle.transitions) if t.label}
        return labels.get(trigger, trigger)

    def state_label(self, state: str) -> str:
        return self.lifecycle.labels.get(state, state)

    def is_final(self, state: str) -> bool:
        return state in self.lifecycle.final


def judge(
    workflow: RecordWorkflow, state: str, facts: Any, trigger: str, params: Mapping[str, Any]
) -> Subject:
    """Run ``trigger`` on a record in ``state``: the subject carries the new state and the
    effects; raises unless the trigger is offered now and its guards hold."""
    lifecycle = workflow.lifecycle
    if trigger not in lifecycle.triggers:
        raise UnknownTrigger(trigger, state, _allowed(workflow, state, facts))
    if trigger not in lifecycle.triggers_from(state):
        raise TransitionNotAllowed(trigger, state, _allowed(workflow, state, facts))
    subject = lifecycle.subject(state, facts)
    if not lifecycle.fire(subject, trigger, params):
        guard = subject.failures[-1][0] if subject.failures else "?"
        raise GuardFailed(trigger, guard, reason(subject))
    return subject


def options(workflow: RecordWorkflow, state: str, facts: Any) -> list[TriggerOption]:
    """The record's buttons: each trigger offered now, allowed or with the reason it is not
    (guards that judge typed input are not judged before it is typed)."""
    lifecycle, found = workflow.lifecycle, []
    for trigger in lifecycle.triggers_from(state):
        subject = lifecycle.subject(state, facts)
        subject.judge_input = False
        nothing = dict.fromkeys(lifecycle.needs_input(trigger))
        allowed = lifecycle.may(subject, trigger, nothing)
        found.append(
            TriggerOption(
                trigger=trigger, label=workflow.label(trigger), allowed=allowed,
                reason=None if allowed else reason(subject),
                needs_input=lifecycle.needs_input(trigger),
            )
        )  # fmt: skip
    return found


def _allowed(workflow: RecordWorkflow, state: str, facts: Any) -> list[str]:
    return [option.trigger for option in options(workflow, state, facts) if option.allowed]


_RECORDS: dict[tuple[str, int], RecordWorkflow] = {}


def register_record(workflow: RecordWorkflow) -> RecordWorkflow:
    _RECORDS[(workflow.name, workflow.version)] = workflow
    return workflow


def latest(name: str) -> RecordWorkflow:
    """The newest registered version of ``name``: new records are made on it."""
    versions = [workflow for (known, _v), workflow in _RECORDS.items() if known == name]
    if not versions:
        raise LookupError(f"workflow {name} is not registered")
    return max(versions, key=lambda workflow: workflow.version)


def get_record_workflow(name: str, version: int) -> RecordWorkflow:
    try:
        return _RECORDS[(name, version)]
    except KeyError:
        raise LookupError(f"workflow {name} v{version} is not registered") from None
