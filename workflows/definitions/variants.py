"""An office's variant of a workflow: what it changes of the base definition, within the base's
rules — a deadline a law fixes is never changed, every number stays within the bounds the
definition sets, a preferred partner takes that kind of step. Refused with the reason per field.

Each save is a new revision with its author, date and reason; a case is opened under the latest
revision of its office and keeps it (a later revision applies to new cases, as a new version
does). Administrators edit variants; supervisors read them.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func
from sqlmodel import Session, col, select

from core import limits
from core.clock import utc_now
from models import Office, Partner, Staff, WorkflowVariant
from models.enums import PARTNER_CATEGORY_LABELS, PartnerCategory
from workflows.casework.fields import Id
from workflows.definitions.local_steps import local_kind
from workflows.engine.definition import Workflow
from workflows.engine.errors import InvalidInput

Kind = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,39}$")]
# A name → value map: only names of that shape (the schema says so too, not only the check).
CLOSED: dict[str, Any] = {"additionalProperties": False}
StepLabel = Annotated[str, Field(min_length=1, max_length=120, pattern=limits.LINE_PATTERN)]
Days = Annotated[int, Field(ge=0, le=365)]


class LocalStepIn(BaseModel):
    """A step of the office's own (a local energy-saving check, a neighbourhood welcome café):
    it applies to every household, is due some days after it is opened, and opens at intake or
    when staff open it on the case page. It sends the household no reminder of its own."""

    model_config = ConfigDict(extra="forbid")

    key: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{0,29}$")] = Field(
        description="A short name, unique in the office (e.g. stromspar_check)."
    )
    label: StepLabel
    due_days: Days
    partner_category: PartnerCategory | None = None
    at_intake: bool = False


class VariantIn(BaseModel):
    """What an office changes; anything not named stays as the definition has it."""

    model_config = ConfigDict(extra="forbid")

    due_days: dict[Kind, Days] = Field(
        default_factory=dict,
        description="Step kind → days until it is due.",
        json_schema_extra=CLOSED,
    )
    reminder_days_before: dict[Kind, Days] = Field(
        default_factory=dict,
        description="Step kind → the household's reminder, days before.",
        json_schema_extra=CLOSED,
    )
    milestone_days: dict[Kind, Days] = Field(
        default_factory=dict,
        description="welcome_visit / follow_up → days.",
        json_schema_extra=CLOSED,
    )
    labels: dict[Kind, StepLabel] = Field(
        default_factory=dict,
        description="Step kind → the words staff read.",
        json_schema_extra=CLOSED,
    )
    preferred_partners: dict[PartnerCategory, Id] = Field(
        default_factory=dict, description="Partner category → the partner suggested first."
    )
    local_steps: list[LocalStepIn] = Field(
        default_factory=list, max_length=5, description="Steps of the office's own."
    )
    reason: Annotated[str, Field(min_length=3, max_length=500, pattern=limits.TEXT_PATTERN)] = (
        Field(description="Why, e.g. the agreement with the district council.")
    )

    def overrides(self, office_id: int) -> dict[str, Any]:
        """As stored: each own step with its kind, which names the office (one kind, one
        office's words)."""
        stored = self.model_dump(mode="json", exclude={"reason"})
        for step in stored["local_steps"]:
            step["kind"] = local_kind(office_id, step["key"])
        return stored


@dataclass(frozen=True)
class Revision:
    variant: WorkflowVariant
    author: str | None


def _bounded(errors: dict[str, str], where: str, days: int, bounds: tuple[int, int]) -> None:
    low, high = bounds
    if not low <= days <= high:
        errors[where] = f"Zwischen {low} und {high} Tagen."


def check(session: Session, base: Workflow, data: VariantIn) -> dict[str, str]:
    """Every way the variant breaks the base's rules, by field; empty when it keeps them."""
    errors: dict[str, str] = {}
    bounds = base.variant_bounds
    for kind, days in data.due_days.items():
        where = f"due_days.{kind}"
        step = base.steps.get(kind)
        if step is None:
            errors[where] = "Diesen Schritt gibt es im Ablauf nicht."
        elif step.due.law is not None:
            if days != step.due.days:
                errors[where] = (
                    f"{step.label}: Die Frist legt das Gesetz fest ({step.due.law}, "
                    f"{step.due.days} Tage); ein Büro ändert sie nicht."
                )
        else:
            _bounded(errors, where, days, bounds.get("due_days", (1, 365)))
    for kind, days in data.reminder_days_before.items():
        where = f"reminder_days_before.{kind}"
        step = base.steps.get(kind)
        if step is None:
            errors[where] = "Diesen Schritt gibt es im Ablauf nicht."
            continue
        if not step.reminders:
            # The household's text for a reminder is written for the steps that have one (the
            # energy contract's speaks of electricity): a variant moves it, it adds none.
            errors[where] = (
                f"{step.label}: Für diesen Schritt gibt es keine Erinnerung an den Haushalt."
            )
            continue
        _bounded(errors, where, days, bounds.get("reminder_days_before", (1, 60)))
        due_days = data.due_days.get(kind, step.due.days) if step.due.law is None else step.due.days
        if where not in errors and days >= due_days and step.due.counted_from != "birth":
            errors[where] = f"Die Erinnerung muss vor der Frist liegen ({due_days} Tage)."
    for name, days in data.milestone_days.items():
        where = f"milestone_days.{name}"
        if name not in base.milestones:
            errors[where] = "Diesen Besuch gibt es im Ablauf nicht."
        else:
            _bounded(errors, where, days, bounds.get("milestone_days", (1, 365)))
    for kind in data.labels:
        if kind not in base.steps:
            errors[f"labels.{kind}"] = "Diesen Schritt gibt es im Ablauf nicht."
    keys: set[str] = set()
    for n, local in enumerate(data.local_steps):
        if local.key in keys or local.key in base.steps:
            errors[f"local_steps.{n}.key"] = "Diesen Namen hat schon ein Schritt."
        keys.add(local.key)
        _bounded(
            errors, f"local_steps.{n}.due_days", local.due_days, bounds.get("due_days", (1, 365))
        )
    for category, partner_id in data.preferred_partners.items():
        partner = session.get(Partner, partner_id)
        if partner is None or not partner.active or partner.category != category:
            label = PARTNER_CATEGORY_LABELS.get(category, category)
            errors[f"preferred_partners.{category}"] = f"Kein aktiver Partner „{label}“."
    return errors


def save(
    session: Session, office_id: int, base: Workflow, data: VariantIn, *,
    author_id: int | None, now: datetime | None = None,
) -> WorkflowVariant:  # fmt: skip
    """A new revision of the office's variant; refused (nothing saved) when it breaks a rule."""
    if session.get(Office, office_id) is None:
        raise InvalidInput({"office_id": "Dieses Büro gibt es nicht."})
    errors = check(session, base, data)
    if errors:
        raise InvalidInput(errors)
    last = session.exec(
        select(func.max(WorkflowVariant.revision)).where(
            WorkflowVariant.office_id == office_id, WorkflowVariant.workflow == base.name
        )
    ).one()
    variant = WorkflowVariant(
        office_id=office_id, workflow=base.name, revision=(last or 0) + 1,
        overrides=data.overrides(office_id), reason=data.reason.strip(), author_id=author_id,
        created_at=now or utc_now(),
    )  # fmt: skip
    session.add(variant)
    session.flush()
    return variant


def current(session: Session, office_id: int, workflow: str) -> WorkflowVariant | None:
    """The office's latest revision: new cases are opened under it."""
    return session.exec(
        select(WorkflowVariant)
        .where(WorkflowVariant.office_id == office_id, WorkflowVariant.workflow == workflow)
        .order_by(col(WorkflowVariant.revision).desc())
    ).first()


def history(session: Session, office_id: int, workflow: str) -> list[Revision]:
    """Every revision, the latest first, with its author's name."""
    rows = session.exec(
        select(WorkflowVariant, Staff.name)
        .join(Staff, col(Staff.id) == WorkflowVariant.author_id, isouter=True)
        .where(WorkflowVariant.office_id == office_id, WorkflowVariant.workflow == workflow)
        .order_by(col(WorkflowVariant.revision).desc())
    ).all()
    return [Revision(variant, author) for variant, author in rows]


def effective(session: Session, office_id: int, base: Workflow) -> Workflow:
    """The definition as a new case of the office gets it."""
    variant = current(session, office_id, base.name)
    if variant is None or variant.id is None:
        return base
    return base.with_variant(variant.id, variant.overrides)
