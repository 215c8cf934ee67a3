"""A reminder's Message-ID is a pure function of the reminder: the same on every composition.

A copy resent after a crash (the mail server accepted it, the "sent" mark was lost) then carries
the id of the first, and the receiving mail system drops it as a duplicate.
"""

from datetime import timedelta

from sqlmodel import select

from core.clock import utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import Reminder
from workflows.messaging.compose import compose


def test_two_compositions_of_one_reminder_carry_one_message_id(world):
    """Given a case's first two reminders, when each is composed twice, at different times and in
    different transactions, then each keeps its Message-ID and the two ids differ."""
    case_id = world.open_case()
    ids: dict[int, set[str]] = {}
    for later in (timedelta(0), timedelta(days=3)):
        with unit_of_work() as session:
            query = select(Reminder).where(
                Reminder.case_id == case_id,
                Reminder.kind.in_(  # type: ignore[attr-defined]
                    ["consultation_info", "visit", "registration_deadline"]
                ),
            )
            for reminder in session.exec(query.order_by(Reminder.id)):
                message = compose(session, reminder, get_settings(), now=utc_now() + later)
                ids.setdefault(reminder.id, set()).add(message["Message-ID"])  # type: ignore[arg-type]
    assert len(ids) >= 2
    assert all(len(found) == 1 for found in ids.values()), ids
    firsts = [next(iter(found)) for found in ids.values()]
    assert len(set(firsts)) == len(firsts)
    assert all(first.startswith("<reminder-") and first.endswith(">") for first in firsts)
