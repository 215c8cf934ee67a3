"""A round table of the Eving office next week, with a partner's contact person."""

from datetime import timedelta

import pytest

from core.clock import utc_now
from core.db import unit_of_work
from models import PartnerContact, RoundTable
from workflows.roundtables import meetings
from workflows.roundtables.meetings import MeetingIn


def plan(world, **values: object) -> int:  # type: ignore[no-untyped-def]
    next_week = (utc_now() + timedelta(days=7)).replace(microsecond=0)
    data = {
        "district": "Eving", "title": "Runder Tisch Eving", "place": "Bezirksverwaltung Eving",
        "starts_at": next_week, "agenda": ["Kita-Plätze"],
    } | values  # fmt: skip
    with unit_of_work() as session:
        given = MeetingIn.model_validate(data)
        made = meetings.plan(session, world.office_id, given, actor_id=world.supervisor_id)
        return int(made.id)  # type: ignore[arg-type]


def held_earlier(meeting_id: int, days: int) -> None:
    """Let the meeting have taken place ``days`` ago."""
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        meeting.starts_at = utc_now() - timedelta(days=days)  # type: ignore[union-attr]
        meeting.status = meetings.HELD  # type: ignore[union-attr]


@pytest.fixture
def contact_id(world) -> int:  # type: ignore[no-untyped-def]
    return add_contact(world)


def add_contact(world) -> int:  # type: ignore[no-untyped-def]
    """Frau Sommer of the energy partner, with her email address."""
    with unit_of_work() as session:
        contact = PartnerContact(partner_id=world.partner_id, name="Frau Sommer",
                                 email="sommer@partner.example", languages=[])  # fmt: skip
        session.add(contact)
        session.flush()
        return int(contact.id)  # type: ignore[arg-type]
