"""Guests of a round table named only by their name and email (a council member, a school's
head) are erased ``guest_retention_days`` after the meeting: the meeting, its minutes,
decisions and actions stay; the guest row keeps only its organisation. Colleagues and
partners' contact persons are kept where they belong (accounts, the network)."""

from datetime import datetime

from sqlmodel import Session, col, select, update

from models import RoundTable, RoundTableGuest


def erase_past(session: Session, before: datetime) -> int:
    """Erase the names and addresses of guests of meetings that began before ``before``."""
    past = select(RoundTable.id).where(col(RoundTable.starts_at) < before)
    query = select(RoundTableGuest.id).where(
        col(RoundTableGuest.round_table_id).in_(past),
        col(RoundTableGuest.email).is_not(None) | col(RoundTableGuest.name).is_not(None),
    )
    ids = [guest_id for guest_id in session.exec(query) if guest_id is not None]
    if ids:
        session.execute(
            update(RoundTableGuest)
            .where(col(RoundTableGuest.id).in_(ids))
            .values(name=None, email=None)
        )
    return len(ids)
