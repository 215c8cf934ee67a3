"""The day at the desk: the day sheet of a place, and contacts recorded with a booking, with a
case, for a person without a case, or for nobody named (SQLite and PostgreSQL)."""

import pytest
from sqlmodel import select

from core.db import unit_of_work
from models import Appointment, CaseEvent, ConsultationBooking, ConsultationContact
from models.enums import AppointmentStatus, BookingStatus
from workflows.consultations import booking
from workflows.consultations import desk as desk_service
from workflows.consultations.booking import BookingIn
from workflows.consultations.desk import ContactIn
from workflows.engine.errors import InvalidInput

from .conftest import at


def _book(desk, **values) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        data = BookingIn.model_validate({"hour_id": desk.hour_id, **values})
        return int(booking.book(session, data, staff=desk.staff(desk.world.caseworker_id)).id)  # type: ignore[arg-type]


def _record(desk, now, **values) -> ConsultationContact:  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        data = ContactIn.model_validate(values)
        return desk_service.record_contact(
            session, data, staff=desk.staff(desk.world.caseworker_id), now=now
        )


def test_the_day_sheet_shows_the_slots_bookings_languages_and_who_is_on_duty(desk):
    """Given a household with a case at 10:00 (Arabic, interpreter) and a person without a case
    at 11:00 (Ukrainian), then the Lanstrop day sheet lists the four slots with both bookings
    under their times, Lea Brandt on duty, and the languages and the interpreter needed."""
    case_id = desk.world.open_case()
    _book(desk, starts_at=at(desk.day, 10), case_id=case_id, interpreter_needed=True)
    _book(
        desk,
        starts_at=at(desk.day, 11),
        visitor={"name": "Frau S.", "phone": "0176 1234567", "language": "uk"},
    )
    with unit_of_work() as session:
        sheet = desk_service.day_sheet(
            session, desk.staff(desk.world.caseworker_id), desk.office_id, desk.place_id, desk.day
        )
        (held,) = sheet.hours
        rows = [(f"{s.starts_at:%H:%M}", [b.name for b in booked]) for s, booked in held.slots]
        duty = [s.name for s in held.duty]
    assert sheet.title == "Lanstrop"
    assert [names for _time, names in rows] == [
        [f"Haushalt Haddad (Fall {case_id})"],
        [],
        ["Frau S."],
        [],
    ]
    assert duty == ["Lea Brandt"]
    assert dict(sheet.languages) == {"ar": 1, "uk": 1} and sheet.interpreters == 1


def test_a_kept_booking_becomes_a_contact_on_the_cases_timeline(desk):
    """Given a household booked at 10:00, when the desk records its visit at 10:05 (Kita and
    Behördenpost, referred to the Jugendamt), then the booking is kept, the appointment done, the
    contact carries the case, and the case's history reads what happened."""
    case_id = desk.world.open_case()
    booked = _book(desk, starts_at=at(desk.day, 10), case_id=case_id)
    contact = _record(
        desk, at(desk.day, 10, 5), booking_id=booked, hour_id=desk.hour_id,
        topics=["kita", "official_mail"], outcome="referred", referred_to="Jugendamt", persons=2,
    )  # fmt: skip
    with unit_of_work() as session:
        made = session.get_one(ConsultationBooking, booked)
        appointment = session.get_one(Appointment, made.appointment_id)
        (event,) = session.exec(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id, CaseEvent.trigger == "consultation_contact"
            )
        ).all()
    assert (made.status, appointment.status) == (BookingStatus.CAME, AppointmentStatus.DONE)
    assert (contact.case_id, contact.walk_in, contact.language) == (case_id, False, "ar")
    assert event.note == "Sprechstunde Lanstrop: Kita, Behördenpost — weitervermittelt an Jugendamt"


def test_a_walk_in_without_a_case_is_recorded_without_a_name(desk):
    """Given someone who comes without a booking and gives no name, then the contact is recorded
    for the office's Lanstrop place as a walk-in without a person."""
    contact = _record(
        desk, at(desk.day, 11, 40), sub_location_id=desk.place_id, topics=["energy"],
        outcome="resolved", language="fa", interpreter_used=True, persons=3,
    )  # fmt: skip
    assert (contact.walk_in, contact.case_id, contact.visitor_id, contact.hour_id) == (
        True,
        None,
        None,
        None,
    )
    assert (contact.sub_location_id, contact.persons, contact.interpreter_used) == (
        desk.place_id,
        3,
        True,
    )


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"topics": ["kita"], "outcome": "referred"}, "wohin weitervermittelt"),
        ({"topics": [], "outcome": "resolved"}, ""),
        ({"topics": ["kita"], "outcome": "resolved", "occurred_at": "2099-01-01T10:00:00+01:00"},
         "Zukunft"),
        ({"topics": ["kita"], "outcome": "resolved", "persons": 0}, "Mindestens 1"),
        ({"topics": ["weather"], "outcome": "resolved"}, "Unbekannter Wert"),
        ({"topics": ["kita"], "outcome": "resolved", "case_id": 1, "visitor": {"name": "x"}},
         "Höchstens eines"),
    ],
)  # fmt: skip
def test_a_contact_that_cannot_be_right_is_refused_and_nothing_written(desk, values, words):
    from workflows.casework.household import parse

    with pytest.raises(InvalidInput) as refused, unit_of_work() as session:
        data = parse(ContactIn, {"hour_id": desk.hour_id, **values})
        desk_service.record_contact(session, data, staff=desk.staff(desk.world.caseworker_id))
    assert words in " ".join(refused.value.errors.values())
    with unit_of_work() as session:
        assert session.exec(select(ConsultationContact)).all() == []
