"""The private calendar address: one per person, a new one revokes the old, revoking leaves
none, a deactivated account's address stops; the calendar holds times, what each entry is and
the case number, never a household's name, address or phone number."""

from datetime import timedelta

from icalendar import Calendar
from sqlmodel import select

from core.clock import utc_now
from core.db import unit_of_work
from models import CalendarFeed, Staff
from tests.workflows.agenda.conftest import plan_visit
from tests.workflows.consultations.conftest import at
from workflows.agenda import feed
from workflows.consultations import schedule

SITE = "https://willkommen.dortmund.example"


def owner_of(token: str) -> int | None:
    with unit_of_work() as session:
        staff = feed.owner(session, token)
        return staff.id if staff else None


def issue(staff_id: int) -> str:
    with unit_of_work() as session:
        return feed.issue(session, staff_id, utc_now())


def test_a_new_address_revokes_the_old_and_revoking_leaves_none(world):
    first = issue(world.caseworker_id)
    assert owner_of(first) == world.caseworker_id
    second = issue(world.caseworker_id)
    assert (owner_of(first), owner_of(second)) == (None, world.caseworker_id)
    with unit_of_work() as session:
        assert feed.revoke(session, world.caseworker_id, utc_now()) is True
        assert feed.revoke(session, world.caseworker_id, utc_now()) is False
        stored = list(session.exec(select(CalendarFeed.token_hash)))
    assert owner_of(second) is None
    assert first not in stored and second not in stored  # only hashes are kept
    assert owner_of("") is None and owner_of("x" * 500) is None


def test_a_deactivated_accounts_address_stops_working(world):
    token = issue(world.caseworker_id)
    with unit_of_work() as session:
        session.get(Staff, world.caseworker_id).active = False  # type: ignore[union-attr]
    assert owner_of(token) is None


def test_the_calendar_has_times_and_case_numbers_but_no_household_data(world, desk):
    """Given Lea's welcome visit at the Haddads' and her Tuesday duty (the one after called
    off), when her calendar is built, then the visit is "Willkommensbesuch · Fall N" with the
    case page as its link, the duties have their place, times in UTC and the called-off one is
    CANCELLED; the family name, street and phone number appear nowhere in it."""
    case_id = plan_visit(world, at(desk.day, 14))
    following = desk.day + timedelta(days=7)
    with unit_of_work() as session:
        hour = schedule.hours_of(session, desk.office_id)[0]
        schedule.close_day(session, hour, following, "Fortbildung", actor_id=None)
        lea = session.get(Staff, world.caseworker_id)
        body = feed.calendar(session, lea, SITE, utc_now())  # type: ignore[arg-type]

    text = body.decode()
    for private in ("Haddad", "Evinger", "44339", "0231", "123456", "household.example"):
        assert private not in text
    events = {
        (str(e["summary"]), e["dtstart"].dt): e for e in Calendar.from_ical(body).walk("VEVENT")
    }
    visit = events[(f"Willkommensbesuch · Fall {case_id}", at(desk.day, 14))]
    assert str(visit["url"]) == f"{SITE}/cases/{case_id}" and "location" not in visit
    held = events[("Sprechstunde Lanstrop", at(desk.day, 10))]
    assert held["dtend"].dt == at(desk.day, 12)
    assert str(held["location"]) == "Lanstrop, Lanstroper Str. 1"
    assert str(held["status"]) == "CONFIRMED"
    called_off = events[("Sprechstunde Lanstrop – fällt aus: Fortbildung", at(following, 10))]
    assert str(called_off["status"]) == "CANCELLED"
    # Every Tuesday of the coming half year is there, each once.
    assert sum(1 for summary, _ in events if summary == "Sprechstunde Lanstrop") >= 24
    uids = [str(e["uid"]) for e in Calendar.from_ical(body).walk("VEVENT")]
    assert len(uids) == len(set(uids))  # a calendar program keeps each entry once
