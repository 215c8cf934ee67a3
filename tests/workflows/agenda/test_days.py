"""Each staff member's agenda: their own home visits and the dates they are on duty at a
consultation hour, in Dortmund's time across the change to summer time, with what the day
holds (booked households, languages, a date called off); a colleague's only for a supervisor
of their office."""

from datetime import date, timedelta

import pytest

from core.db import unit_of_work
from models import Office, Staff
from models.enums import Employer, Role
from tests.workflows.agenda.conftest import plan_visit
from tests.workflows.consultations.conftest import add_hour, at
from workflows.agenda import days
from workflows.agenda.days import Duty, Visit
from workflows.consultations import booking, schedule
from workflows.consultations.booking import BookingIn


def agenda_of(staff_id: int, first: date, last: date | None = None) -> list[days.Day]:
    with unit_of_work() as session:
        staff = session.get(Staff, staff_id)
        return days.agenda(session, staff, first, last or first)  # type: ignore[arg-type]


def book(desk, case_id: int, hour: int, minute: int = 0) -> None:  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        data = BookingIn(
            hour_id=desk.hour_id, starts_at=at(desk.day, hour, minute), case_id=case_id
        )
        booking.book(session, data, staff=session.get(Staff, desk.world.caseworker_id))  # type: ignore[arg-type]


def test_the_day_holds_my_duty_and_my_visits_in_time_order_and_not_a_colleagues(world, desk):
    """Given Lea on duty at Lanstrop on Tuesday 10–12 with one household booked, her welcome
    visit at the Haddads' at 14:00 and Jonas's visit at the Nouris' at 9:00, when her Tuesday
    is shown, then it is the duty (one booked, Arabic) and then her visit with the address,
    languages and phone number; Jonas's day holds his visit and no duty."""
    mine = plan_visit(world, at(desk.day, 14))
    theirs = plan_visit(
        world, at(desk.day, 9), world.supervisor_id, family_name="Nouri", street="Kirchstr. 3"
    )
    book(desk, mine, 10, 30)

    (tuesday,) = agenda_of(world.caseworker_id, desk.day)
    duty, visit = tuesday.entries
    assert isinstance(duty, Duty) and isinstance(visit, Visit)
    assert (duty.place, duty.address, duty.booked, duty.languages) == (
        "Lanstrop", "Lanstroper Str. 1", 1, ["ar"],
    )  # fmt: skip
    assert (duty.starts_at, duty.ends_at, duty.closed) == (at(desk.day, 10), at(desk.day, 12), None)
    assert (visit.case_id, visit.title, visit.starts_at) == (
        mine,
        "Willkommensbesuch",
        at(desk.day, 14),
    )
    assert (visit.family_name, visit.address) == ("Haddad", "Evinger Straße 12, 44339 Dortmund")
    assert (visit.languages, visit.phone, visit.done) == (["ar", "de"], "0231 123456", False)

    (his,) = agenda_of(world.supervisor_id, desk.day)
    assert [(e.kind, getattr(e, "case_id", None)) for e in his.entries] == [("visit", theirs)]


def test_a_week_lists_every_day_and_a_called_off_date_says_why(world, desk):
    """Given the Tuesday hour called off next week for a training, when Lea's two weeks from
    this Monday are shown, then there are fourteen days, this Tuesday's duty is held and next
    Tuesday's carries its reason."""
    monday = desk.day - timedelta(days=1)
    with unit_of_work() as session:
        hour = schedule.hours_of(session, desk.office_id)[0]
        schedule.close_day(
            session, hour, desk.day + timedelta(days=7), "Fortbildung", actor_id=None
        )

    found = agenda_of(world.caseworker_id, monday, monday + timedelta(days=13))
    assert [d.day for d in found] == [monday + timedelta(days=n) for n in range(14)]
    duties = [(d.day, e.closed) for d in found for e in d.entries]
    assert duties == [(desk.day, None), (desk.day + timedelta(days=7), "Fortbildung")]


def test_a_duty_stays_at_ten_oclock_across_the_change_to_summer_time(world):
    """Given a Sunday hour 10:00–11:00 with Lea on duty, when the Sundays around the change to
    summer time (28 March 2027) are shown, then both begin at 10:00 in Dortmund: 09:00 UTC
    before, 08:00 UTC after."""
    add_hour(
        world.office_id, weekday=6, starts="10:00", ends="11:00", staff_ids=[world.caseworker_id]
    )
    found = agenda_of(world.caseworker_id, date(2027, 3, 21), date(2027, 3, 28))
    starts = [e.starts_at for d in found for e in d.entries]
    assert [(s.hour, s.minute) for s in starts] == [(9, 0), (8, 0)]
    assert starts == [at(date(2027, 3, 21), 10), at(date(2027, 3, 28), 10)]


def test_too_long_a_stretch_is_refused(world):
    with pytest.raises(ValueError, match="Höchstens 62 Tage"):
        agenda_of(world.caseworker_id, date(2027, 1, 1), date(2027, 3, 31))


def test_a_colleagues_agenda_is_for_a_supervisor_of_their_office(world):
    """Jonas (supervisor, Eving) may open Lea's agenda; Lea may not open Jonas's, and a
    supervisor of another office does not find either."""
    with unit_of_work() as session:
        office = Office(code="huckarde", name="Huckarde", address="Urbanusstr. 5",
                        partner_organisation="AWO", email="huckarde@lokal-willkommen.example",
                        districts=["Huckarde"])  # fmt: skip
        session.add(office)
        session.flush()
        stranger = Staff(name="Pia Roth", email="pia.roth@lokal-willkommen.example",
                         role=Role.SUPERVISOR, employer=Employer.CITY,
                         employer_name="Stadt Dortmund", office_id=office.id)  # fmt: skip
        session.add(stranger)
        session.flush()
        lea = session.get(Staff, world.caseworker_id)
        jonas = session.get(Staff, world.supervisor_id)
        assert days.whose(session, jonas, world.caseworker_id) is lea  # type: ignore[arg-type]
        assert days.whose(session, lea, None) is lea  # type: ignore[arg-type]
        for viewer, wanted in ((lea, jonas), (stranger, lea), (stranger, jonas)):
            with pytest.raises(days.StaffNotFound):
                days.whose(session, viewer, wanted.id)  # type: ignore[arg-type,union-attr]


def test_entries_that_overlap_are_marked(world, desk):
    """Given Lea's duty 10–12 and a visit she planned for 11:30, when her day is shown, then
    both are marked as overlapping; once the duty is called off, neither is."""
    plan_visit(world, at(desk.day, 11, 30))
    (tuesday,) = agenda_of(world.caseworker_id, desk.day)
    assert [e.kind for e in tuesday.entries] == ["duty", "visit"]
    assert tuesday.clashing == {0, 1}
    with unit_of_work() as session:
        hour = schedule.hours_of(session, desk.office_id)[0]
        schedule.close_day(session, hour, desk.day, "Krankheit", actor_id=None)
    (tuesday,) = agenda_of(world.caseworker_id, desk.day)
    assert tuesday.clashing == set()
