"""Consent to share a household's data with partners of one category: granted, withdrawn, kept."""

from datetime import datetime

from sqlmodel import Session, col, select

from core.clock import utc_now
from models import Case, CaseEvent, Consent, Household
from models.enums import PARTNER_CATEGORY_LABELS, PartnerCategory
from workflows.errors import InvalidInput


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
) -> None:
    cases = session.exec(select(Case).where(Case.household_id == household_id))
    for case in cases:
        session.add(
            CaseEvent(
                case_id=case.id,  # type: ignore[arg-type]
                at=now,
                actor_id=actor_id,
                trigger=trigger,  # type: ignore[arg-type]
                note=PARTNER_CATEGORY_LABELS[category],
            )
        )


def grant(
    session: Session,
    household_id: int,
    category: PartnerCategory,
    *,
    actor_id: int,
    now: datetime | None = None,
) -> Consent:
    """Record that the household allows sharing its data with partners of ``category``."""
    now = now or utc_now()
    if session.get(Household, household_id) is None:
        raise InvalidInput({"household_id": "Haushalt nicht gefunden."})
    existing = _active(session, household_id, category)
    if existing is not None:
        return existing
    consent = Consent(
        household_id=household_id, partner_category=category, granted_at=now, granted_by_id=actor_id
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
    """Record that the household withdrew its consent; the grant stays on record."""
    now = now or utc_now()
    consent = _active(session, household_id, category)
    if consent is None:
        raise InvalidInput(
            {"partner_category": "Für diese Kategorie liegt keine Einwilligung vor."}
        )
    consent.withdrawn_at, consent.withdrawn_by_id = now, actor_id
    _note_on_cases(session, household_id, "withdraw_consent", category, actor_id, now)
    session.flush()
