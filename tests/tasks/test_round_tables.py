"""Round tables with a real worker and a real SMTP server: the owner of an overdue action is
reminded once however often the sweep runs, the other owner not at all; the guests get their
calendar invitation once, and an update when the meeting moves."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from core.celery_app import app as celery_app
from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import RoundTable, RoundTableItem
from tests.workflows.roundtables.conftest import add_contact, held_earlier, plan
from workflows.roundtables import items, meetings
from workflows.roundtables.items import ItemIn
from workflows.roundtables.meetings import GuestIn, MeetingIn

pytestmark = pytest.mark.slow
TODAY = berlin(utc_now()).date()


def test_the_overdue_actions_owner_is_reminded_once(world, smtp, start_worker):
    meeting_id, contact_id = plan(world), add_contact(world)
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        yesterday, next_week = TODAY - timedelta(days=1), TODAY + timedelta(days=5)
        talk = ItemIn(kind="action", text="Gespräch mit dem Jugendamt",
                      owner_contact_id=contact_id, due_on=yesterday)  # fmt: skip
        flyer = ItemIn(kind="action", text="Flyer in vier Sprachen",
                       owner_staff_id=world.caseworker_id, due_on=next_week)  # fmt: skip
        late = items.add(session, meeting, talk)  # type: ignore[arg-type]
        items.add(session, meeting, flyer)  # type: ignore[arg-type]
        late_id = late.id
    held_earlier(meeting_id, 10)
    start_worker()
    celery_app.send_task("roundtables.remind_overdue_actions")
    celery_app.send_task("roundtables.remind_overdue_actions")
    (reminder,) = smtp.wait_for_messages(1)
    with pytest.raises(AssertionError):
        smtp.wait_for_messages(2, timeout=4)
    assert reminder["To"] == "sommer@partner.example"
    assert "Gespräch mit dem Jugendamt" in reminder.get_content()
    with unit_of_work() as session:
        assert session.get(RoundTableItem, late_id).reminded_at is not None  # type: ignore[union-attr]
    celery_app.send_task("roundtables.remind_overdue_actions")  # tomorrow's sweep: nothing new
    with pytest.raises(AssertionError):
        smtp.wait_for_messages(2, timeout=3)


def test_guests_get_their_invitation_once_and_an_update_when_it_moves(world, smtp, start_worker):
    meeting_id, contact_id = plan(world), add_contact(world)
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        meetings.add_guest(session, meeting, GuestIn(contact_id=contact_id))  # type: ignore[arg-type]
        meetings.add_guest(session, meeting, GuestIn(name="Herr Bezirksbürgermeister",  # type: ignore[arg-type]
                                                     email="bv@eving.example"))  # fmt: skip
    start_worker()
    celery_app.send_task("roundtables.send_invitations", kwargs={"round_table_id": meeting_id})
    celery_app.send_task("roundtables.send_invitations", kwargs={"round_table_id": meeting_id})
    first = smtp.wait_for_messages(2)
    with pytest.raises(AssertionError):
        smtp.wait_for_messages(3, timeout=4)
    assert sorted(m["To"] for m in first) == ["bv@eving.example", "sommer@partner.example"]
    (part,) = [p for p in first[0].walk() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        assert (str(event["uid"]), event["sequence"]) == (meeting.uid, 0)  # type: ignore[union-attr]
        moved = MeetingIn(district="Eving", title=meeting.title, place="Rathaus Eving",  # type: ignore[union-attr]
                          starts_at=meeting.starts_at + timedelta(days=1))  # type: ignore[union-attr]  # fmt: skip
        assert meetings.change(session, meeting, moved)  # type: ignore[arg-type]
    celery_app.send_task("roundtables.send_invitations", kwargs={"round_table_id": meeting_id})
    updates = smtp.wait_for_messages(4)[2:]
    assert all(m["Subject"].startswith("Geändert:") for m in updates)
    (part,) = [p for p in updates[0].walk() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert event["sequence"] == 1 and str(event["location"]) == "Rathaus Eving"


def test_an_address_refused_for_good_is_not_tried_again_and_shows_as_not_invited(
    world, smtp, start_worker
):
    """Given two guests, one whose address the mail server refuses for good (550), when the
    invitations go out, then the other gets hers, and the refused one stays "not invited" on
    the page (no retry loop): the office sees whom to call."""
    from models import RoundTableGuest

    meeting_id = plan(world)
    smtp.inbox.refuse.add("weg@eving.example")
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        for name, email in (("Frau Weg", "weg@eving.example"), ("Herr Da", "da@eving.example")):
            meetings.add_guest(session, meeting, GuestIn(name=name, email=email))  # type: ignore[arg-type]
    start_worker()
    celery_app.send_task("roundtables.send_invitations", kwargs={"round_table_id": meeting_id})
    (sent,) = smtp.wait_for_messages(1)
    assert sent["To"] == "da@eving.example"
    with pytest.raises(AssertionError):
        smtp.wait_for_messages(2, timeout=4)

    def invited() -> dict[str, int | None]:
        with unit_of_work() as session:
            return {g.email: g.invited_sequence for g in session.exec(select(RoundTableGuest))}  # type: ignore[misc]

    assert invited() == {"da@eving.example": 0, "weg@eving.example": None}
