"""The weekly schedule: consultation hours per office and sub-location, who is on duty, the
dates an hour does not take place, and the slots of one date.

An hour is held in local time (Europe/Berlin) — "Tuesday 10:00–12:00" stays 10:00 across the
change to summer time — so its slots' moments in UTC are worked out for each date.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import func
from sqlmodel import Session, col, select

from core.clock import BERLIN, berlin, utc_now
from models import (
    ConsultationBooking,
    ConsultationClosure,
    ConsultationDuty,
    ConsultationHour,
    Office,
    Staff,
    SubLocation,
)
from models.enums import BookingStatus, Role
from workflows.casework.fields import Day, Id, Language
from workflows.engine.errors import InvalidInput, NotFound

WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")
# Bookings that hold a place in their slot.
HOLDING = (BookingStatus.BOOKED, BookingStatus.CAME)
# How far ahead slots are offered and closures accepted.
HORIZON_DAYS = 366
Reason = Annotated[str, Field(min_length=3, max_length=200, pattern=r"^[^\x00-\x1F\x7F-\x9F]*$")]


class HourNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Sprechstunde nicht gefunden.")


class HourIn(BaseModel):
    """A weekly consultation hour as an administrator or the office's supervisor enters it."""

    model_config = ConfigDict(extra="forbid")

    sub_location_id: Id | None = Field(
        default=None, description="A sub-location of the office; none: in the office itself."
    )
    weekday: int = Field(ge=0, le=6, description="0 = Monday … 6 = Sunday.")
    starts: time = Field(description="Local time (Europe/Berlin), e.g. 10:00.")
    ends: time
    slot_minutes: int = Field(default=30, ge=5, le=240)
    capacity: int = Field(default=1, ge=1, le=50, description="Households booked per slot.")
    languages: list[Language] = Field(default_factory=list, max_length=10)
    staff_ids: list[Id] = Field(default_factory=list, max_length=20, description="On duty.")
    valid_from: Day | None = None
    valid_to: Day | None = Field(default=None, description="The last day it is held.")

    @model_validator(mode="after")
    def _consistent(self) -> "HourIn":
        if self.starts.tzinfo is not None or self.ends.tzinfo is not None:
            raise ValueError("Bitte die Uhrzeit ohne Zeitzone angeben (Ortszeit).")
        if self.ends <= self.starts:
            raise ValueError("Das Ende muss nach dem Beginn liegen.")
        length = _minutes(self.ends) - _minutes(self.starts)
        if length < self.slot_minutes:
            raise ValueError("Die Sprechstunde ist kürzer als ein Termin.")
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("Das Datum „gilt bis“ liegt vor „gilt ab“.")
        return self


@dataclass(frozen=True)
class Slot:
    starts_at: datetime  # UTC
    booked: int
    capacity: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.booked)


@dataclass(frozen=True)
class Occurrence:
    """One date on which an hour is held (or would be, if ``closed`` says why not)."""

    hour: ConsultationHour
    day: date
    starts_at: datetime  # UTC
    ends_at: datetime
    closed: str | None  # the closure's reason


def _minutes(moment: time) -> int:
    return moment.hour * 60 + moment.minute


def local_moment(day: date, at: time) -> datetime:
    """``at`` o'clock in Dortmund on ``day``, in UTC (an hour the clocks pass twice, in
    October, is read as the first)."""
    return datetime.combine(day, at, tzinfo=BERLIN).astimezone(UTC)


def may_plan(staff: Staff, office_id: int) -> bool:
    """Administrators keep every office's hours; a supervisor those of their own office (one
    without an office, the head of the welfare office, of all)."""
    if not staff.active:
        return False
    if staff.role == Role.ADMIN:
        return True
    return staff.role == Role.SUPERVISOR and staff.office_id in (None, office_id)


def location_name(session: Session, hour: ConsultationHour) -> str:
    return place_name(session, hour.office_id, hour.sub_location_id)


def place_name(session: Session, office_id: int, sub_location_id: int | None) -> str:
    """ "Lanstrop", or "Büro Eving/Scharnhorst" for the office itself."""
    if sub_location_id is None:
        office = session.get(Office, office_id)
        return f"Büro {office.name}" if office else "Büro"
    place = session.get(SubLocation, sub_location_id)
    return place.name if place else "Außenstelle"


def describe(hour: ConsultationHour) -> str:
    """ "Dienstag 10:00–12:00", as lists and messages show an hour."""
    return f"{WEEKDAYS[hour.weekday]} {hour.starts:%H:%M}–{hour.ends:%H:%M}"


def hours_of(
    session: Session, office_id: int, *, today: date | None = None
) -> list[ConsultationHour]:
    """An office's hours, in the office first, then by sub-location, weekday and time; with
    ``today``, only those still held (not ended before it)."""
    query = select(ConsultationHour).where(ConsultationHour.office_id == office_id)
    if today is not None:
        query = query.where(
            (col(ConsultationHour.valid_to).is_(None)) | (col(ConsultationHour.valid_to) >= today)
        )
    order = (
        col(ConsultationHour.sub_location_id).is_not(None),
        col(ConsultationHour.sub_location_id),
        col(ConsultationHour.weekday),
        col(ConsultationHour.starts),
    )
    return list(session.exec(query.order_by(*order)))


def duty_of(session: Session, hour_ids: list[int]) -> dict[int, list[Staff]]:
    """Who is on duty at each of these hours."""
    if not hour_ids:
        return {}
    query = (
        select(ConsultationDuty.hour_id, Staff)
        .join(Staff, col(Staff.id) == ConsultationDuty.staff_id)
        .where(col(ConsultationDuty.hour_id).in_(hour_ids))
        .order_by(col(Staff.name))
    )
    found: dict[int, list[Staff]] = {hour_id: [] for hour_id in hour_ids}
    for hour_id, staff in session.exec(query):
        found[hour_id].append(staff)
    return found


def save_hour(
    session: Session, office_id: int, data: HourIn, hour_id: int | None = None
) -> ConsultationHour:
    """Create a weekly hour, or change one; the staff on duty must work in the office, a
    sub-location must be the office's own. Bookings already made keep their time."""
    errors: dict[str, str] = {}
    if data.sub_location_id is not None:
        place = session.get(SubLocation, data.sub_location_id)
        if place is None or place.office_id != office_id:
            errors["sub_location_id"] = "Diese Außenstelle gehört nicht zum Büro."
    if data.staff_ids:
        query = select(Staff.id).where(
            col(Staff.id).in_(data.staff_ids),
            Staff.office_id == office_id,
            col(Staff.active).is_(True),
            Staff.role != Role.ADMIN,
        )
        known = set(session.exec(query))
        if set(data.staff_ids) - known:
            errors["staff_ids"] = "Nur aktive Mitarbeitende dieses Büros können Dienst haben."
    if errors:
        raise InvalidInput(errors)
    values = data.model_dump(exclude={"staff_ids"})
    values["languages"] = list(dict.fromkeys(data.languages))
    if hour_id is None:
        hour = ConsultationHour.model_validate({**values, "office_id": office_id})
    else:
        found = session.get(ConsultationHour, hour_id)
        if found is None or found.office_id != office_id:
            raise HourNotFound
        _keeps_bookings(session, found, values)
        hour = found.sqlmodel_update(values)
    session.add(hour)
    session.flush()
    _set_duty(session, hour, data.staff_ids)
    return hour


def _keeps_bookings(session: Session, hour: ConsultationHour, values: dict[str, object]) -> None:
    """A change may not leave a booked household outside the hour: every open booking still to
    come must stay on a date and at a slot of the changed hour."""
    changed = ConsultationHour.model_validate({**hour.model_dump(), **values})
    query = select(ConsultationBooking.starts_at).where(
        ConsultationBooking.hour_id == hour.id,
        ConsultationBooking.status == BookingStatus.BOOKED,
        col(ConsultationBooking.starts_at) > utc_now(),
    )
    stranded = 0
    for starts_at in session.exec(query):
        day = berlin(starts_at).date()
        if not held_on(changed, day) or starts_at not in slot_times(changed, day):
            stranded += 1
    if stranded:
        raise InvalidInput(
            {
                "weekday": f"{stranded} gebuchte(r) Termin(e) passen nicht mehr zu den neuen "
                "Zeiten. Bitte diese zuerst absagen oder eine weitere Sprechstunde anlegen."
            }
        )


def _set_duty(session: Session, hour: ConsultationHour, staff_ids: list[int]) -> None:
    current = {
        d.staff_id: d
        for d in session.exec(select(ConsultationDuty).where(ConsultationDuty.hour_id == hour.id))
    }
    for staff_id, duty in current.items():
        if staff_id not in staff_ids:
            session.delete(duty)
    for staff_id in dict.fromkeys(staff_ids):
        if staff_id not in current:
            session.add(ConsultationDuty(hour_id=hour.id, staff_id=staff_id))  # type: ignore[arg-type]
    session.flush()


def held_on(hour: ConsultationHour, day: date) -> bool:
    """Whether ``day`` is one of the hour's weekdays within its validity (closures aside)."""
    if day.weekday() != hour.weekday:
        return False
    if hour.valid_from is not None and day < hour.valid_from:
        return False
    return hour.valid_to is None or day <= hour.valid_to


def closures(
    session: Session, hour_ids: list[int], first: date, last: date
) -> dict[tuple[int, date], str]:
    """(hour, date) → the reason it does not take place, for dates from ``first`` to ``last``."""
    if not hour_ids:
        return {}
    query = select(ConsultationClosure).where(
        col(ConsultationClosure.hour_id).in_(hour_ids),
        col(ConsultationClosure.day) >= first,
        col(ConsultationClosure.day) <= last,
    )
    return {(c.hour_id, c.day): c.reason for c in session.exec(query)}


def occurrences(
    session: Session, hours: list[ConsultationHour], first: date, last: date
) -> list[Occurrence]:
    """Every date from ``first`` to ``last`` (inclusive) on which one of ``hours`` is held or
    was to be held, in time order; closed ones carry their reason."""
    closed = closures(session, [h.id for h in hours if h.id is not None], first, last)
    found = []
    for hour in hours:
        for day in _days(first, last):
            if held_on(hour, day):
                found.append(
                    Occurrence(
                        hour,
                        day,
                        local_moment(day, hour.starts),
                        local_moment(day, hour.ends),
                        closed.get((hour.id, day)),  # type: ignore[arg-type]
                    )
                )
    return sorted(found, key=lambda o: (o.starts_at, o.hour.id))


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def slot_times(hour: ConsultationHour, day: date) -> list[datetime]:
    """The moments (UTC) the hour's slots begin on ``day``; the last ends by the hour's end."""
    step = hour.slot_minutes
    starts = range(_minutes(hour.starts), _minutes(hour.ends) - step + 1, step)
    return [local_moment(day, time(m // 60, m % 60)) for m in starts]


def slots(session: Session, hour: ConsultationHour, day: date) -> list[Slot]:
    """The slots of ``day`` with how many households are booked in each."""
    moments = slot_times(hour, day)
    if not moments:
        return []
    query = (
        select(ConsultationBooking.starts_at, func.count())
        .where(
            ConsultationBooking.hour_id == hour.id,
            col(ConsultationBooking.starts_at).in_(moments),
            col(ConsultationBooking.status).in_(HOLDING),
        )
        .group_by(col(ConsultationBooking.starts_at))
    )
    booked = {moment.astimezone(UTC): count for moment, count in session.exec(query)}
    return [Slot(m, booked.get(m, 0), hour.capacity) for m in moments]


def close_day(
    session: Session, hour: ConsultationHour, day: date, reason: str, *, actor_id: int | None
) -> ConsultationClosure:
    """Record that the hour is not held on ``day``. The bookings of that date are cancelled by
    the caller (``booking.cancel_for_closure``), so households hear of it."""
    if not held_on(hour, day):
        raise InvalidInput({"day": f"An diesem Tag ist keine Sprechstunde ({describe(hour)})."})
    taken = select(ConsultationClosure.id).where(
        ConsultationClosure.hour_id == hour.id, ConsultationClosure.day == day
    )
    if session.exec(taken).first() is not None:
        raise InvalidInput({"day": "Für diesen Tag ist der Ausfall schon eingetragen."})
    closure = ConsultationClosure(hour_id=hour.id, day=day, reason=reason, created_by_id=actor_id)  # type: ignore[arg-type]
    session.add(closure)
    session.flush()
    return closure


def reopen_day(session: Session, hour: ConsultationHour, day: date) -> bool:
    """The hour is held on ``day`` after all (bookings cancelled meanwhile stay cancelled)."""
    query = select(ConsultationClosure).where(
        ConsultationClosure.hour_id == hour.id, ConsultationClosure.day == day
    )
    closure = session.exec(query).first()
    if closure is None:
        return False
    session.delete(closure)
    session.flush()
    return True
