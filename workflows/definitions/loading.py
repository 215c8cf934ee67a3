"""Read a workflow definition file, check it, and compile it into the engine's :class:`Workflow`.

Every problem is reported with its place — ``case.transitions[3].dest``, ``steps[2].applies``,
``line 12`` for a file that is no TOML — and all of them at once, so an administrator mends a
file in one go. A definition with a problem is never registered: start-up fails with the list.
"""

import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from workflows.definitions.schema import DefinitionSpec, LifecycleFileSpec, TransitionSpec
from workflows.engine.definition import (
    AppliesRule,
    Due,
    EffectBuilder,
    Guard,
    Lifecycle,
    MilestoneDef,
    StepDef,
    StepReminder,
    T,
    Workflow,
)
from workflows.engine.records import RecordWorkflow


@dataclass(frozen=True)
class Problem:
    where: str  # "steps[2].due.days", "line 12"
    message: str

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


class DefinitionInvalid(ValueError):
    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source, self.problems = source, problems
        listed = "\n".join(f"  {problem}" for problem in problems)
        super().__init__(f"{source}: {len(problems)} Fehler in der Workflow-Definition\n{listed}")


@dataclass(frozen=True)
class Registry:
    """What a workflow's definition may name: its Python guards, effects and rules. Milestones
    the code relies on (a visit it books) must be defined."""

    guards: Mapping[str, Guard]
    builders: Mapping[str, EffectBuilder]
    applies: Mapping[str, AppliesRule]
    at_intake: Mapping[str, Any]  # name → factory(applies) → rule
    milestones: frozenset[str] = frozenset()
    # The effect that plans an open step's reminders again for its deadline (a migration).
    reschedule: Any = None
    # Per household message: the steps its text is written for (the energy contract's speaks
    # of electricity). Empty: not checked.
    household_texts: Mapping[str, frozenset[str]] = field(default_factory=dict)


def _where(location: tuple[int | str, ...]) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(Datei)"


Spec = DefinitionSpec | LifecycleFileSpec


def parse(text: str) -> tuple[Spec | None, list[Problem]]:
    """The file's content as a definition — of a case workflow, or with ``[lifecycle]`` of a
    record's — or the problems of its shape."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        at = message[message.find("(at ") + 4 : message.rfind(")")] if "(at " in message else ""
        return None, [Problem(at or "(Datei)", f"kein gültiges TOML: {message.split(' (at ')[0]}")]
    model: type[Spec] = LifecycleFileSpec if "lifecycle" in raw else DefinitionSpec
    try:
        return model.model_validate(raw), []
    except ValidationError as exc:
        return None, [Problem(_where(e["loc"]), e["msg"]) for e in exc.errors()]


def check(spec: Spec, registry: Registry) -> list[Problem]:
    """The definition's cross-references: every state, guard, effect and rule it names exists."""
    if isinstance(spec, LifecycleFileSpec):
        return list(_lifecycle_problems(spec, registry))
    return list(_problems(spec, registry))


def _lifecycle_problems(spec: LifecycleFileSpec, registry: Registry) -> Iterator[Problem]:
    cycle = spec.lifecycle
    if cycle.initial not in cycle.states:
        yield Problem("lifecycle.initial", f"unbekannter Zustand „{cycle.initial}“")
    for i, name in enumerate(cycle.final):
        if name not in cycle.states:
            yield Problem(f"lifecycle.final[{i}]", f"unbekannter Zustand „{name}“")
    yield from _rows("lifecycle", cycle.transitions, cycle.states, registry)


def _rows(
    where: str, rows: list[TransitionSpec], states: Mapping[str, str], registry: Registry
) -> Iterator[Problem]:
    for n, row in enumerate(rows):
        at = f"{where}.transitions[{n}]"
        for i, source in enumerate(row.source):
            if source not in states:
                yield Problem(f"{at}.source[{i}]", f"unbekannter Zustand „{source}“")
        if row.dest is not None and row.dest not in states:
            yield Problem(f"{at}.dest", f"unbekannter Zustand „{row.dest}“")
        for i, name in enumerate(row.conditions):
            if name not in registry.guards:
                yield Problem(f"{at}.conditions[{i}]", f"unbekannte Bedingung „{name}“")
        for i, name in enumerate(row.after):
            if name not in registry.builders:
                yield Problem(f"{at}.after[{i}]", f"unbekannte Wirkung „{name}“")


def _problems(spec: DefinitionSpec, registry: Registry) -> Iterator[Problem]:
    case, step = spec.case, spec.step
    for where, name, states in (
        ("case.initial", case.initial, case.states),
        ("step.initial", step.initial, step.states),
    ):
        if name not in states:
            yield Problem(where, f"unbekannter Zustand „{name}“")
    for where, names, states in (
        ("case.final", case.final, case.states),
        ("step.running", step.running, step.states),
        ("step.household_acts", step.household_acts, step.states),
        ("step.finished", step.finished, step.states),
    ):
        for i, name in enumerate(names):
            if name not in states:
                yield Problem(f"{where}[{i}]", f"unbekannter Zustand „{name}“")
    yield from _rows("case", case.transitions, case.states, registry)
    yield from _rows("step", step.transitions, step.states, registry)
    triggers = {row.trigger for row in case.transitions}
    for i, name in enumerate(case.automatic):
        if name not in triggers:
            yield Problem(f"case.automatic[{i}]", f"kein Übergang „{name}“ im Fall")
    clashing = triggers & {row.trigger for row in step.transitions}
    for name in sorted(clashing):
        yield Problem("step.transitions", f"„{name}“ ist schon ein Übergang des Falls")
    for name, milestone in spec.milestones.items():
        for i, state in enumerate(milestone.running_in):
            if state not in case.states:
                yield Problem(
                    f"milestones.{name}.running_in[{i}]", f"unbekannter Zustand „{state}“"
                )
    for name in sorted(registry.milestones - set(spec.milestones)):
        yield Problem("milestones", f"„{name}“ fehlt (der Workflow plant diesen Besuch)")
    formerly: dict[str, set[str]] = {}  # a step's names in older versions (a text follows it)
    for renamed in spec.migrate_from.values():
        for old, new in renamed.steps.items():
            formerly.setdefault(new, set()).add(old)
    kinds: set[str] = set()
    for n, item in enumerate(spec.steps):
        at = f"steps[{n}]"
        if item.kind in kinds:
            yield Problem(f"{at}.kind", f"„{item.kind}“ kommt doppelt vor")
        kinds.add(item.kind)
        if item.applies not in registry.applies:
            known = ", ".join(sorted(registry.applies))
            yield Problem(f"{at}.applies", f"unbekannte Regel „{item.applies}“ (bekannt: {known})")
        if item.opened_at_intake not in registry.at_intake:
            known = ", ".join(sorted(registry.at_intake))
            yield Problem(
                f"{at}.opened_at_intake", f"unbekannte Regel „{item.opened_at_intake}“ ({known})"
            )
        for i, reminder in enumerate(item.reminders):
            written_for = registry.household_texts.get(reminder.message)
            if (
                written_for is not None
                and not {item.kind, *formerly.get(item.kind, ())} & written_for
            ):
                yield Problem(
                    f"{at}.reminders[{i}].message",
                    f"der Text „{reminder.message}“ an den Haushalt ist für "
                    f"{', '.join(sorted(written_for))} geschrieben, nicht für „{item.kind}“",
                )
            if reminder.days_before >= item.due.days and item.due.counted_from != "birth":
                yield Problem(
                    f"{at}.reminders[{i}].days_before",
                    f"{reminder.days_before} Tage vor einer Frist von {item.due.days} Tagen",
                )
    for key, bounds in spec.variants:
        if bounds.min > bounds.max:
            yield Problem(f"variants.{key}", "min ist größer als max")
    for version, renamed in spec.migrate_from.items():
        at = f"migrate_from.{version}"
        if not version.isdigit() or int(version) >= spec.version:
            yield Problem(at, f"nur von einer früheren Version als {spec.version}")
        for old, new in renamed.states.items():
            if new not in case.states:
                yield Problem(f"{at}.states.{old}", f"unbekannter Zustand „{new}“")
        for old, new in renamed.steps.items():
            if new not in kinds:
                yield Problem(f"{at}.steps.{old}", f"unbekannter Schritt „{new}“")


def compile_definition(spec: DefinitionSpec, registry: Registry) -> Workflow:
    """The engine's workflow for a checked definition."""
    case, step = spec.case, spec.step
    steps = {item.kind: _step(item, registry) for item in spec.steps}
    milestones = {
        name: MilestoneDef(
            name, m.label, tuple(m.running_in), m.days, m.counted_from, m.at_least_days_ahead
        )
        for name, m in spec.milestones.items()
    }
    return Workflow(
        name=spec.name,
        version=spec.version,
        case=Lifecycle(
            "case", list(case.states), case.initial, _table(case.transitions), registry.guards,
            registry.builders, labels=dict(case.states), final=list(case.final),
        ),
        step=Lifecycle(
            "step", list(step.states), step.initial, _table(step.transitions), registry.guards,
            registry.builders, labels=dict(step.states),
        ),
        step_kinds=list(steps),
        step_labels={kind: item.label for kind, item in steps.items()},
        automatic=list(case.automatic),
        open_step_states=list(step.running),
        household_step_states=list(step.household_acts),
        finished_step_states=list(step.finished),
        milestone_states={name: m.states for name, m in milestones.items()},
        steps=steps,
        milestones=milestones,
        escalation_hours=spec.escalation.hours_after_deadline,
        title=spec.title,
        variant_bounds={key: (bounds.min, bounds.max) for key, bounds in spec.variants},
        renamed_from={
            int(version): (dict(names.states), dict(names.steps))
            for version, names in spec.migrate_from.items()
        },
    )  # fmt: skip


def _table(rows: list[TransitionSpec]) -> list[T]:
    return [
        T(row.trigger, row.source, row.dest, row.conditions, row.after, row.label) for row in rows
    ]


def _step(item: Any, registry: Registry) -> StepDef:
    applies = registry.applies[item.applies]
    return StepDef(
        kind=item.kind,
        label=item.label,
        partner_category=item.partner_category,
        eligible=applies,
        at_intake=registry.at_intake[item.opened_at_intake](applies),
        due=Due(item.due.days, item.due.counted_from, item.due.law),
        reminders=tuple(StepReminder(r.days_before, r.message) for r in item.reminders),
        opens_when_it_applies=item.opens_when_it_applies,
        rule=item.applies,
        intake_rule=item.opened_at_intake,
    )


def read(text: str, registry: Registry, source: str = "(Text)") -> tuple[DefinitionSpec, Workflow]:
    """Parse, check and compile; raises :class:`DefinitionInvalid` with every problem."""
    spec = _checked(text, registry, source)
    if not isinstance(spec, DefinitionSpec):
        raise DefinitionInvalid(source, [Problem("lifecycle", "kein Fall-Workflow")])
    return spec, compile_definition(spec, registry)


def _checked(text: str, registry: Registry, source: str) -> Spec:
    spec, problems = parse(text)
    if spec is not None:
        problems = check(spec, registry)
    if spec is None or problems:
        raise DefinitionInvalid(source, problems)
    return spec


def read_lifecycle(text: str, registry: Registry, source: str = "(Text)") -> RecordWorkflow:
    """A record's workflow (one lifecycle), parsed, checked and compiled."""
    spec = _checked(text, registry, source)
    if not isinstance(spec, LifecycleFileSpec):
        raise DefinitionInvalid(source, [Problem("lifecycle", "fehlt")])
    cycle = spec.lifecycle
    lifecycle = Lifecycle(
        spec.name, list(cycle.states), cycle.initial, _table(cycle.transitions),
        registry.guards, registry.builders, labels=dict(cycle.states), final=list(cycle.final),
    )  # fmt: skip
    return RecordWorkflow(spec.name, spec.version, spec.title, lifecycle)


def load(path: Path, registry: Registry) -> tuple[DefinitionSpec, Workflow]:
    return read(path.read_text(encoding="utf-8"), registry, source=path.name)
