"""What one staff member has on: home visits (their appointments with a household, planned or
done) and consultation duties (each date an hour they are on duty at is held, or called off),
day by day in local time.

A visit carries what a route sheet needs: the address, the household's languages and phone
number; a duty the place, its address and how many households are booked.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import ClassVar

from sqlmodel import Session, col, select

from core.clock import berlin
from models import (
    Appointment,
    Case,
    ConsultationBooking,
    ConsultationDuty,
    ConsultationHour,
    Household,
    Office,
    Staff,
    SubLocation,
)
from models.enums import AppointmentKind, AppointmentStatus, Role
from workflows.consultations import schedule
from workflows.engine.access import staff_may_work_on
from workflows.engine.errors import NotFound

VISITS = (AppointmentKind.WELCOME_VISIT, AppointmentKind.FOLLOW_UP_VISIT)
VISIT_TITLES = {
    AppointmentKind.WELCOME_VISIT: "Willkommensbesuch",
    AppointmentKind.FOLLOW_UP_VISIT: "Nachbesuch",
}
# The longest stretch one request may ask for (the calendar feed's window is its own).
MAX_DAYS = 62


class StaffNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Mitarbeiterin oder Mitarbeiter nicht gefunden.")


@dataclass(frozen=True)
class Visit:
    kind: ClassVar[str] = "visit"
    appointment: Appointment
    case_id: int
    family_name: str
    address: str
    languages: list[str]
    phone: str | None
    helper: str | None  # a helper's name and phone, if the household named one

    @property
    def title(self) -> str:
        return VISIT_TITLES.get(self.appointment.kind, "Besuch")

    @property
    def starts_at(self) -> datetime:
        return self.appointment.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.appointment.duration_minutes)

    @property
    def done(self) -> bool:
        return self.appointment.status == AppointmentStatus.DONE


@dataclass(frozen=True)
class Duty:
    kind: ClassVar[str] = "duty"
    occurrence: schedule.Occurrence
    place: str
    address: str
    booked: int
    languages: list[str]  # of the households booked (first language each)

    @property
    def hour(self) -> ConsultationHour:
        return self.occurrence.hour

    @property
    def starts_at(self) -> datetime:
        return self.occurrence.starts_at

    @property
    def ends_at(self) -> datetime:
        return self.occurrence.ends_at

    @property
    def closed(self) -> str | None:
        return self.occurrence.closed


Entry = Visit | Duty


@dataclass
class Day:
    day: date
    entries: list[Entry] = field(default_factory=list)

    @property
    def visits(self) -> list[Visit]:
        return [e for e in self.entries if isinstance(e, Visit)]

    @property
    def clashing(self) -> set[int]:
        """The positions of entries that overlap another (a called-off duty overlaps none)."""
        held = [(n, e) for n, e in enumerate(self.entries) if not getattr(e, "closed", None)]
        return {
            n
            for n, entry in held
            for m, other in held
            if n != m and entry.starts_at < other.ends_at and other.starts_at < entry.ends_at
        }


def whose(session: Session, viewer: Staff, staff_id: int | None) -> Staff:
    """Whose agenda ``viewer`` may open: their own; a supervisor also a colleague's of an
    office they work on (another office's: not found)."""
    if staff_id is None or staff_id == viewer.id:
        return viewer
    other = session.get(Staff, staff_id)
    if (
        other is None
        or viewer.role != Role.SUPERVISOR
        or other.office_id is None
        or not staff_may_work_on(viewer, other.office_id)
    ):
        raise StaffNotFound
    return other


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    return (
        schedule.local_moment(first, datetime.min.time()),
        schedule.local_moment(last + timedelta(days=1), datetime.min.time()),
    )


def visits(session: Session, staff_id: int, first: date, last: date) -> list[Visit]:
    """The home visits ``staff_id`` makes from ``first`` to ``last`` (planned or done)."""
    start, end = _bounds(first, last)
    query = (
        select(Appointment, Household)
        .join(Case, col(Case.id) == Appointment.case_id)
        .join(Household, col(Household.id) == Case.household_id)
        .where(
            Appointment.staff_id == staff_id,
            col(Appointment.kind).in_(VISITS),
            col(Appointment.status).in_([AppointmentStatus.SCHEDULED, AppointmentStatus.DONE]),
            Appointment.starts_at >= start,
            Appointment.starts_at < end,
            col(Household.anonymised_at).is_(None),
        )
        .order_by(col(Appointment.starts_at), col(Appointment.id))
    )
    found = []
    for appointment, household in session.exec(query):
        helper = None
        if household.helper_name:
            helper = " ".join(x for x in (household.helper_name, household.helper_phone) if x)
        found.append(
            Visit(
                appointment,
                appointment.case_id,
                household.family_name,
                appointment.location,
                list(household.languages),
                household.phone,
                helper,
            )
        )
    return found


def duties(session: Session, staff_id: int, first: date, last: date) -> list[Duty]:
    """Each date from ``first`` to ``last`` an hour ``staff_id`` is on duty at is held (a
    called-off date with its reason)."""
    query = (
        select(ConsultationHour)
        .join(ConsultationDuty, col(ConsultationDuty.hour_id) == ConsultationHour.id)
        .where(ConsultationDuty.staff_id == staff_id)
    )
    hours = list(session.exec(query))
    if not hours:
        return []
    found = schedule.occurrences(session, hours, first, last)
    booked = _booked(session, [h.id for h in hours], first, last)  # type: ignore[misc]
    places = _places(session, hours)
    duties = []
    for occurrence in found:
        languages = booked.get((occurrence.hour.id, occurrence.day), Counter())  # type: ignore[arg-type]
        place, address = places[occurrence.hour.id]  # type: ignore[index]
        spoken = [lang for lang, _n in languages.most_common() if lang]
        duties.append(Duty(occurrence, place, address, languages.total(), spoken))
    return duties


def _places(session: Session, hours: list[ConsultationHour]) -> dict[int, tuple[str, str]]:
    """hour → (place name, address)."""
    found = {}
    for hour in hours:
        if hour.sub_location_id is not None:
            place = session.get(SubLocation, hour.sub_location_id)
            found[hour.id] = (place.name, place.address) if place else ("Außenstelle", "")
        else:
            office = session.get(Office, hour.office_id)
            found[hour.id] = (f"Büro {office.name}", office.address) if office else ("Büro", "")
    return found  # type: ignore[return-value]


def _booked(
    session: Session, hour_ids: list[int], first: date, last: date
) -> dict[tuple[int, date], Counter[str]]:
    """(hour, date) → the booked households' languages, counted ("" for none given)."""
    start, end = _bounds(first, last)
    query = select(
        ConsultationBooking.hour_id, ConsultationBooking.starts_at, ConsultationBooking.language
    ).where(
        col(ConsultationBooking.hour_id).in_(hour_ids),
        col(ConsultationBooking.status).in_(schedule.HOLDING),
        ConsultationBooking.starts_at >= start,
        ConsultationBooking.starts_at < end,
    )
    found: dict[tuple[int, date], Counter[str]] = {}
    for hour_id, starts_at, language in session.exec(query):
        found.setdefault((hour_id, berlin(starts_at).date()), Counter())[language or ""] += 1
    return found


def entries(session: Session, staff_id: int, first: date, last: date) -> list[Entry]:
    """The visits and duties of ``staff_id`` from ``first`` to ``last``, in time order."""
    found: list[Entry] = [
        *visits(session, staff_id, first, last),
        *duties(session, staff_id, first, last),
    ]
    return sorted(found, key=lambda e: e.starts_at)


def agenda(session: Session, staff: Staff, first: date, last: date) -> list[Day]:
    """Every day from ``first`` to ``last`` with what ``staff`` has on."""
    if last < first or (last - first).days >= MAX_DAYS:
        raise ValueError(f"Höchstens {MAX_DAYS} Tage auf einmal.")
    count = (last - first).days + 1
    days = {first + timedelta(days=n): Day(first + timedelta(days=n)) for n in range(count)}
    assert staff.id is not None
    for entry in entries(session, staff.id, first, last):
        days[berlin(entry.starts_at).date()].entries.append(entry)
    return list(days.values())
