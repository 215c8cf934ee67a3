"""Consent to share a household's data with partners of one category: granted with the
household's signature, renewed, expired, withdrawn; nothing is deleted."""

from datetime import date, datetime

from sqlmodel import Session, col, select

from core.clock import berlin, utc_now
from models import Case, CaseEvent, Consent, ConsentEvidence, Household
from models.enums import (
    DEFAULT_SHARED_FIELDS,
    EVIDENCE_LABELS,
    PARTNER_CATEGORY_LABELS,
    SHARED_FIELD_LABELS,
    EvidenceKind,
    PartnerCategory,
    SharedField,
)
from workflows.consent.evidence import Evidence
from workflows.engine.errors import InvalidInput
from workflows.referrals.answers import withdraw_for_consent


def current(session: Session, household_id: int, category: str) -> Consent | None:
    """The household's consent for ``category`` that was neither withdrawn nor replaced by a
    newer one; it may have expired."""
    return current_by_category(session, household_id).get(category)


def current_by_category(session: Session, household_id: int) -> dict[str, Consent]:
    """The household's standing consents (neither withdrawn nor replaced), by partner category;
    some may have expired."""
    query = select(Consent).where(Consent.household_id == household_id, Consent.standing())
    return {c.partner_category: c for c in session.exec(query.order_by(col(Consent.id)))}


def check_expiry(expires_on: date | None, today: date) -> None:
    """A last day chosen for a consent must not have passed."""
    if expires_on is not None and expires_on < today:
        raise InvalidInput({"expires_on": "Das Ablaufdatum liegt in der Vergangenheit."})


def in_force(session: Session, household_id: int, category: str, today: date) -> Consent | None:
    """The consent that allows sharing with ``category`` today, if any."""
    query = select(Consent).where(
        Consent.household_id == household_id,
        Consent.partner_category == category,
        Consent.in_force_on(today),
    )
    return session.exec(query).first()


def missing(consent: Consent | None, category: str, today: date) -> str | None:
    """Why data may not go to partners of ``category`` (``consent``: its ``current`` one)."""
    label = PARTNER_CATEGORY_LABELS.get(PartnerCategory(category), category)
    if consent is None:
        return f"Einwilligung des Haushalts zur Weitergabe an '{label}' fehlt."
    if consent.expired_on(today):
        ended = f"{consent.expires_on:%d.%m.%Y}"
        return (
            f"Die Einwilligung zur Weitergabe an '{label}' galt bis {ended}. Bitte mit dem "
            "Haushalt erneuern."
        )
    return None


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
    evidence: Evidence,
    fields: list[str] | None = None,
    expires_on: date | None = None,
    now: datetime | None = None,
) -> Consent:
    """Record that the household signed the consent form for ``category``: these ``fields``
    (None: name, phone, languages) until ``expires_on`` (None: until withdrawn).

    A consent already on record for the category is replaced by this one (renewed, or with
    another scope): the old one stays on record with its form."""
    now = now or utc_now()
    if session.get(Household, household_id) is None:
        raise InvalidInput({"household_id": "Haushalt nicht gefunden."})
    shared = scope(fields)
    check_expiry(expires_on, berlin(now).date())
    previous = current(session, household_id, category)
    if previous is not None:
        previous.replaced_at = now
    consent = Consent(
        household_id=household_id,
        partner_category=category,
        granted_at=now,
        granted_by_id=actor_id,
        shared_fields=shared,
        expires_on=expires_on,
    )
    session.add(consent)
    session.flush()
    _keep(session, consent, evidence, actor_id, now)
    until = f"; gültig bis {expires_on:%d.%m.%Y}" if expires_on else ""
    detail = f"{'erneuert – ' if previous else ''}Weitergabe: {scope_text(shared)}{until}"
    detail += f"; {EVIDENCE_LABELS[evidence.kind]}"
    _note_on_cases(session, household_id, "grant_consent", category, actor_id, now, detail)
    session.flush()
    return consent


def _keep(
    session: Session, consent: Consent, evidence: Evidence, actor_id: int, now: datetime
) -> ConsentEvidence:
    kept = ConsentEvidence(
        consent_id=consent.id,  # type: ignore[arg-type]
        kind=evidence.kind,
        content_type=evidence.content_type,
        data=evidence.data,
        sha256=evidence.sha256,
        recorded_at=now,
        recorded_by_id=actor_id,
    )
    session.add(kept)
    return kept


def evidence_kinds(session: Session, consent_ids: list[int | None]) -> dict[int, EvidenceKind]:
    """How each of these consents was signed; one without a signed form is left out."""
    if not consent_ids:
        return {}
    query = select(ConsentEvidence.consent_id, ConsentEvidence.kind).where(
        col(ConsentEvidence.consent_id).in_(consent_ids)
    )
    return {consent_id: EvidenceKind(kind) for consent_id, kind in session.exec(query)}


def evidence_of(session: Session, consent_id: int) -> ConsentEvidence | None:
    query = select(ConsentEvidence).where(ConsentEvidence.consent_id == consent_id)
    return session.exec(query).first()


def withdraw(
    session: Session,
    household_id: int,
    category: PartnerCategory,
    *,
    actor_id: int,
    now: datetime | None = None,
) -> None:
    """Record that the household withdrew its consent; the grant stays on record. An expired
    consent can be withdrawn too (the partners that had the data are asked to delete it).

    Running referrals of the category are withdrawn: each partner is told to delete the data,
    and a referred step is open again."""
    now = now or utc_now()
    consent = current(session, household_id, category)
    if consent is None:
        raise InvalidInput(
            {"partner_category": "Für diese Kategorie liegt keine Einwilligung vor."}
        )
    consent.withdrawn_at, consent.withdrawn_by_id = now, actor_id
    _note_on_cases(session, household_id, "withdraw_consent", category, actor_id, now)
    session.flush()
    withdraw_for_consent(session, household_id, category, actor_id=actor_id, now=now)
    session.flush()
