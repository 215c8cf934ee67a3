"""The schema of a workflow definition file: what each part holds and may hold.

Checked in two passes: the shape here (types, ranges, no unknown keys), then the cross-references
in ``workflows.definitions.loading`` (states, guards, effects and rules that exist). Keys are
English, the texts staff read are German. ``willkommen workflow schema`` prints it as JSON Schema.
"""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from models.enums import PartnerCategory

Name = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$", description="snake_case, ≤ 40")]
Label = Annotated[str, Field(min_length=1, max_length=120)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TransitionSpec(Strict):
    """One row of a transitions table; without ``dest`` the state stays (internal)."""

    trigger: Name
    source: list[Name] = Field(min_length=1)
    dest: Name | None = None
    conditions: list[Name] = Field(default_factory=list, description="Guards, by name.")
    after: list[Name] = Field(default_factory=list, description="Effects, by name.")
    label: Label


class CaseSpec(Strict):
    initial: Name
    final: list[Name] = Field(default_factory=list)
    automatic: list[Name] = Field(default_factory=list, description="Fired by the engine.")
    states: dict[Name, Label] = Field(min_length=2, description="State → label, in order.")
    transitions: list[TransitionSpec] = Field(min_length=1)


class StepLifecycleSpec(Strict):
    initial: Name
    running: list[Name] = Field(min_length=1, description="States with a running deadline.")
    household_acts: list[Name] = Field(default_factory=list)
    finished: list[Name] = Field(default_factory=list, description="States of a step done with.")
    states: dict[Name, Label] = Field(min_length=2)
    transitions: list[TransitionSpec] = Field(min_length=1)


class MilestoneSpec(Strict):
    label: Label
    running_in: list[Name] = Field(min_length=1, description="Case states it runs in.")
    days: int = Field(ge=1, le=365)
    counted_from: Literal["move_in", "welcome_visit"]
    at_least_days_ahead: int = Field(default=0, ge=0, le=60)


class EscalationSpec(Strict):
    hours_after_deadline: int = Field(default=8, ge=0, le=72)


class DueSpec(Strict):
    days: int = Field(ge=1, le=365)
    counted_from: Literal["move_in", "opening", "birth"]
    law: Label | None = Field(default=None, description="The law fixing it: no variant may.")


StepMessage = Literal["registration_deadline", "step_reminder"]


class StepReminderSpec(Strict):
    days_before: int = Field(ge=0, le=60)
    message: StepMessage


class StepSpec(Strict):
    kind: Name
    label: Label
    partner_category: PartnerCategory | None = None
    applies: Name = Field(description="A rule of the workflow's registry.")
    opened_at_intake: Name = Field(description="An intake rule of the workflow's registry.")
    opens_when_it_applies: bool = False
    due: DueSpec
    reminders: list[StepReminderSpec] = Field(default_factory=list, max_length=5)


class Bounds(Strict):
    min: int = Field(ge=0)
    max: int = Field(ge=0, le=365)


class VariantLimits(Strict):
    """What an office's variant may change, within which bounds."""

    due_days: Bounds = Bounds(min=3, max=180)
    reminder_days_before: Bounds = Bounds(min=1, max=30)
    milestone_days: Bounds = Bounds(min=3, max=120)


class DefinitionSpec(Strict):
    """A workflow definition file."""

    name: Name
    version: int = Field(ge=1, le=999)
    title: Label
    case: CaseSpec
    step: StepLifecycleSpec
    milestones: dict[Name, MilestoneSpec] = Field(default_factory=dict)
    escalation: EscalationSpec = EscalationSpec()
    steps: list[StepSpec] = Field(min_length=1, max_length=40)
    variants: VariantLimits = VariantLimits()
    # Per older version: what this one calls its states and steps (unnamed: the same name).
    migrate_from: dict[str, "MigrationSpec"] = Field(default_factory=dict)


class MigrationSpec(Strict):
    states: dict[Name, Name] = Field(default_factory=dict)
    steps: dict[Name, Name] = Field(default_factory=dict)


DefinitionSpec.model_rebuild()


class LifecycleSpec(Strict):
    initial: Name
    final: list[Name] = Field(default_factory=list)
    states: dict[Name, Label] = Field(min_length=2, description="State → label, in order.")
    transitions: list[TransitionSpec] = Field(min_length=1)


class LifecycleFileSpec(Strict):
    """A workflow of one lifecycle on a record that is no case (a round table's action)."""

    name: Name
    version: int = Field(ge=1, le=999)
    title: Label
    lifecycle: LifecycleSpec
