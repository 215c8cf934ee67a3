"""Booking slots: capacity, the checks on the time, people without a case, a crowd booking the
last place at once, cancelling and no-shows (SQLite and PostgreSQL)."""

import threading
from datetime import timedelta

import pytest
from sqlmodel import select

from core.db import commit, new_session, unit_of_work
from models import (
    Appointment,
    CaseEvent,
    ConsultationBooking,
    ConsultationHour,
    Office,
    Reminder,
    Visitor,
)
from models.enums import AppointmentStatus, BookingStatus, ReminderKind, ReminderStatus
from workflows.consultations import booking
from workflows.consultations.booking import BookingIn
from workflows.consultations.schedule import HourNotFound
from workflows.engine.errors import InvalidInput

from .conftest import add_hour, at


def _book(desk, staff_id=None, **values):  # type: ignore[no-untyped-def]
    staff = desk.staff(staff_id or desk.world.caseworker_id)
    with unit_of_work() as session:
        made = booking.book(
            session, BookingIn.model_validate({"hour_id": desk.hour_id, **values}), staff=staff
        )
        return made.id


def _visitor(name: str) -> dict:
    return {"name": name, "phone": "0176 1234567", "language": "uk"}


def test_a_full_slot_is_refused_with_the_free_times_and_a_cancellation_frees_it(desk):
    """Given a slot for one household, when a person is booked at 10:30 and a household with a
    case asks for 10:30 too, then it is refused with the times still free; once the first
    booking is cancelled, the household gets 10:30, its appointment with the invitation, and
    its history says so."""
    case_id = desk.world.open_case()
    first = _book(desk, starts_at=at(desk.day, 10, 30), visitor=_visitor("Frau S."))
    with pytest.raises(InvalidInput) as refused:
        _book(desk, starts_at=at(desk.day, 10, 30), case_id=case_id)
    assert refused.value.errors["starts_at"] == (
        "Dieser Termin ist schon ausgebucht (1 von 1). Frei sind noch: 10:00, 11:00, 11:30."
    )
    with unit_of_work() as session:
        booking.cancel(session, first, staff=desk.staff(desk.world.caseworker_id))
    second = _book(desk, starts_at=at(desk.day, 10, 30), case_id=case_id, interpreter_needed=True)
    with unit_of_work() as session:
        made = session.get_one(ConsultationBooking, second)
        appointment = session.get_one(Appointment, made.appointment_id)
        events = session.exec(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id, CaseEvent.trigger == "consultation_booked"
            )
        ).all()
    assert (made.language, made.status) == ("ar", BookingStatus.BOOKED)
    assert (appointment.starts_at, appointment.duration_minutes) == (at(desk.day, 10, 30), 30)
    assert appointment.location == "Lanstrop, Lanstroper Str. 1"
    assert [e.note for e in events] == [
        f"{desk.day:%d.%m.%Y} 10:30 Uhr, Lanstrop (mit Sprachmittlung)"
    ]


def test_a_larger_capacity_takes_that_many_households(desk):
    """Given a slot for two, then two people get 10:00 and the third is refused."""
    with unit_of_work() as session:
        session.get_one(ConsultationHour, desk.hour_id).capacity = 2
    _book(desk, starts_at=at(desk.day, 10), visitor=_visitor("A"))
    _book(desk, starts_at=at(desk.day, 10), visitor=_visitor("B"))
    with pytest.raises(InvalidInput, match="ausgebucht"):
        _book(desk, starts_at=at(desk.day, 10), visitor=_visitor("C"))


@pytest.mark.parametrize(
    ("when", "words"),
    [
        (lambda day: at(day, 10, 15),
         "Zu dieser Zeit beginnt kein Termin; Termine: 10:00, 10:30, 11:00, 11:30."),
        (lambda day: at(day, 12), "Zu dieser Zeit beginnt kein Termin"),
        (lambda day: at(day + timedelta(days=1), 10),
         "An diesem Tag ist keine Sprechstunde (Dienstag 10:00–12:00)."),
        (lambda day: at(day - timedelta(days=14), 10), "Der Termin muss in der Zukunft liegen."),
        (lambda day: at(day + timedelta(days=371), 10), "Höchstens ein Jahr im Voraus buchen."),
    ],
)  # fmt: skip
def test_a_time_that_is_no_slot_is_refused_with_the_reason(desk, when, words):
    with pytest.raises(InvalidInput) as refused:
        _book(desk, starts_at=when(desk.day), visitor=_visitor("Frau S."))
    assert refused.value.errors["starts_at"].startswith(words)
    with unit_of_work() as session:
        assert session.exec(select(ConsultationBooking)).all() == []
        assert session.exec(select(Visitor)).all() == []


def test_who_comes_must_be_said_once_and_the_case_must_be_the_offices(desk):
    """Given a booking naming nobody, or a case and a person, then it is refused; a case of
    another office is 'not found'; another office's hour is not found (404)."""
    with pytest.raises(ValueError, match="genau eines"):
        BookingIn.model_validate({"hour_id": desk.hour_id, "starts_at": at(desk.day, 10)})
    with pytest.raises(ValueError, match="genau eines"):
        BookingIn.model_validate(
            {
                "hour_id": desk.hour_id,
                "starts_at": at(desk.day, 10),
                "case_id": 1,
                "visitor": _visitor("x"),
            }
        )
    with pytest.raises(InvalidInput) as refused:
        _book(desk, starts_at=at(desk.day, 10), case_id=999_999)
    assert refused.value.errors == {"case_id": "Fall nicht gefunden."}
    other_office_hour = add_hour(_other_office(), weekday=1, starts="10:00", ends="12:00")
    staff = desk.staff(desk.world.caseworker_id)
    with unit_of_work() as session, pytest.raises(HourNotFound):
        booking.book(
            session,
            BookingIn(hour_id=other_office_hour, starts_at=at(desk.day, 10), visitor=_visitor("x")),
            staff=staff,
        )  # type: ignore[arg-type]


def _other_office() -> int:
    with unit_of_work() as session:
        office = Office(code="huckarde", name="Huckarde", address="a", partner_organisation="AWO",
                        email="h@example.org", districts=["Huckarde"])  # fmt: skip
        session.add(office)
        session.flush()
        return int(office.id)  # type: ignore[arg-type]


def test_a_household_is_not_booked_twice_into_one_slot(desk):
    with unit_of_work() as session:
        session.get_one(ConsultationHour, desk.hour_id).capacity = 3
    case_id = desk.world.open_case()
    _book(desk, starts_at=at(desk.day, 11), case_id=case_id)
    with pytest.raises(InvalidInput) as refused:
        _book(desk, starts_at=at(desk.day, 11), case_id=case_id)
    assert (
        refused.value.errors["starts_at"] == "Der Haushalt hat zu dieser Zeit schon einen Termin."
    )


def test_two_people_booking_the_last_place_at_once_get_one_booking_and_one_refusal(desk):
    """Given ten staff members booking the same last place at the same moment, then exactly one
    booking is made and nine are refused as fully booked (nothing half-written)."""
    staff = desk.staff(desk.world.caseworker_id)
    barrier, outcomes = threading.Barrier(10), []

    def attempt(number: int) -> None:
        session = new_session()
        try:
            data = BookingIn.model_validate(
                {
                    "hour_id": desk.hour_id,
                    "starts_at": at(desk.day, 11, 30),
                    "visitor": _visitor(f"P{number}"),
                }
            )
            barrier.wait(timeout=10)
            booking.book(session, data, staff=staff)
            commit(session)
            outcomes.append("booked")
        except InvalidInput as exc:
            session.rollback()
            outcomes.append(exc.errors["starts_at"][:35])
        finally:
            session.close()

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes) == ["Dieser Termin ist schon ausgebucht "] * 9 + ["booked"]
    with unit_of_work() as session:
        assert len(session.exec(select(ConsultationBooking)).all()) == 1
        assert len(session.exec(select(Visitor)).all()) == 1


def test_a_no_show_is_one_click_once_the_slot_has_begun(desk):
    """Given a household booked at 10:00, then 'not come' is refused before 10:00; after it the
    booking and the appointment say so, the reminder for the day before is off, and the case's
    history has the entry; a second click is refused."""
    case_id = desk.world.open_case()
    booked = _book(desk, starts_at=at(desk.day, 10), case_id=case_id)
    staff = desk.staff(desk.world.caseworker_id)
    with unit_of_work() as session, pytest.raises(InvalidInput, match="noch nicht begonnen"):
        booking.no_show(session, booked, staff=staff)
    with unit_of_work() as session:
        booking.no_show(session, booked, staff=staff, now=at(desk.day, 10, 20))
    with unit_of_work() as session:
        made = session.get_one(ConsultationBooking, booked)
        appointment = session.get_one(Appointment, made.appointment_id)
        triggers = [
            e.trigger for e in session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id))
        ]
        day_before = session.exec(
            select(Reminder.status).where(
                Reminder.appointment_id == appointment.id,
                Reminder.kind == ReminderKind.APPOINTMENT_REMINDER,
            )
        ).one()
    assert (made.status, appointment.status) == (BookingStatus.NO_SHOW, AppointmentStatus.NO_SHOW)
    assert day_before == ReminderStatus.CANCELLED
    assert "consultation_no_show" in triggers
    with unit_of_work() as session, pytest.raises(InvalidInput, match="nicht mehr offen"):
        booking.no_show(session, booked, staff=staff, now=at(desk.day, 10, 20))
