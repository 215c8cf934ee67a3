"""People without a case (booked by phone or met at the desk) are erased once they have not
come for ``visitor_retention_days``: their name, phone number and the free text of their
contacts go; the contacts stay, counted, without the person (``workflows.consultations.figures``
still counts them once a month)."""

from datetime import date, datetime

from sqlmodel import Session, col, select, update

from models import ConsultationBooking, ConsultationContact, Visitor
from models.enums import BookingStatus
from models.personal import ANONYMISED


def erase_forgotten(session: Session, now: datetime, last_day: date) -> int:
    """Erase every visitor last seen before ``last_day`` who has no booking still open;
    returns how many."""
    still_booked = select(ConsultationBooking.visitor_id).where(
        col(ConsultationBooking.visitor_id).is_not(None),
        ConsultationBooking.status == BookingStatus.BOOKED,
    )
    query = select(Visitor.id).where(
        col(Visitor.erased_at).is_(None),
        col(Visitor.last_seen_on) < last_day,
        col(Visitor.id).not_in(still_booked),
    )
    ids = [visitor_id for visitor_id in session.exec(query) if visitor_id is not None]
    if not ids:
        return 0
    session.execute(
        update(Visitor)
        .where(col(Visitor.id).in_(ids))
        .values(name=ANONYMISED, phone=None, erased_at=now)
    )
    session.execute(
        update(ConsultationContact)
        .where(col(ConsultationContact.visitor_id).in_(ids))
        .values(note=None, referred_to=None)
    )
    return len(ids)
