"""The monthly count of the consultation hours against numbers counted by hand, and the people
without a case erased after their period while the count stays (SQLite and PostgreSQL)."""

from datetime import timedelta

from sqlmodel import select

from core.clock import utc_now
from core.db import unit_of_work
from models import ConsultationContact, Visitor
from workflows.consultations import booking, figures
from workflows.consultations import desk as desk_service
from workflows.consultations.booking import BookingIn
from workflows.consultations.desk import ContactIn
from workflows.privacy import visitors

from .conftest import at


def _record(desk, now, **values):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        data = ContactIn.model_validate({"topics": ["kita"], "outcome": "resolved", **values})
        contact = desk_service.record_contact(
            session, data, staff=desk.staff(desk.world.caseworker_id), now=now
        )
        return contact.id, contact.visitor_id


def test_the_month_counts_visits_and_persons_per_place_topic_and_outcome(desk):
    """Given in one month, at Lanstrop: a household with a case twice (2 and then 3 people), a
    person without a case twice, two anonymous walk-ins of 2 people each, a booked person who did
    not come; and in the office a walk-in; and one contact in the month before — then Lanstrop has
    6 visits and 3 + 1 + 2 + 2 = 8 persons, the office 1 and 1, the topics and outcomes as
    recorded, and the contact of the month before is not counted."""
    tuesday = desk.day
    month = tuesday.replace(day=1)
    case_id = desk.world.open_case()
    lanstrop = {"hour_id": desk.hour_id}
    _record(desk, at(tuesday, 10), **lanstrop, case_id=case_id, persons=2)
    _record(
        desk, at(tuesday, 10, 5), **lanstrop, case_id=case_id, persons=3, topics=["school", "kita"]
    )
    _id, visitor_id = _record(
        desk, at(tuesday, 10, 10), **lanstrop, visitor={"name": "Herr K."}, outcome="appointment"
    )
    _record(
        desk,
        at(tuesday, 10, 15),
        **lanstrop,
        visitor_id=visitor_id,
        outcome="referred",
        referred_to="Jobcenter",
    )
    _record(desk, at(tuesday, 10, 20), **lanstrop, persons=2, topics=["energy"])
    _record(
        desk, at(tuesday, 10, 25), **lanstrop, persons=2, topics=["energy"], interpreter_used=True
    )
    with unit_of_work() as session:
        data = BookingIn.model_validate(
            {"hour_id": desk.hour_id, "starts_at": at(tuesday, 11), "visitor": {"name": "Frau S."}}
        )
        missed = booking.book(session, data, staff=desk.staff(desk.world.caseworker_id)).id
    with unit_of_work() as session:
        booking.no_show(
            session, missed, staff=desk.staff(desk.world.caseworker_id), now=at(tuesday, 11, 30)
        )  # type: ignore[arg-type]
    _record(desk, at(tuesday, 12), topics=["housing"])  # the office itself (no hour, no place)
    before = month - timedelta(days=1)
    with unit_of_work() as session:
        session.add(ConsultationContact(office_id=desk.office_id, sub_location_id=desk.place_id,
                                        occurred_at=at(before, 10), topics=["kita"],
                                        outcome="resolved"))  # fmt: skip
    with unit_of_work() as session:
        counted = figures.month(session, [desk.office_id], month)
    office, place = counted.places
    assert (office.name, office.visits, office.persons, office.walk_ins) == (
        "Büro Eving/Scharnhorst",
        1,
        1,
        1,
    )
    assert (place.name, place.visits, place.persons) == ("Lanstrop", 6, 8)
    assert (place.walk_ins, place.with_case, place.interpreter, place.booked, place.no_shows) == (
        6,
        2,
        1,
        1,
        1,
    )
    assert dict(place.topics) == {"kita": 4, "school": 1, "energy": 2}
    assert dict(place.outcomes) == {"resolved": 4, "appointment": 1, "referred": 1}
    assert (counted.total.visits, counted.total.persons) == (7, 9)


def test_people_without_a_case_are_erased_after_their_period_and_still_counted(desk):
    """Given a person without a case last seen 200 days ago, one seen last week, and one seen
    long ago who is booked for next Tuesday, when the night's erasure runs with 180 days, then
    only the first is erased (name, phone, the notes of their contacts), and the month's count
    of their visit is unchanged."""
    today = utc_now()
    long_ago = today - timedelta(days=200)
    old_id, old_visitor = _record(
        desk,
        long_ago,
        visitor={"name": "Herr K.", "phone": "0176 1111111"},
        note="kommt wegen Strom",
    )
    _recent, recent_visitor = _record(desk, today - timedelta(days=7), visitor={"name": "Frau S."})
    _id, booked_visitor = _record(desk, long_ago, visitor={"name": "Frau B."})
    with unit_of_work() as session:
        data = BookingIn.model_validate(
            {"hour_id": desk.hour_id, "starts_at": at(desk.day, 10), "visitor_id": booked_visitor}
        )
        booking.book(session, data, staff=desk.staff(desk.world.caseworker_id))
    with unit_of_work() as session:
        before = figures.month(session, [desk.office_id], long_ago.date())
    with unit_of_work() as session:
        erased = visitors.erase_forgotten(session, today, today.date() - timedelta(days=180))
    with unit_of_work() as session:
        people = {
            v.id: (v.name, v.phone, v.erased_at is not None) for v in session.exec(select(Visitor))
        }
        contact = session.get_one(ConsultationContact, old_id)
        after = figures.month(session, [desk.office_id], long_ago.date())
    assert erased == 1
    assert people[old_visitor] == ("anonymisiert", None, True)
    assert people[recent_visitor] == ("Frau S.", None, False)
    assert people[booked_visitor][2] is False
    assert contact.note is None
    assert (
        (after.total.visits, after.total.persons)
        == (before.total.visits, before.total.persons)
        == (2, 2)
    )
