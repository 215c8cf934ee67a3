"""Anonymising closed cases after the retention period (GDPR: keep only what the work needs).

What stays is what statistics need: office, district, states and dates of the steps, the year of
birth of each member. Names, address, contact data and free text are removed for good.
"""

from datetime import date, datetime, timedelta

from sqlmodel import Session, col, select

from models import (
    Agreement,
    Appointment,
    AppointmentAnswer,
    Case,
    CaseEvent,
    CaseNotice,
    CaseStep,
    Household,
    HouseholdMember,
    Referral,
    Reminder,
    VisitRecord,
)

ANONYMISED = "anonymisiert"


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
    household.family_name, household.street, household.postal_code = ANONYMISED, "", ""
    household.email = household.phone = None
    household.helper_name = household.helper_phone = household.helper_email = None
    household.expected_birth_on = None
    household.anonymised_at = now
    members = session.exec(
        select(HouseholdMember).where(HouseholdMember.household_id == household.id)
    )
    for member in members:
        member.given_name = member.family_name = ANONYMISED
        member.birth_date = date(member.birth_date.year, 1, 1)
    case_ids = list(session.exec(select(Case.id).where(Case.household_id == household.id)))
    for event in session.exec(select(CaseEvent).where(col(CaseEvent.case_id).in_(case_ids))):
        event.note = None
    for referral in session.exec(select(Referral).where(col(Referral.case_id).in_(case_ids))):
        referral.answer_note = referral.message = referral.report_note = None
    for notice in session.exec(select(CaseNotice).where(col(CaseNotice.case_id).in_(case_ids))):
        notice.text = ANONYMISED  # it may name a member ("Lina (unter 1 Jahr)")
    for visit in session.exec(select(VisitRecord).where(col(VisitRecord.case_id).in_(case_ids))):
        visit.participants, visit.topics, visit.interpreter_name = ANONYMISED, ANONYMISED, None
    for agreed in session.exec(select(Agreement).where(col(Agreement.case_id).in_(case_ids))):
        agreed.what, agreed.owner = ANONYMISED, ANONYMISED
    for step in session.exec(select(CaseStep).where(col(CaseStep.case_id).in_(case_ids))):
        step.waive_reason = step.hold_reason = None
    for reminder in session.exec(select(Reminder).where(col(Reminder.case_id).in_(case_ids))):
        reminder.last_error = None
        reminder.provider_ref = None  # the gateway's id: its records hold the phone number
    appointment_ids = select(Appointment.id).where(col(Appointment.case_id).in_(case_ids))
    for answer in session.exec(
        select(AppointmentAnswer).where(col(AppointmentAnswer.appointment_id).in_(appointment_ids))
    ):
        answer.note = None  # what the household wrote about when it has time
    return True


def _has_open_case(session: Session, household: Household) -> bool:
    query = select(Case.id).where(Case.household_id == household.id, col(Case.closed_at).is_(None))
    return session.exec(query).first() is not None
