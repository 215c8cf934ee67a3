"""An obstacle noted on a case (or one of its steps) and, once overcome, marked so. Both are
written into the case's history like a note: neither changes the state or a step, so the
case's version stays (a colleague's open page does not turn stale). One kind of obstacle is
open on one step of a case at most once."""

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from core import limits
from core.clock import utc_now
from models import Case, CaseEvent, CaseObstacle, CaseStep, ObstacleKind
from workflows.casework.fields import Id
from workflows.engine.errors import InvalidInput, NotFound
from workflows.move_in import step_label
from workflows.move_in.states import StepKind
from workflows.obstacles.kinds import get_kind

Note = Annotated[str, Field(max_length=500, pattern=limits.TEXT_PATTERN)]
NOTED, RESOLVED = "obstacle_noted", "obstacle_resolved"
TITLES = {NOTED: "Integrationshemmnis erfasst", RESOLVED: "Integrationshemmnis überwunden"}


class ObstacleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind_id: Id = Field(description="An active entry of the office's list.")
    step_kind: StepKind | None = Field(
        default=None, description="The step it holds up; none: the whole case."
    )
    note: Note | None = Field(default=None, description="A short note, e.g. which Kita said no.")


class ResolveIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resolution: Note | None = Field(default=None, description="How it was overcome.")


class ObstacleNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Hemmnis nicht gefunden.")


@dataclass(frozen=True)
class Noted:
    obstacle: CaseObstacle
    kind: ObstacleKind

    @property
    def step_label(self) -> str | None:
        kind = self.obstacle.step_kind
        return step_label(kind) if kind is not None else None


def _history(
    session: Session,
    case_id: int | None,
    trigger: str,
    actor_id: int | None,
    now: datetime,
    text: str,
) -> None:
    assert case_id is not None
    session.add(CaseEvent(case_id=case_id, at=now, actor_id=actor_id, trigger=trigger, note=text))


def _describe(kind: ObstacleKind, step_kind: str | None, note: str | None) -> str:
    step = f" (Schritt {step_label(step_kind)})" if step_kind is not None else ""
    return f"{kind.label}{step}" + (f": {note}" if note else "")


def of_case(session: Session, case_id: int) -> list[Noted]:
    """The case's obstacles, open ones first, the newest first."""
    query = (
        select(CaseObstacle, ObstacleKind)
        .join(ObstacleKind, col(ObstacleKind.id) == CaseObstacle.kind_id)
        .where(CaseObstacle.case_id == case_id)
        .order_by(col(CaseObstacle.resolved_at).is_not(None), col(CaseObstacle.noted_at).desc())
    )
    return [Noted(obstacle, kind) for obstacle, kind in session.exec(query)]


def note(
    session: Session, case: Case, data: ObstacleIn, *, actor_id: int | None,
    now: datetime | None = None,
) -> CaseObstacle:  # fmt: skip
    """Note an obstacle on ``case`` (which the caller may change)."""
    now = now or utc_now()
    if case.closed_at is not None:
        raise InvalidInput({"kind_id": "Der Fall ist abgeschlossen."})
    try:
        kind = get_kind(session, data.kind_id, case.office_id)
    except NotFound:
        raise InvalidInput(
            {"kind_id": "Dieses Hemmnis steht nicht auf der Liste des Büros."}
        ) from None
    if not kind.active:
        raise InvalidInput({"kind_id": "Dieses Hemmnis wird nicht mehr erfasst."})
    if data.step_kind is not None:
        step = select(CaseStep.id).where(
            CaseStep.case_id == case.id, CaseStep.kind == data.step_kind
        )
        if session.exec(step).first() is None:
            raise InvalidInput({"step_kind": "Diesen Schritt hat der Fall nicht."})
    twice = select(CaseObstacle.id).where(
        CaseObstacle.case_id == case.id,
        CaseObstacle.kind_id == kind.id,
        CaseObstacle.step_kind == data.step_kind
        if data.step_kind
        else col(CaseObstacle.step_kind).is_(None),
        col(CaseObstacle.resolved_at).is_(None),
    )
    if session.exec(twice).first() is not None:
        raise InvalidInput({"kind_id": "Dieses Hemmnis ist beim Fall schon offen erfasst."})
    note_text = data.note.strip() if data.note and data.note.strip() else None
    obstacle = CaseObstacle(
        case_id=case.id,  # type: ignore[arg-type]
        kind_id=kind.id,  # type: ignore[arg-type]
        step_kind=data.step_kind,
        note=note_text,
        noted_at=now,
        noted_by_id=actor_id,
    )
    session.add(obstacle)
    _history(session, case.id, NOTED, actor_id, now, _describe(kind, data.step_kind, note_text))  # type: ignore[arg-type]
    session.flush()
    return obstacle


def resolve(
    session: Session, case: Case, obstacle_id: int, data: ResolveIn, *, actor_id: int | None,
    now: datetime | None = None,
) -> CaseObstacle:  # fmt: skip
    """Mark the obstacle overcome (once; the row is locked so two clicks change it once)."""
    now = now or utc_now()
    query = (
        select(CaseObstacle)
        .where(CaseObstacle.id == obstacle_id, CaseObstacle.case_id == case.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    obstacle = session.exec(query).first()
    if obstacle is None:
        raise ObstacleNotFound
    if obstacle.resolved_at is not None:
        raise InvalidInput({"obstacle_id": "Dieses Hemmnis ist schon als überwunden vermerkt."})
    kind = session.get(ObstacleKind, obstacle.kind_id)
    assert kind is not None
    resolution = data.resolution.strip() if data.resolution and data.resolution.strip() else None
    obstacle.resolved_at, obstacle.resolved_by_id, obstacle.resolution = now, actor_id, resolution
    session.add(obstacle)
    _history(
        session, case.id, RESOLVED, actor_id, now, _describe(kind, obstacle.step_kind, resolution)
    )  # type: ignore[arg-type]
    session.flush()
    return obstacle
