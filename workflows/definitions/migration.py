"""Moving running cases to a new version of their workflow: a dry run lists, per case, from which
state to which it would move, which steps the new version opens for it, which reminders change
and which cases cannot move and why; the run moves each case in a transaction of its own,
records it in the case's history, and leaves a case that cannot move on its version, working.

A case cannot move when it is closed (nothing runs any more), handed over to another office
(its staff change nothing until the handover is answered), in a state the new version lacks, or
with an unfinished step the new version lacks. What the new version renames, its file says
(``[migrate_from.<version>]``); everything else keeps its name.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session, col, select

from core.db import unit_of_work
from models import Case, CaseStep
from workflows.engine.changes import Change, changing
from workflows.engine.definition import Workflow
from workflows.engine.effects import Effect
from workflows.engine.facts import varied, workflow_of
from workflows.engine.judging import Judge

MIGRATE = "migrate_workflow"  # the history entry's trigger


@dataclass
class CasePlan:
    case_id: int
    number: str
    from_version: int
    from_state: str
    to_state: str | None = None  # None: stays
    opens: list[str] = field(default_factory=list)  # step kinds the new version opens
    reminders: list[str] = field(default_factory=list)  # "Strom- und Gasvertrag: 7 → 10 Tage"
    refused: str | None = None  # why it stays on its version

    @property
    def moves(self) -> bool:
        return self.refused is None


@dataclass(frozen=True)
class Names:
    """What the new version calls an old version's states and steps (unnamed: the same)."""

    states: dict[str, str] = field(default_factory=dict)
    steps: dict[str, str] = field(default_factory=dict)

    @classmethod
    def between(cls, target: Workflow, version: int) -> "Names":
        states, steps = target.renamed_from.get(version, ({}, {}))
        return cls(dict(states), dict(steps))


def _plan_case(session: Session, case: Case, base: Workflow) -> CasePlan:
    old = workflow_of(session, case)
    target = varied(session, base, case.variant_id)  # the office's own steps and deadlines
    mapping = Names.between(target, case.workflow_version)
    plan = CasePlan(case.id, case.number, case.workflow_version, case.state)  # type: ignore[arg-type]
    state = mapping.states.get(case.state, case.state)
    if old.is_closed(case.state):
        plan.refused = "abgeschlossen: bleibt, wie er ist"
    elif case.transfer_to_office_id is not None:
        plan.refused = "in Übergabe an ein anderes Büro: erst nach der Antwort"
    elif state not in target.case.states:
        label = old.case.labels.get(case.state, case.state)
        plan.refused = f"den Zustand „{label}“ gibt es in Version {target.version} nicht"
    if plan.refused:
        return plan
    plan.to_state = state
    steps = list(session.exec(select(CaseStep).where(CaseStep.case_id == case.id)))
    for step in steps:
        kind = mapping.steps.get(step.kind, step.kind)
        unfinished = step.state not in (old.step.initial, *old.finished_step_states)
        if kind not in target.steps and unfinished:
            label = old.step_labels.get(step.kind, step.kind)
            plan.refused = f"der offene Schritt „{label}“ fehlt in Version {target.version}"
            plan.to_state = None
            return plan
        before, after = old.steps.get(step.kind), target.steps.get(kind)
        running = step.state in old.open_step_states
        if running and before and after and before.reminders != after.reminders:
            was = ", ".join(f"{r.days_before}" for r in before.reminders) or "keine"
            will = ", ".join(f"{r.days_before}" for r in after.reminders) or "keine"
            plan.reminders.append(f"{after.label}: Erinnerung {was} → {will} Tage vor der Frist")
    known = {mapping.steps.get(kind, kind) for kind in old.steps}
    plan.opens = [kind for kind in target.steps if kind not in known]  # new in this version
    return plan


def _cases(session: Session, target: Workflow, office_ids: list[int] | None) -> list[Case]:
    query = select(Case).where(
        Case.workflow == target.name, col(Case.workflow_version) < target.version
    )
    if office_ids is not None:
        query = query.where(col(Case.office_id).in_(office_ids))
    return list(session.exec(query.order_by(col(Case.id))))


def dry_run(
    session: Session, target: Workflow, office_ids: list[int] | None = None
) -> list[CasePlan]:
    """What a migration to ``target`` would do to each case on an older version; writes
    nothing."""
    return [_plan_case(session, case, target) for case in _cases(session, target, office_ids)]


def run(
    target: Workflow, *, office_ids: list[int] | None = None,
    actor_id: int | None = None, reschedule: Callable[[str, datetime], Effect] | None = None,
    now: datetime | None = None, progress: Callable[[CasePlan], None] | None = None,
) -> list[CasePlan]:  # fmt: skip
    """Move every case that can: one transaction per case, planned again under its lock (a
    case changed since the dry run is judged as it is now). ``reschedule(kind, due)``: the
    workflow's effect that plans an open step's reminders again for its deadline."""
    with unit_of_work() as session:
        ids = [c.id for c in _cases(session, target, office_ids)]
    done = []
    for case_id in ids:
        with unit_of_work() as session:
            plan = _move(session, case_id, target, actor_id, reschedule, now)  # type: ignore[arg-type]
        done.append(plan)
        if progress is not None:
            progress(plan)
    return done


def _move(
    session: Session, case_id: int, target: Workflow, actor_id: int | None,
    reschedule: Callable[[str, datetime], Effect] | None, now: datetime | None,
) -> CasePlan:  # fmt: skip
    with changing(session, case_id, actor_id=None, now=now) as change:
        case = change.case
        plan = _plan_case(session, case, target)
        if not plan.moves or case.workflow_version >= target.version:
            return plan
        mapping = Names.between(target, case.workflow_version)
        old, old_version, old_state = change.workflow, case.workflow_version, case.state
        steps = list(change.facts.steps.values())
        for step in steps:
            step.kind = mapping.steps.get(step.kind, step.kind)
        change.facts.__dict__["steps"] = {step.kind: step for step in steps}  # by their new names
        case.state = plan.to_state or case.state
        case.workflow_version = target.version
        _switch(change)
        note = f"Ablauf von Version {old_version} auf Version {target.version} umgestellt"
        if case.state != old_state:
            was, now_in = old.case.labels.get(old_state, old_state), change.workflow.case.labels
            note += f"; Zustand „{was}“ heißt jetzt „{now_in.get(case.state, case.state)}“"
        if plan.opens:
            note += "; neue Schritte: " + ", ".join(
                change.workflow.step_labels[k] for k in plan.opens
            )
        change.writer.actor_id = actor_id
        change.record(MIGRATE, note)
        for kind in plan.opens:
            new = change.workflow.steps[kind]
            opens = new.opens_when_it_applies or new.at_intake(change.facts)
            if opens and new.eligible(change.facts) is None:
                change.fire(f"open_{kind}", note="mit der neuen Version geöffnet")
        if reschedule is not None:  # the reminders of running steps whose policy changed
            version = change.workflow
            old_name = {new_name: name for name, new_name in mapping.steps.items()}
            for step in steps:
                before = old.steps.get(old_name.get(step.kind, step.kind))
                after = version.steps.get(step.kind)
                changed = before is None or after is None or before.reminders != after.reminders
                changed = changed or old.escalation_hours != version.escalation_hours
                if changed and step.state in version.open_step_states and step.due_at is not None:
                    change.apply(reschedule(step.kind, step.due_at))
    return plan


def _switch(change: Change) -> None:
    """Let the change judge and write by the case's new version from here on."""
    facts = change.facts
    facts.__dict__.pop("workflow", None)
    change.workflow = facts.workflow
    change.judging = Judge(change.workflow, change.case, facts)


def describe(plan: CasePlan, target: Workflow) -> Iterator[str]:
    """The plan in words, one line per fact (the CLI and the page)."""
    if not plan.moves:
        yield f"{plan.number}: bleibt auf Version {plan.from_version} – {plan.refused}"
        return
    moved = plan.from_state
    if plan.to_state != plan.from_state:
        moved = f"{plan.from_state} → {plan.to_state}"
    yield f"{plan.number}: Version {plan.from_version} → {target.version}, Zustand {moved}"
    for kind in plan.opens:
        yield f"  neuer Schritt: {target.step_labels.get(kind, kind)} (öffnet, wenn er zutrifft)"
    for line in plan.reminders:
        yield f"  {line}"
