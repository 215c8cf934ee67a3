"""The monthly count of the consultation hours, as the pilot office counted its work: visits
(each contact at the desk) and persons (people, each counted once a month), per place, topic
and outcome. Nobody is named: a person with a case or a known person without one counts once
with the most people they came with; an anonymous contact counts its people each time (so the
persons figure is an upper bound where people did not give a name)."""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, time

from sqlmodel import Session, col, select

from models import ConsultationBooking, ConsultationContact, ConsultationHour, Office, SubLocation
from models.enums import BookingStatus
from workflows.consultations.schedule import local_moment

# The counted fields of a place, in the order the page and the API show them.
COUNTS = ("visits", "persons", "walk_ins", "with_case", "interpreter", "booked", "no_shows")


@dataclass
class PlaceFigures:
    """One place's month: visits, persons and how the visits went."""

    office_id: int
    sub_location_id: int | None
    name: str
    visits: int = 0
    persons: int = 0
    walk_ins: int = 0
    with_case: int = 0
    interpreter: int = 0
    topics: Counter[str] = field(default_factory=Counter)
    outcomes: Counter[str] = field(default_factory=Counter)
    booked: int = 0  # bookings of slots in the month (kept, missed or still open)
    no_shows: int = 0


@dataclass
class MonthFigures:
    month: date  # its first day
    places: list[PlaceFigures]

    @property
    def total(self) -> PlaceFigures:
        total = PlaceFigures(0, None, "Zusammen")
        for place in self.places:
            for name in COUNTS:
                setattr(total, name, getattr(total, name) + getattr(place, name))
            total.topics.update(place.topics)
            total.outcomes.update(place.outcomes)
        return total


def month_bounds(month: date) -> tuple[date, date]:
    first = month.replace(day=1)
    following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, following


def month(session: Session, office_ids: list[int] | None, month: date) -> MonthFigures:
    """The figures of the month containing ``month`` for these offices (None: all)."""
    first, following = month_bounds(month)
    return period(session, office_ids, first, following)


def period(
    session: Session, office_ids: list[int] | None, first: date, following: date
) -> MonthFigures:
    """The figures from ``first`` up to (not including) ``following``: a person is counted
    once in the period (the reports' periods, a month on the page)."""
    start, end = local_moment(first, time(0)), local_moment(following, time(0))
    places = _places(session, office_ids)
    query = select(ConsultationContact).where(
        col(ConsultationContact.occurred_at) >= start, col(ConsultationContact.occurred_at) < end
    )
    if office_ids is not None:
        query = query.where(col(ConsultationContact.office_id).in_(office_ids))
    people: dict[tuple[int, int | None], dict[tuple[str, int], int]] = {}
    for contact in session.exec(query):
        key = (contact.office_id, contact.sub_location_id)
        place = places[key]
        place.visits += 1
        place.walk_ins += contact.walk_in
        place.with_case += contact.case_id is not None
        place.interpreter += contact.interpreter_used
        place.topics.update(contact.topics)
        place.outcomes[contact.outcome] += 1
        known = people.setdefault(key, {})
        if contact.case_id is not None:
            who = ("case", contact.case_id)
        elif contact.visitor_id is not None:
            who = ("visitor", contact.visitor_id)
        else:
            who = ("anonymous", contact.id)  # type: ignore[assignment]
        known[who] = max(known.get(who, 0), contact.persons)
    for key, known in people.items():
        places[key].persons = sum(known.values())
    bookings = (
        select(
            ConsultationHour.office_id, ConsultationHour.sub_location_id, ConsultationBooking.status
        )
        .join(ConsultationHour, col(ConsultationHour.id) == ConsultationBooking.hour_id)
        .where(
            col(ConsultationBooking.starts_at) >= start,
            col(ConsultationBooking.starts_at) < end,
            ConsultationBooking.status != BookingStatus.CANCELLED,
        )
    )
    if office_ids is not None:
        bookings = bookings.where(col(ConsultationHour.office_id).in_(office_ids))
    for office_id, sub_location_id, status in session.exec(bookings):
        place = places[(office_id, sub_location_id)]
        place.booked += 1
        place.no_shows += status == BookingStatus.NO_SHOW
    return MonthFigures(first, [p for p in places.values()])


def _places(
    session: Session, office_ids: list[int] | None
) -> dict[tuple[int, int | None], PlaceFigures]:
    """Every office and sub-location, in the office first, each office's places by name."""
    offices = select(Office).order_by(col(Office.name))
    subs = select(SubLocation).order_by(col(SubLocation.name))
    if office_ids is not None:
        offices = offices.where(col(Office.id).in_(office_ids))
        subs = subs.where(col(SubLocation.office_id).in_(office_ids))
    by_office: dict[int, list[SubLocation]] = {}
    for place in session.exec(subs):
        by_office.setdefault(place.office_id, []).append(place)
    found: dict[tuple[int, int | None], PlaceFigures] = {}
    for office in session.exec(offices):
        assert office.id is not None
        found[(office.id, None)] = PlaceFigures(office.id, None, f"Büro {office.name}")
        for place in by_office.get(office.id, []):
            found[(office.id, place.id)] = PlaceFigures(office.id, place.id, place.name)
    return found
