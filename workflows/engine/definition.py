"""A workflow definition as data, compiled once into `transitions` machines that serve all cases.

No machine object is held per case: a short-lived :class:`Subject` carries one case's state
through one trigger, and the machine's events are driven on it directly.
"""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from transitions import EventData, Machine

GuardCheck = Callable[["Subject", Mapping[str, Any]], str | None]
EffectBuilder = Callable[["Subject", EventData], None]
# A step's applicability: None when it may be opened for the case's facts, else why not.
AppliesRule = Callable[[Any], str | None]
# Whether a step is opened by itself when the case is opened.
IntakeRule = Callable[[Any], bool]


@dataclass(frozen=True)
class Guard:
    """A pure condition: returns None when it holds, else the reason, in words staff understand."""

    name: str
    check: GuardCheck
    # The input it judges ("at", "note"): such guards are not judged when listing buttons.
    needs_input: str | None = None


@dataclass(frozen=True)
class T:
    """One row of a transitions table; ``dest=None`` is an internal transition (state unchanged)."""

    trigger: str
    source: str | Sequence[str]
    dest: str | None
    conditions: Sequence[str] = ()
    after: Sequence[str] = ()
    label: str = ""

    def as_dict(self) -> dict[str, Any]:
        # Plain strings: `transitions` would name Enum members by their Python name.
        sources = [self.source] if isinstance(self.source, str) else self.source
        return {
            "trigger": self.trigger,
            "source": [str(source) for source in sources],
            "dest": None if self.dest is None else str(self.dest),
            "conditions": list(self.conditions),
            "after": list(self.after),
        }


@dataclass
class Subject:
    """One case (or one step of it) passing through one trigger.

    Each lifecycle has its own subclass (``Lifecycle.subject``) whose methods are its guards
    and effect builders, named as in its table: `transitions` calls them as conditions and
    ``after`` callbacks. Guards record why they failed, builders record effects. Nothing is
    written here.
    """

    state: str
    facts: Any
    kind: str | None = None  # the step kind, for a step subject
    effects: list[Any] = field(default_factory=list)
    failures: list[tuple[str, str]] = field(default_factory=list)
    judge_input: bool = True

    def holds(self, guard: Guard, params: Mapping[str, Any]) -> bool:
        if guard.needs_input is not None and not self.judge_input:
            return True
        reason = guard.check(self, params)
        if reason is not None:
            self.failures.append((guard.name, reason))
        return reason is None


def _subject_class(
    name: str, guards: Mapping[str, Guard], builders: Mapping[str, EffectBuilder]
) -> type[Subject]:
    """A Subject subclass with one method per guard and builder, made once per lifecycle."""

    def condition(guard: Guard) -> Callable[[Subject, EventData], bool]:
        return lambda subject, event: subject.holds(guard, event.kwargs)

    def callback(builder: EffectBuilder) -> Callable[[Subject, EventData], None]:
        return lambda subject, event: builder(subject, event)

    methods: dict[str, Any] = {key: condition(guard) for key, guard in guards.items()}
    methods |= {key: callback(builder) for key, builder in builders.items()}
    return type(f"{name.title()}Subject", (Subject,), methods)


@dataclass
class Lifecycle:
    """States and transitions of one kind of thing (a case, a step), compiled into one Machine."""

    name: str
    states: Sequence[str]
    initial: str
    transitions: Sequence[T]
    guards: Mapping[str, Guard]
    builders: Mapping[str, EffectBuilder]
    labels: Mapping[str, str] = field(default_factory=dict)
    # States nothing leaves (a closed case): no step trigger is offered any more, no reminder
    # about the case applies.
    final: Sequence[str] = ()
    machine: Machine = field(init=False, repr=False)
    subject_class: type[Subject] = field(init=False, repr=False)
    triggers: list[str] = field(init=False, repr=False)
    _from_state: dict[str, list[str]] = field(init=False, repr=False)
    _needs_input: dict[str, tuple[str, ...]] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._check_names()
        self.subject_class = _subject_class(self.name, self.guards, self.builders)
        self.machine = Machine(
            model=None,
            states=list(self.states),
            initial=str(self.initial),
            transitions=[t.as_dict() for t in self.transitions],
            send_event=True,
            auto_transitions=False,
            ignore_invalid_triggers=False,
        )
        # Both are asked on every trigger: computed once, the tables never change at run time.
        self.triggers = list(dict.fromkeys(t.trigger for t in self.transitions))
        self._from_state = {
            str(state): [t for t in self.machine.get_triggers(str(state)) if t in self.triggers]
            for state in self.states
        }
        self._needs_input = {trigger: self._inputs_of(trigger) for trigger in self.triggers}

    def _inputs_of(self, trigger: str) -> tuple[str, ...]:
        rows = [t for t in self.transitions if t.trigger == trigger]
        guards = [self.guards[name] for t in rows for name in t.conditions]
        return tuple(sorted({g.needs_input for g in guards if g.needs_input}))

    def _check_names(self) -> None:
        for row in self.transitions:
            missing = [c for c in row.conditions if c not in self.guards]
            missing += [a for a in row.after if a not in self.builders]
            # Guards and builders become methods of the subject: they must not hide its fields.
            missing += [n for n in (*row.conditions, *row.after) if hasattr(Subject, n)]
            missing += [n for n in (*row.conditions, *row.after) if n in Subject.__annotations__]
            if missing:
                raise ValueError(f"{self.name}.{row.trigger}: unknown or reserved names {missing}")

    def triggers_from(self, state: str) -> list[str]:
        # str(): `transitions` would look an Enum member up by its Python name.
        return self._from_state.get(str(state), [])

    def needs_input(self, trigger: str) -> tuple[str, ...]:
        """What staff must type for ``trigger`` ("at", "note"), as its guards judge it."""
        return self._needs_input.get(trigger, ())

    def subject(self, state: str, facts: Any, kind: str | None = None) -> Subject:
        return self.subject_class(str(state), facts, kind=kind)

    def fire(self, subject: Subject, trigger: str, params: Mapping[str, Any]) -> bool:
        """Run ``trigger`` on ``subject``; False when every candidate transition's guard failed."""
        return bool(self.machine.events[trigger].trigger(subject, **params))

    def may(self, subject: Subject, trigger: str, params: Mapping[str, Any]) -> bool:
        """Would ``trigger`` pass its guards now? Pure: records failures, no effects."""
        return bool(self.machine._can_trigger(subject, trigger, **params))


@dataclass(frozen=True)
class Due:
    """When a step is due: ``days`` after the day it is counted from — the move-in day
    (``move_in``), the day it was opened (``opening``; at intake, the move-in day) or the birth
    (``birth``). A deadline a law fixes (``law``) no office variant may change."""

    days: int
    counted_from: str
    law: str | None = None


@dataclass(frozen=True)
class StepReminder:
    """The household is reminded ``days_before`` the step's deadline, with this message."""

    days_before: int
    message: str  # a ReminderKind value


@dataclass(frozen=True)
class StepDef:
    """One step a case may go through: when it applies, when it is due, who may take it."""

    kind: str
    label: str
    partner_category: str | None
    eligible: AppliesRule
    at_intake: IntakeRule
    due: Due
    reminders: tuple[StepReminder, ...] = ()
    # When it comes to apply during the case (a child turns 6): opened by itself.
    opens_when_it_applies: bool = False
    # The rules' names in the definition (to put them in words).
    rule: str = ""
    intake_rule: str = ""
    # A step an office added in its variant (not in the definition file).
    local: bool = False

    @property
    def legal_deadline(self) -> bool:
        return self.due.law is not None


@dataclass(frozen=True)
class MilestoneDef:
    """A case-level deadline (a visit) running while the case is in ``states``: ``days`` after
    the move-in day or the welcome visit, but at least ``at_least_days_ahead`` from the day set."""

    name: str
    label: str
    states: tuple[str, ...]
    days: int
    counted_from: str  # "move_in" | "welcome_visit"
    at_least_days_ahead: int = 0


@dataclass
class Workflow:
    """A versioned workflow: the case lifecycle plus the lifecycle every step follows."""

    name: str
    version: int
    case: Lifecycle
    step: Lifecycle
    step_kinds: Sequence[str]
    step_labels: Mapping[str, str] = field(default_factory=dict)
    # Triggers the engine fires by itself after a step changed (e.g. "all steps closed").
    automatic: Sequence[str] = ()
    # Step states in which a step is still to be done: its deadline counts, overdue is overdue.
    open_step_states: Sequence[str] = ()
    # Step states in which the household itself is still to act (not handed to a partner).
    household_step_states: Sequence[str] = ()
    # Step states of a step done with (done, waived): a version may drop such a step.
    finished_step_states: Sequence[str] = ()
    # Case-level deadlines (milestones) and the case states in which each is still running.
    milestone_states: Mapping[str, Sequence[str]] = field(default_factory=dict)
    # The steps with their rules and deadlines, and the milestones with theirs (the data).
    steps: Mapping[str, StepDef] = field(default_factory=dict)
    milestones: Mapping[str, MilestoneDef] = field(default_factory=dict)
    # A step whose deadline passed is escalated to the supervisors this long after it ends.
    escalation_hours: int = 8
    title: str = ""
    # What an office's variant may change, within which bounds ("due_days": (3, 180), …).
    variant_bounds: Mapping[str, tuple[int, int]] = field(default_factory=dict)
    # An office's variant applied (its revision's id), and the partners it prefers per category.
    variant_id: int | None = None
    preferred_partners: Mapping[str, int] = field(default_factory=dict)
    # Per older version: what this version calls its (case) states and step kinds.
    renamed_from: Mapping[int, tuple[Mapping[str, str], Mapping[str, str]]] = field(
        default_factory=dict
    )
    _step_triggers: dict[str, tuple[str, str]] = field(init=False, repr=False)
    _labels: dict[str, str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._step_triggers = {
            f"{verb}_{kind}": (verb, kind)
            for verb in self.step.triggers
            for kind in self.step_kinds
        }
        # Asked for every button and history entry: the first labelled row of each trigger.
        verbs = {t.trigger: t.label for t in reversed(self.step.transitions) if t.label}
        self._labels = {
            trigger: f"{self.step_labels.get(kind, kind)}: {verbs.get(verb, verb)}"
            for trigger, (verb, kind) in self._step_triggers.items()
        }
        self._labels |= {t.trigger: t.label for t in reversed(self.case.transitions) if t.label}

    def with_variant(self, variant_id: int, overrides: Mapping[str, Any]) -> "Workflow":
        """This definition as an office varies it (checked when it was saved): deadlines no law
        fixes, reminder offsets, visit deadlines, step labels, preferred partners, and steps of
        its own (after the definition's; they always apply, are due some days after they are
        opened, and are opened at intake or on request). A step or milestone the variant names
        that this version lacks is passed over."""
        due_days, labels = overrides.get("due_days", {}), overrides.get("labels", {})
        reminder_days = overrides.get("reminder_days_before", {})
        steps = {}
        for kind, step in self.steps.items():
            due, reminders = step.due, step.reminders
            if kind in due_days and due.law is None:
                due = replace(due, days=int(due_days[kind]))
            if kind in reminder_days:  # moves the step's reminders; adds none (checked on saving)
                days = int(reminder_days[kind])
                reminders = tuple(replace(r, days_before=days) for r in reminders)
            label = labels.get(kind, step.label)
            steps[kind] = replace(step, due=due, reminders=reminders, label=label)
        for local in overrides.get("local_steps", ()):
            if local["kind"] not in steps:
                steps[local["kind"]] = _local_step(local)
        milestone_days = overrides.get("milestone_days", {})
        milestones = {
            name: replace(m, days=int(milestone_days.get(name, m.days)))
            for name, m in self.milestones.items()
        }
        return replace(
            self, steps=steps, milestones=milestones,
            step_kinds=list(steps),
            step_labels={kind: step.label for kind, step in steps.items()},
            variant_id=variant_id,
            preferred_partners={
                category: int(partner)
                for category, partner in overrides.get("preferred_partners", {}).items()
            },
        )  # fmt: skip

    def step_trigger(self, trigger: str) -> tuple[str, str] | None:
        """``"complete_school"`` → ``("complete", "school")``; None for case triggers."""
        return self._step_triggers.get(trigger)

    def label(self, trigger: str) -> str:
        """Words for a button: ``"Einschulung: erledigt"``."""
        return self._labels.get(trigger, trigger)

    def is_closed(self, case_state: str) -> bool:
        """Has the case reached a final state (nothing more to do, no reminder applies)?"""
        return case_state in self.case.final

    def is_known(self, trigger: str) -> bool:
        return trigger in self.case.triggers or self.step_trigger(trigger) is not None


def _always(_facts: Any) -> str | None:
    return None


def _at_intake(_facts: Any) -> bool:
    return True


def _on_request(_facts: Any) -> bool:
    return False


def _local_step(local: Mapping[str, Any]) -> StepDef:
    """A step an office added: it applies to every case, opened at intake or on request."""
    return StepDef(
        kind=local["kind"],
        label=local["label"],
        partner_category=local.get("partner_category"),
        eligible=_always,
        at_intake=_at_intake if local.get("at_intake") else _on_request,
        due=Due(int(local["due_days"]), "opening"),
        rule="always",
        intake_rule="always" if local.get("at_intake") else "never",
        local=True,
    )


_REGISTRY: dict[tuple[str, int], Workflow] = {}


def register(workflow: Workflow) -> Workflow:
    """Make ``workflow`` available to the engine; called by the package that defines it."""
    _REGISTRY[(workflow.name, workflow.version)] = workflow
    return workflow


def get_workflow(name: str, version: int) -> Workflow:
    """The definition a case runs on; cases keep the version they were opened with."""
    try:
        return _REGISTRY[(name, version)]
    except KeyError:
        raise LookupError(
            f"workflow {name} v{version} is not registered"
            " (workflows.installed.register_all() loads the installed definitions)"
        ) from None
