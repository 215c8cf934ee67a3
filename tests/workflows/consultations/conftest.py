"""An office with a Tuesday consultation hour at its Lanstrop sub-location."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import pytest

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Staff, SubLocation
from workflows.consultations import schedule
from workflows.consultations.schedule import HourIn, local_moment


def next_weekday(weekday: int, after: date | None = None) -> date:
    """The first such weekday at least two days after ``after`` (default: today in Dortmund)."""
    day = (after or berlin(utc_now()).date()) + timedelta(days=2)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` in Dortmund on ``day``, in UTC."""
    return local_moment(day, time(hour, minute))


@dataclass
class Desk:
    world: object
    office_id: int
    place_id: int
    hour_id: int
    day: date  # the next Tuesday the hour is held

    def staff(self, staff_id: int) -> Staff:
        with unit_of_work() as session:
            found = session.get(Staff, staff_id)
            assert found is not None
            return found


def add_hour(office_id: int, **values: object) -> int:
    with unit_of_work() as session:
        data = HourIn.model_validate(values)
        return int(schedule.save_hour(session, office_id, data).id)  # type: ignore[arg-type]


@pytest.fixture
def desk(world) -> Desk:  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        place = SubLocation(office_id=world.office_id, name="Lanstrop", address="Lanstroper Str. 1")
        session.add(place)
        session.flush()
        place_id = int(place.id)  # type: ignore[arg-type]
    hour_id = add_hour(
        world.office_id,
        sub_location_id=place_id,
        weekday=1,
        starts="10:00",
        ends="12:00",
        capacity=1,
        languages=["ar", "de"],
        staff_ids=[world.caseworker_id],
    )
    return Desk(world, world.office_id, place_id, hour_id, next_weekday(1))
