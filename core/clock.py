"""One source of time: aware UTC inside, Europe/Berlin when shown to people."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

BERLIN = ZoneInfo("Europe/Berlin")


def utc_now() -> datetime:
    return datetime.now(UTC)


def berlin(moment: datetime) -> datetime:
    return moment.astimezone(BERLIN)


def shift_local(moment: datetime, delta: timedelta) -> datetime:
    """``moment`` moved by ``delta`` on Berlin's wall clock, as aware UTC.

    The one rule for times relative to another: "24 hours before a visit at 10:00" is 10:00 the
    day before, "9 o'clock four days before the deadline" is 9:00, also across a change to or
    from summer time (plain UTC arithmetic would be an hour off there).
    """
    wall = berlin(moment).replace(tzinfo=None) + delta
    return wall.replace(tzinfo=BERLIN).astimezone(UTC)


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in Berlin, as UTC."""
    return datetime(day.year, day.month, day.day, tzinfo=BERLIN).astimezone(UTC)


def format_deadline(due: datetime | None) -> str:
    """A deadline in Berlin time; one at midnight is the end of the day before (the usual case)."""
    if due is None:
        return "–"
    local = berlin(due)
    if local.time() == time(0, 0):
        return (local.date() - timedelta(days=1)).strftime("%d.%m.%Y")
    return format_berlin(due)


def format_berlin(moment: datetime, with_time: bool = True) -> str:
    """German notation, e.g. ``24.11.2026, 14:30 Uhr``."""
    local = berlin(moment)
    return local.strftime("%d.%m.%Y, %H:%M Uhr") if with_time else local.strftime("%d.%m.%Y")
