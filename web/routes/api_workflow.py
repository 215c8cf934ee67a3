"""The JSON API for the workflow as an office runs it: the definition's steps with the office's
variant applied, the variant's revisions, and a new revision (administrators; refused with the
reason per field when it breaks a rule of the definition). Supervisors read their office's;
caseworkers get 403."""

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from core.db import commit
from models.enums import Role
from web.deps import DbSession
from web.params import Id
from web.routes.api import AUTH_RESPONSES, EDGE_RESPONSES, ApiRoute
from web.routes.api_consultations import ApiStaff
from web.routes.process import office_in_view
from web.schemas import Problem
from workflows.definitions import variants
from workflows.definitions.variants import VariantIn
from workflows.move_in import CURRENT

router = APIRouter(
    prefix="/api",
    tags=["Ablauf"],
    route_class=ApiRoute,
    responses={
        **AUTH_RESPONSES,
        **EDGE_RESPONSES,
        403: {"model": Problem, "description": "Für die Leitung (lesen) und die Verwaltung."},
        404: {"model": Problem, "description": "Büro nicht gefunden."},
    },
)


class StepOut(BaseModel):
    kind: str
    label: str
    due_days: int
    counted_from: str = Field(description="move_in, opening or birth")
    law: str | None = Field(description="The law fixing the deadline; no variant changes it.")
    reminder_days_before: list[int]
    partner_category: str | None
    preferred_partner_id: int | None
    local: bool = Field(description="A step of the office's own (its variant's).")


class MilestoneOut(BaseModel):
    name: str
    label: str
    days: int
    counted_from: str


class RevisionOut(BaseModel):
    revision: int
    overrides: dict[str, Any]
    reason: str
    author: str | None
    created_at: datetime


class ProcessOut(BaseModel):
    office_id: int
    workflow: str
    version: int
    title: str
    steps: list[StepOut]
    milestones: list[MilestoneOut]
    revisions: list[RevisionOut] = Field(description="The office's variant, the latest first.")


def _process(session: Any, office_id: int) -> ProcessOut:
    effective = variants.effective(session, office_id, CURRENT)
    steps = [
        StepOut(
            kind=kind, label=s.label, due_days=s.due.days, counted_from=s.due.counted_from,
            law=s.due.law, reminder_days_before=[r.days_before for r in s.reminders],
            partner_category=s.partner_category,
            preferred_partner_id=effective.preferred_partners.get(str(s.partner_category)),
            local=s.local,
        )
        for kind, s in effective.steps.items()
    ]  # fmt: skip
    milestones = [
        MilestoneOut(name=name, label=m.label, days=m.days, counted_from=m.counted_from)
        for name, m in effective.milestones.items()
    ]
    revisions = [
        RevisionOut(
            revision=r.variant.revision, overrides=r.variant.overrides, reason=r.variant.reason,
            author=r.author, created_at=r.variant.created_at,
        )
        for r in variants.history(session, office_id, CURRENT.name)
    ]  # fmt: skip
    return ProcessOut(
        office_id=office_id, workflow=CURRENT.name, version=CURRENT.version, title=CURRENT.title,
        steps=steps, milestones=milestones, revisions=revisions,
    )  # fmt: skip


@router.get("/offices/{office_id}/process", response_model=ProcessOut)
def read_process(office_id: Id, staff: ApiStaff, session: DbSession) -> Any:
    """The move-in workflow as the office runs it: steps, deadlines, reminders, visits."""
    office = office_in_view(session, staff, office_id)
    if office is None or office.id != office_id:
        raise HTTPException(404, "Büro nicht gefunden.")
    return _process(session, office_id)


@router.post("/offices/{office_id}/process/variant", status_code=201, response_model=ProcessOut)
def save_variant(office_id: Id, body: VariantIn, staff: ApiStaff, session: DbSession) -> Any:
    """A new revision of the office's variant (administrators). Only what differs from the
    definition need be named; a deadline a law fixes or a number out of bounds: 422."""
    if staff.role != Role.ADMIN:
        raise HTTPException(403, "Die Variante eines Büros ändert die Verwaltung.")
    office_in_view(session, staff, office_id)
    variants.save(session, office_id, CURRENT, body, author_id=staff.id)
    commit(session)
    return _process(session, office_id)
