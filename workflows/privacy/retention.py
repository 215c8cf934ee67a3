"""Anonymising closed cases after the retention period (GDPR: keep only what the work needs).

What stays is what statistics need: office, district, states and dates of the steps, the year of
birth of each member. Every column declared personal on the models (``models.personal``) —
names, address, contact data, free text, appointment places — is erased for good
(``personal_data.erase``).
"""

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from models import Case, Household
from models.personal import ANONYMISED
from workflows.privacy import personal_data

__all__ = ["ANONYMISED", "anonymise_case", "cases_due_for_anonymisation"]


def cases_due_for_anonymisation(session: Session, now: datetime, retention_days: int) -> list[int]:
    """Closed cases whose household is not yet anonymised, closed before the retention period."""
    cutoff = now - timedelta(days=retention_days)
    query = (
        select(Case.id)
        .join(Household, col(Household.id) == Case.household_id)
        .where(col(Case.closed_at) < cutoff, col(Household.anonymised_at).is_(None))
        .order_by(col(Case.id))
    )
    return [case_id for case_id in session.exec(query) if case_id is not None]


def anonymise_case(session: Session, case_id: int, now: datetime, retention_days: int) -> bool:
    """Remove the personal data of a closed case's household; False if it does not qualify (any
    more): not closed long enough, reopened by another case, or already done."""
    case = session.get(Case, case_id)
    if case is None or case.closed_at is None:
        return False
    household = session.get(Household, case.household_id)
    if household is None or household.anonymised_at is not None:
        return False
    if case.closed_at >= now - timedelta(days=retention_days) or _has_open_case(session, household):
        return False
    personal_data.erase(session, household.id)  # type: ignore[arg-type]
    household = session.get(Household, case.household_id)  # read again after the erasure
    household.anonymised_at = now  # type: ignore[union-attr]
    return True


def _has_open_case(session: Session, household: Household) -> bool:
    query = select(Case.id).where(Case.household_id == household.id, col(Case.closed_at).is_(None))
    return session.exec(query).first() is not None
