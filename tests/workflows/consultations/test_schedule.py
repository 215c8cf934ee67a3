"""The weekly schedule: hours in local time across the clock changes, their checks, the slots
of a date, and a date the hour does not take place (SQLite and PostgreSQL)."""

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from core.db import unit_of_work
from models import Appointment, ConsultationHour, Office, Reminder, Staff, SubLocation
from models.enums import AppointmentStatus, BookingStatus, Employer, ReminderKind, Role
from workflows.casework.household import parse
from workflows.consultations import booking, schedule
from workflows.consultations.booking import BookingIn
from workflows.consultations.schedule import HourIn
from workflows.engine import reminders
from workflows.engine.errors import InvalidInput

from .conftest import add_hour, at


def test_an_hour_keeps_its_local_time_across_the_change_to_summer_and_winter_time(desk):
    """Given Tuesday 10:00–12:00 in Lanstrop, then on the Tuesdays around the end of March it
    begins at 10:00 in Dortmund both times — 09:00 UTC before the change, 08:00 after — with
    four half-hour slots, and again 09:00 UTC after the change back in October."""
    with unit_of_work() as session:
        hour = session.get_one(ConsultationHour, desk.hour_id)
        held = schedule.occurrences(session, [hour], date(2027, 3, 22), date(2027, 4, 4))
        october = schedule.slot_times(hour, date(2027, 11, 2))
    assert [(o.day, o.starts_at, o.ends_at) for o in held] == [
        (
            date(2027, 3, 23),
            datetime(2027, 3, 23, 9, tzinfo=UTC),
            datetime(2027, 3, 23, 11, tzinfo=UTC),
        ),
        (
            date(2027, 3, 30),
            datetime(2027, 3, 30, 8, tzinfo=UTC),
            datetime(2027, 3, 30, 10, tzinfo=UTC),
        ),
    ]
    with unit_of_work() as session:
        slots = schedule.slot_times(
            session.get_one(ConsultationHour, desk.hour_id), date(2027, 3, 30)
        )
    assert [s.strftime("%H:%M") for s in slots] == ["08:00", "08:30", "09:00", "09:30"]
    assert october[0] == datetime(2027, 11, 2, 9, tzinfo=UTC)


def test_an_hour_is_held_only_within_its_validity(desk):
    """Given an hour valid from 1 to 14 April 2027 (Thursdays), then it is held on 1 and 8 April
    only."""
    hour_id = add_hour(
        desk.office_id, weekday=3, starts="14:00", ends="16:00",
        valid_from="2027-04-01", valid_to="2027-04-14",
    )  # fmt: skip
    with unit_of_work() as session:
        hour = session.get_one(ConsultationHour, hour_id)
        held = schedule.occurrences(session, [hour], date(2027, 3, 1), date(2027, 5, 1))
    assert [o.day for o in held] == [date(2027, 4, 1), date(2027, 4, 8)]


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        ({"weekday": 1, "starts": "12:00", "ends": "10:00"}, "", "Ende muss nach dem Beginn"),
        ({"weekday": 7, "starts": "10:00", "ends": "12:00"}, "weekday", "Höchstens 6"),
        ({"weekday": 1, "starts": "10:00", "ends": "10:20"}, "", "kürzer als ein Termin"),
        ({"weekday": 1, "starts": "10:00", "ends": "12:00", "capacity": 0}, "capacity",
         "Mindestens 1"),
        ({"weekday": 1, "starts": "25:00", "ends": "26:00"}, "starts", ""),
        ({"weekday": 1, "starts": "10:00", "ends": "12:00", "valid_from": "2027-05-01",
          "valid_to": "2027-04-01"}, "", "vor „gilt ab“"),
    ],
)  # fmt: skip
def test_a_broken_hour_is_refused_at_its_field(values, field, words):
    """Given an hour that cannot be held as entered, then it is refused, the problem named."""
    with pytest.raises(InvalidInput) as refused:
        parse(HourIn, values)
    message = refused.value.errors.get(field) or " ".join(refused.value.errors.values())
    assert words in message


def test_duty_and_place_must_belong_to_the_office(desk):
    """Given another office's sub-location and staff member, then an hour naming them is
    refused with both problems, and no hour is added."""
    with unit_of_work() as session:
        office = Office(code="mengede", name="Mengede", address="a", partner_organisation="AWO",
                        email="m@example.org", districts=["Mengede"])  # fmt: skip
        session.add(office)
        session.flush()
        other = SubLocation(office_id=office.id, name="Bodelschwingh", address="b")
        session.add(other)
        stranger = Staff(name="Ali Demir", email="ali@example.org", role=Role.CASEWORKER,
                         employer=Employer.CITY, employer_name="Stadt",
                         office_id=office.id)  # fmt: skip
        session.add(stranger)
        session.flush()
        ids = (other.id, stranger.id)
    data = HourIn(
        weekday=2, starts="09:00", ends="11:00", sub_location_id=ids[0], staff_ids=[ids[1]]
    )  # type: ignore[arg-type]
    with unit_of_work() as session, pytest.raises(InvalidInput) as refused:
        schedule.save_hour(session, desk.office_id, data)
    assert set(refused.value.errors) == {"sub_location_id", "staff_ids"}
    with unit_of_work() as session:
        assert len(schedule.hours_of(session, desk.office_id)) == 1


def _invitation_sent(case_id: int) -> None:
    """As the worker does: the invitation was sent."""
    with unit_of_work() as session:
        query = select(Reminder).where(
            Reminder.case_id == case_id, Reminder.kind == ReminderKind.APPOINTMENT_INVITATION
        )
        invitation = session.exec(query).one()
        now = datetime.now(UTC)
        assert reminders.claim(session, invitation.id, now) is not None  # type: ignore[arg-type]
        reminders.mark_sent(session, invitation.id, now)  # type: ignore[arg-type]


def test_a_cancelled_date_calls_off_its_bookings_and_refuses_new_ones(desk):
    """Given a household with a case booked at 10:00 (invitation sent) and a person without a
    case at 10:30, when the supervisor records that the hour does not take place that day, then
    the household's appointment is cancelled and its cancellation email queued, the person
    without a case is listed with the phone number to call, and a new booking that day is
    refused with the reason."""
    case_id = desk.world.open_case()
    staff = desk.staff(desk.world.caseworker_id)
    with unit_of_work() as session:
        booking.book(
            session,
            BookingIn(hour_id=desk.hour_id, starts_at=at(desk.day, 10), case_id=case_id),
            staff=staff,
        )
        booking.book(
            session,
            BookingIn.model_validate({"hour_id": desk.hour_id, "starts_at": at(desk.day, 10, 30),
                                      "visitor": {"name": "Herr K.", "phone": "0176 555123",
                                                  "language": "ru"}}),
            staff=staff,
        )  # fmt: skip
    _invitation_sent(case_id)
    with unit_of_work() as session:
        hour = session.get_one(ConsultationHour, desk.hour_id)
        schedule.close_day(
            session, hour, desk.day, "Fortbildung", actor_id=desk.world.supervisor_id
        )
        called_off = booking.cancel_for_closure(
            session, hour, desk.day, "Fortbildung", actor_id=desk.world.supervisor_id
        )
    assert [(c.booking.status, c.phone) for c in called_off] == [
        (BookingStatus.CANCELLED, "0231 123456"),
        (BookingStatus.CANCELLED, "0176 555123"),
    ]
    assert called_off[1].name == "Herr K."
    with unit_of_work() as session:
        (appointment,) = session.exec(
            select(Appointment).where(Appointment.case_id == case_id)
        ).all()
        assert appointment.status == AppointmentStatus.CANCELLED
        kinds = [r.kind for r in session.exec(select(Reminder).where(Reminder.case_id == case_id))]
        assert ReminderKind.APPOINTMENT_CANCELLATION in kinds
    with unit_of_work() as session, pytest.raises(InvalidInput) as refused:
        booking.book(
            session,
            BookingIn(hour_id=desk.hour_id, starts_at=at(desk.day, 11), case_id=case_id),
            staff=staff,
        )
    assert (
        refused.value.errors["starts_at"] == "Die Sprechstunde fällt an diesem Tag aus: Fortbildung"
    )
    with unit_of_work() as session, pytest.raises(InvalidInput):
        hour = session.get_one(ConsultationHour, desk.hour_id)
        schedule.close_day(session, hour, desk.day, "nochmal", actor_id=None)


def test_a_change_that_would_leave_a_booked_household_outside_the_hour_is_refused(desk):
    """Given a person booked at 10:30 next Tuesday, when the hour is moved to begin at 10:15 or
    to Wednesdays, then the change is refused with the reason and the hour is unchanged; giving
    it a second place per slot is fine."""
    staff = desk.staff(desk.world.caseworker_id)
    data = {"hour_id": desk.hour_id, "starts_at": at(desk.day, 10, 30), "visitor": {"name": "K."}}
    with unit_of_work() as session:
        booking.book(session, BookingIn.model_validate(data), staff=staff)
    base = {"sub_location_id": desk.place_id, "weekday": 1, "starts": "10:00", "ends": "12:00"}
    for change in ({"starts": "10:15"}, {"weekday": 2}):
        with unit_of_work() as session, pytest.raises(InvalidInput) as refused:
            schedule.save_hour(
                session, desk.office_id, HourIn.model_validate({**base, **change}), desk.hour_id
            )
        assert refused.value.errors["weekday"].startswith(
            "1 gebuchte(r) Termin(e) passen nicht mehr"
        )
    with unit_of_work() as session:
        schedule.save_hour(
            session, desk.office_id, HourIn.model_validate({**base, "capacity": 2}), desk.hour_id
        )
    with unit_of_work() as session:
        hour = session.get_one(ConsultationHour, desk.hour_id)
        assert (hour.weekday, f"{hour.starts:%H:%M}", hour.capacity) == (1, "10:00", 2)
