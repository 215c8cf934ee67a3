"""What supervisors see of the audit trail: the changes to their office (and the city-wide ones:
partners) and who opened their office's cases, newest first; the head of the social welfare
office sees every office."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from models import AuditEntry, Case, CaseRead, Office, Staff
from models.enums import PARTNER_CATEGORY_LABELS
from workflows.audit.reads import READ_LABELS
from workflows.directory.team import EMPLOYER_LABELS, ROLE_LABELS

LIMIT = 100

TARGET_LABELS = {
    "staff": "Konto",
    "offices": "Büro",
    "sub_locations": "Außenstelle",
    "consultation_hours": "Sprechstunde",
    "partners": "Partner",
    "api_tokens": "API-Token",
    "calendar_feeds": "Kalender-Abo",
    "consultation_closures": "Ausfall einer Sprechstunde",
    "obstacle_kinds": "Integrationshemmnis der Liste",
    "workflow_variants": "Variante des Ablaufs",
}
ACTION_LABELS = {"created": "angelegt", "changed": "geändert", "deleted": "gelöscht"}
FIELD_LABELS = {
    "name": "Name", "email": "E-Mail", "role": "Rolle", "employer": "Träger",
    "employer_name": "Arbeitgeber", "office_id": "Büro", "languages": "Sprachen",
    "password_hash": "Passwort", "active": "aktiv", "code": "Kürzel", "address": "Adresse",
    "partner_organisation": "Partnerverband", "phone": "Telefon", "districts": "Stadtbezirke",
    "category": "Kategorie", "weekday": "Wochentag", "starts": "Beginn", "ends": "Ende",
    "sub_location_id": "Außenstelle", "staff_id": "Konto", "token_hash": "Token",
    "slot_minutes": "Minuten je Termin", "capacity": "Haushalte je Termin",
    "valid_from": "gilt ab", "valid_to": "gilt bis", "hour_id": "Sprechstunde", "day": "Tag",
    "reason": "Grund", "created_by_id": "eingetragen von",
    "revoked_at": "widerrufen", "created_at": "angelegt",
    "workflow": "Workflow", "revision": "Stand", "overrides": "Abweichungen",
    "author_id": "geändert von", "label": "Bezeichnung", "area": "Bereich",
}  # fmt: skip


@dataclass(frozen=True)
class Change:
    at: datetime
    actor: str
    action: str
    target: str
    target_id: int
    target_name: str | None
    fields: list[tuple[str, Any, Any]]


# Codes shown as people read them.
VALUE_LABELS: dict[str, Mapping[Any, str]] = {
    "role": ROLE_LABELS,
    "employer": EMPLOYER_LABELS,
    "category": PARTNER_CATEGORY_LABELS,
}


def _readable(session: Session, field: str, value: Any, offices: dict[int, str]) -> Any:
    if value is None or value == []:
        return None
    if field in VALUE_LABELS:
        return VALUE_LABELS[field].get(value, value)
    if field == "office_id":
        return offices.get(value, value)
    return value


@dataclass(frozen=True)
class Reading:
    at: datetime
    staff: str
    case_id: int
    case_number: str
    what: str


def _names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(Staff.id, Staff.name).where(col(Staff.id).in_(ids)))
    return {staff_id: name for staff_id, name in rows if staff_id is not None}


def changes(session: Session, office_ids: list[int] | None) -> tuple[list[Change], int]:
    """The newest changes the supervisor may see, and how many there are in all."""
    where = []
    if office_ids is not None:
        where.append(
            or_(col(AuditEntry.office_id).in_(office_ids), col(AuditEntry.office_id).is_(None))
        )
    total = session.exec(select(func.count()).select_from(AuditEntry).where(*where)).one()
    entries = session.exec(
        select(AuditEntry)
        .where(*where)
        .order_by(col(AuditEntry.at).desc(), col(AuditEntry.id).desc())
        .limit(LIMIT)
    ).all()
    names = _names(session, {e.actor_id for e in entries if e.actor_id is not None})
    offices = {o.id: o.name for o in session.exec(select(Office)) if o.id is not None}

    def fields(entry: AuditEntry) -> list[tuple[str, Any, Any]]:
        return [
            (
                FIELD_LABELS.get(key, key),
                _readable(session, key, before, offices),
                _readable(session, key, after, offices),
            )
            for key, (before, after) in entry.changes.items()
        ]

    return [
        Change(
            at=e.at,
            actor=names.get(e.actor_id, "?") if e.actor_id is not None else "Kommandozeile",
            action=ACTION_LABELS.get(e.action, e.action),
            target=TARGET_LABELS.get(e.target, e.target),
            target_id=e.target_id,
            target_name=e.target_name,
            fields=fields(e),
        )
        for e in entries
    ], total


def readings(
    session: Session, office_ids: list[int] | None, case_id: int | None = None
) -> tuple[list[Reading], int]:
    """Who opened which of the supervisor's cases (one case with ``case_id``), newest first."""
    query = select(CaseRead, Case.office_id).join(Case, col(Case.id) == CaseRead.case_id)
    counted = (
        select(func.count()).select_from(CaseRead).join(Case, col(Case.id) == CaseRead.case_id)
    )
    if office_ids is not None:
        query = query.where(col(Case.office_id).in_(office_ids))
        counted = counted.where(col(Case.office_id).in_(office_ids))
    if case_id is not None:
        query = query.where(CaseRead.case_id == case_id)
        counted = counted.where(CaseRead.case_id == case_id)
    total = session.exec(counted).one()
    rows = session.exec(
        query.order_by(col(CaseRead.at).desc(), col(CaseRead.id).desc()).limit(LIMIT)
    ).all()
    names = _names(session, {read.staff_id for read, _ in rows})
    return [
        Reading(
            at=read.at,
            staff=names.get(read.staff_id, "?"),
            case_id=read.case_id,
            case_number=f"LW-{read.case_id:06d}",
            what=READ_LABELS.get(read.what, read.what),  # type: ignore[call-overload]
        )
        for read, _ in rows
    ], total
