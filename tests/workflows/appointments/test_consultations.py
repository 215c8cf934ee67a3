"""Consultation-hour appointments and their calendar emails (SQLite and PostgreSQL), composed
by the code the workers use, without a mail server."""

from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar
from sqlmodel import select

from core.config import get_settings
from core.db import unit_of_work
from models import Appointment, Reminder, SubLocation
from models.enums import ReminderKind, ReminderStatus
from workflows.appointments import consultations
from workflows.engine import reminders
from workflows.engine.errors import CaseNotFound, InvalidInput
from workflows.messaging.compose import compose

SOON = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=4)


def rows(case_id: int) -> list[Reminder]:
    with unit_of_work() as session:
        query = select(Reminder).where(Reminder.case_id == case_id).order_by(Reminder.id)
        return [r for r in session.exec(query) if r.appointment_id is not None]


def sent(reminder_id: int) -> None:
    """As the worker does: claim the queued reminder and mark it sent."""
    with unit_of_work() as session:
        assert reminders.claim(session, reminder_id, datetime.now(UTC)) is not None
        reminders.mark_sent(session, reminder_id, datetime.now(UTC))


def ics(reminder_id: int):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        message = compose(session, session.get(Reminder, reminder_id), get_settings())
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return message, event


def test_consultation_booked_moved_and_cancelled_sends_one_calendar_entry(world):
    """Given a household, when a consultation at the Lanstrop sub-location is booked, moved and
    cancelled, then the household's invitation, update and cancellation name that place, share
    one UID with SEQUENCE 0, 1, 2, and the day-before reminders of the old times are off."""
    case_id = world.open_case()
    with unit_of_work() as session:
        place = SubLocation(office_id=world.office_id, name="Lanstrop", address="Lanstroper Str. 1")
        session.add(place)
        session.flush()
        booked = consultations.book(
            session, case_id, SOON, actor_id=world.caseworker_id, sub_location_id=place.id
        )
        appointment_id = booked.id
    invitation, reminder = rows(case_id)
    assert (invitation.kind, reminder.kind) == ("appointment_invitation", "appointment_reminder")
    sent(invitation.id)
    message, event = ics(invitation.id)
    assert message["Content-Language"] == "ar"
    assert "موعد في ساعات الاستشارة" in message["Subject"]  # consultation appointment
    assert str(event["LOCATION"]) == "Lanstrop, Lanstroper Str. 1"
    assert (int(event["SEQUENCE"]), event.decoded("DTSTART")) == (0, SOON)

    with unit_of_work() as session:
        consultations.reschedule(
            session, appointment_id, SOON + timedelta(days=1), actor_id=world.caseworker_id
        )
    update = rows(case_id)[-2]
    assert update.kind == ReminderKind.APPOINTMENT_UPDATE
    assert rows(case_id)[1].status == ReminderStatus.CANCELLED  # the old day-before reminder
    sent(update.id)
    _message, event = ics(update.id)
    assert (int(event["SEQUENCE"]), event.decoded("DTSTART")) == (1, SOON + timedelta(days=1))

    with unit_of_work() as session:
        consultations.cancel(session, appointment_id, actor_id=world.caseworker_id)
    cancellation = rows(case_id)[-1]
    assert cancellation.kind == ReminderKind.APPOINTMENT_CANCELLATION
    message, event = ics(cancellation.id)
    assert str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 2
    assert len({r.appointment_id for r in rows(case_id)}) == 1
    with unit_of_work() as session:
        assert session.get(Appointment, appointment_id).status == "cancelled"


def test_a_consultation_never_announced_is_cancelled_silently(world):
    """Given a consultation whose invitation has not gone out yet, when it is cancelled, then the
    invitation is not sent and no cancellation follows (the household never heard of it)."""
    case_id = world.open_case()
    with unit_of_work() as session:
        booked = consultations.book(session, case_id, SOON, actor_id=world.caseworker_id)
        assert (
            booked.location
            == "lokal willkommen Eving/Scharnhorst, Bayrische Straße 135, 44339 Dortmund"
        )
        consultations.cancel(session, booked.id, actor_id=world.caseworker_id)
    assert {r.kind: r.status for r in rows(case_id)} == {
        "appointment_invitation": "cancelled",
        "appointment_reminder": "cancelled",
    }


def test_consultations_are_refused_in_the_past_and_for_another_office(world):
    """Given a case of Eving, when a consultation in the past is booked, or staff of no office
    books one, then it is refused."""
    case_id = world.open_case()
    with unit_of_work() as session:
        with pytest.raises(InvalidInput):
            consultations.book(
                session, case_id, SOON - timedelta(days=10), actor_id=world.caseworker_id
            )
        with pytest.raises(CaseNotFound):
            consultations.book(session, case_id, SOON, actor_id=world.supervisor_id + 1000)
