"""Erasure on request (Art. 17 GDPR): a household's personal data erased at once, like the
retention job does it, with the reason on record — or refused, with the reason shown, while the
office still has to keep it.

What keeps it: a case still open (the accompaniment runs on this data; close it first, which also
asks every partner with a running referral to delete what it got), and a documentation duty the
office has set (``WILLKOMMEN_ERASURE_HOLD_DAYS`` after closing; 0 = none).
"""

from datetime import datetime, timedelta

from sqlmodel import Session, select

from core.clock import berlin
from core.config import Settings
from models import AuditEntry, Case, CaseEvent, Household
from workflows.engine.errors import Conflict, InvalidInput
from workflows.privacy import personal_data

TRIGGER = "erase_on_request"
MIN_REASON = 5


class ErasureRefused(Conflict):
    """The data must be kept for now; the message says why and until when."""


def why_not(
    session: Session, household: Household, now: datetime, settings: Settings
) -> str | None:
    """Why this household's data cannot be erased now, or None when it can."""
    if household.anonymised_at is not None:
        return "Die Daten dieses Haushalts sind schon gelöscht."
    cases = session.exec(select(Case).where(Case.household_id == household.id)).all()
    if any(c.closed_at is None for c in cases):
        return (
            "Der Fall ist noch offen: Die Begleitung braucht diese Daten. Erst den Fall "
            "abschließen (dabei werden auch die Partner gebeten, ihre Daten zu löschen), "
            "dann löschen."
        )
    hold = timedelta(days=settings.erasure_hold_days)
    last_closed = max((c.closed_at for c in cases if c.closed_at is not None), default=None)
    if hold and last_closed is not None and last_closed + hold > now:
        until = berlin(last_closed + hold)
        return (
            f"Aufbewahrungspflicht: Das Büro muss die Akte bis zum {until:%d.%m.%Y} aufbewahren "
            "(WILLKOMMEN_ERASURE_HOLD_DAYS). Danach kann gelöscht werden."
        )
    return None


def erase_on_request(
    session: Session, case: Case, reason: str, actor_id: int, now: datetime, settings: Settings
) -> None:
    """Erase the household's personal data now; the reason goes into the audit trail (not onto
    the case, whose notes are erased with the rest)."""
    reason = reason.strip()
    if len(reason) < MIN_REASON:
        raise InvalidInput({"reason": "Bitte den Grund angeben (z. B. „Antrag vom 03.12.2026“)."})
    household = session.get(Household, case.household_id)
    assert household is not None
    refused = why_not(session, household, now, settings)
    if refused:
        raise ErasureRefused(refused)
    personal_data.erase(session, household.id)  # type: ignore[arg-type]
    household = session.get(Household, case.household_id)
    household.anonymised_at = now  # type: ignore[union-attr]
    query = select(Case.id).where(Case.household_id == case.household_id)
    case_ids = [i for i in session.exec(query) if i is not None]
    for case_id in case_ids:  # the timeline says so, without the reason
        session.add(CaseEvent(case_id=case_id, at=now, actor_id=actor_id, trigger=TRIGGER))
    session.add(
        AuditEntry(
            at=now,
            actor_id=actor_id,
            office_id=case.office_id,
            action="erased",
            target="households",
            target_id=case.household_id,
            changes={"reason": [None, reason[:500]], "cases": [None, sorted(case_ids)]},
        )
    )
    session.flush()
