"""What the consultation hours write into a case's history: a slot booked or called off, a
no-show, a contact at the desk. Like a note, such an entry changes neither the state nor a step,
so it does not bump the case's version (a colleague's open case page does not turn stale)."""

from datetime import datetime

from sqlmodel import Session

from core.clock import berlin
from models import CaseEvent, ConsultationBooking, ConsultationHour, Household, Visitor
from models.case import Case
from models.enums import CONTACT_OUTCOME_LABELS, CONTACT_TOPIC_LABELS, ContactOutcome
from workflows.consultations import schedule

TITLES = {
    "consultation_booked": "Sprechstundentermin gebucht",
    "consultation_cancelled": "Sprechstundentermin abgesagt",
    "consultation_no_show": "Zum Sprechstundentermin nicht erschienen",
    "consultation_contact": "Kontakt in der Sprechstunde",
}


def write(
    session: Session, case_id: int, trigger: str, actor_id: int | None, now: datetime, text: str
) -> CaseEvent:
    event = CaseEvent(case_id=case_id, at=now, actor_id=actor_id, trigger=trigger, note=text)
    session.add(event)
    return event


def booked(session: Session, hour: ConsultationHour | None, booking: ConsultationBooking) -> str:
    hour = hour or session.get(ConsultationHour, booking.hour_id)
    assert hour is not None
    place = schedule.location_name(session, hour)
    text = f"{berlin(booking.starts_at):%d.%m.%Y %H:%M} Uhr, {place}"
    return text + (" (mit Sprachmittlung)" if booking.interpreter_needed else "")


def called_off(session: Session, booking: ConsultationBooking, reason: str) -> str:
    return f"{booked(session, None, booking)}: {reason}"


def contact(topics: list[str], outcome: str, referred_to: str | None, place: str) -> str:
    words = ", ".join(CONTACT_TOPIC_LABELS.get(t, t) for t in topics)  # type: ignore[call-overload]
    result = CONTACT_OUTCOME_LABELS.get(outcome, outcome)  # type: ignore[call-overload]
    if outcome == ContactOutcome.REFERRED and referred_to:
        result = f"{result} an {referred_to}"
    return f"{place}: {words} — {result}"


def who(session: Session, booking: ConsultationBooking) -> tuple[str, str | None]:
    """The name staff know the booking by, and a phone number to call."""
    if booking.visitor_id is not None:
        visitor = session.get(Visitor, booking.visitor_id)
        return (visitor.name, visitor.phone) if visitor else ("?", None)
    case = session.get(Case, booking.case_id)
    household = session.get(Household, case.household_id) if case else None
    if household is None:
        return "?", None
    return f"Haushalt {household.family_name} (Fall {case.id})", household.phone  # type: ignore[union-attr]
