"""Consent to share a household's data with partners of one category: granted, withdrawn, kept."""

from datetime import datetime

from sqlmodel import Session, col, select

from core.clock import utc_now
from models import Case, CaseEvent, Consent, Household
from models.enums import (
    DEFAULT_SHARED_FIELDS,
    PARTNER_CATEGORY_LABELS,
    SHARED_FIELD_LABELS,
    PartnerCategory,
    SharedField,
)
from workflows.engine.errors import InvalidInput
from workflows.referrals.answers import withdraw_for_consent


def _active(session: Session, household_id: int, category: PartnerCategory) -> Consent | None:
    query = select(Consent).where(
        Consent.household_id == household_id,
        Consent.partner_category == category,
        col(Consent.withdrawn_at).is_(None),
    )
    return session.exec(query).first()


def _note_on_cases(
    session: Session,
    household_id: int,
    trigger: str,
    category: PartnerCategory,
    actor_id: int,
    now: datetime,
    detail: str | None = None,
) -> None:
    cases = session.exec(select(Case).where(Case.household_id == household_id))
    label = PARTNER_CATEGORY_LABELS[category]
    for case in cases:
        session.add(
            CaseEvent(
                case_id=case.id,  # type: ignore[arg-type]
                at=now,
                actor_id=actor_id,
                trigger=trigger,  # type: ignore[arg-type]
                note=f"{label}: {detail}" if detail else label,
            )
        )


def scope(fields: list[str] | None) -> list[str]:
    """The fields to share, in a fixed order; None means the default (name, phone, languages)."""
    if fields is None:
        return [str(f) for f in DEFAULT_SHARED_FIELDS]
    unknown = set(fields) - {f.value for f in SharedField}
    if unknown:
        raise InvalidInput({"shared_fields": f"Unbekannte Angaben: {', '.join(sorted(unknown))}."})
    if not fields:
        raise InvalidInput({"shared_fields": "Bitte mindestens eine Angabe zur Weitergabe wählen."})
    return [f.value for f in SharedField if f.value in fields]


def scope_text(fields: list[str]) -> str:
    return ", ".join(SHARED_FIELD_LABELS.get(SharedField(f), f) for f in fields)


def grant(
    session: Session,
    household_id: int,
    category: PartnerCategory,
    *,
    actor_id: int,
    now: datetime | None = None,
    fields: list[str] | None = None,
) -> Consent:
    """Record that the household allows sharing these fields with partners of ``category``.

    Given again with other ``fields``, the scope of the active consent changes (on record)."""
    now = now or utc_now()
    if session.get(Household, household_id) is None:
        raise InvalidInput({"household_id": "Haushalt nicht gefunden."})
    shared = scope(fields)
    existing = _active(session, household_id, category)
    if existing is not None:
        if fields is not None and shared != existing.shared_fields:
            existing.shared_fields = shared
            detail = f"Weitergabe geändert: {scope_text(shared)}"
            _note_on_cases(session, household_id, "grant_consent", category, actor_id, now, detail)
            session.flush()
        return existing
    consent = Consent(
        household_id=household_id,
        partner_category=category,
        granted_at=now,
        granted_by_id=actor_id,
        shared_fields=shared,
    )
    session.add(consent)
    _note_on_cases(session, household_id, "grant_consent", category, actor_id, now)
    session.flush()
    return consent


def withdraw(
    session: Session,
    household_id: int,
    category: PartnerCategory,
    *,
    actor_id: int,
    now: datetime | None = None,
) -> None:
    """Record that the household withdrew its consent; the grant stays on record.

    Running referrals of the category are withdrawn: each partner is told to delete the data,
    and a referred step is open again."""
    now = now or utc_now()
    consent = _active(session, household_id, category)
    if consent is None:
        raise InvalidInput(
            {"partner_category": "Für diese Kategorie liegt keine Einwilligung vor."}
        )
    consent.withdrawn_at, consent.withdrawn_by_id = now, actor_id
    _note_on_cases(session, household_id, "withdraw_consent", category, actor_id, now)
    session.flush()
    withdraw_for_consent(session, household_id, category, actor_id=actor_id, now=now)
    session.flush()
