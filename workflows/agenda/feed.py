"""A staff member's private calendar address, ``/kalender/<token>.ics``, for a calendar program
to subscribe to: their visits and duties from two weeks back to half a year ahead.

The address is the credential (no login: calendar programs cannot log in), so it holds as
little as will do: each event has its times, what it is ("Willkommensbesuch", "Sprechstunde")
with the case number or the consultation place, and the case page's address — no household's
name, address or phone number, which stay behind the login. Only the token's SHA-256 is
stored; a new address revokes the old one, and revoking leaves none. A deactivated account's
address answers like an unknown one.
"""

from datetime import datetime, timedelta

from icalendar import Calendar, Event
from sqlmodel import Session, col, select

from core.clock import berlin
from core.passwords import hash_token, new_token
from models import CalendarFeed, Staff
from workflows.agenda.days import Duty, Visit, entries
from workflows.consultations import desk
from workflows.messaging.ics import PRODUCT_ID

PATH = "/kalender/"
SUFFIX = ".ics"
PAST = timedelta(days=14)
AHEAD = timedelta(days=183)
# How often a calendar program is asked to look again (RFC 7986 REFRESH-INTERVAL).
REFRESH = timedelta(hours=1)


def url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{PATH}{token}{SUFFIX}"


def current(session: Session, staff_id: int) -> CalendarFeed | None:
    """The staff member's address in use, if any."""
    query = select(CalendarFeed).where(
        CalendarFeed.staff_id == staff_id, col(CalendarFeed.revoked_at).is_(None)
    )
    return session.exec(query).first()


def revoke(session: Session, staff_id: int, now: datetime) -> bool:
    """Stop the address in use; whether there was one."""
    feed = current(session, staff_id)
    if feed is None:
        return False
    feed.revoked_at = now
    session.add(feed)
    session.flush()
    return True


def issue(session: Session, staff_id: int, now: datetime) -> str:
    """A new address's token (shown once); the one before stops working."""
    revoke(session, staff_id, now)
    token = new_token()
    session.add(CalendarFeed(staff_id=staff_id, token_hash=hash_token(token), created_at=now))
    session.flush()
    return token


def owner(session: Session, token: str) -> Staff | None:
    """Whose address ``token`` is: an active account's address not revoked, else nobody."""
    if not token or len(token) > 100:
        return None
    query = (
        select(Staff)
        .join(CalendarFeed, col(CalendarFeed.staff_id) == Staff.id)
        .where(CalendarFeed.token_hash == hash_token(token), col(CalendarFeed.revoked_at).is_(None))
    )
    staff = session.exec(query).first()
    return staff if staff is not None and staff.active else None


def calendar(session: Session, staff: Staff, base_url: str, now: datetime) -> bytes:
    """The ``.ics`` of ``staff``'s visits and duties around ``now``."""
    assert staff.id is not None
    today = berlin(now).date()
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", "lokal willkommen – Meine Termine")
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", REFRESH)
    site = base_url.rstrip("/")
    for entry in entries(session, staff.id, today - PAST, today + AHEAD):
        calendar.add_component(_event(entry, site, now))
    return calendar.to_ical()


def _event(entry: Visit | Duty, site: str, now: datetime) -> Event:
    event = Event()
    event.add("dtstamp", now)
    event.add("dtstart", entry.starts_at)
    event.add("dtend", entry.ends_at)
    if isinstance(entry, Visit):
        appointment = entry.appointment
        event.add("uid", f"staff-{appointment.uid}")
        event.add("sequence", appointment.sequence)
        event.add("summary", f"{entry.title} · Fall {entry.case_id}")
        event.add("url", f"{site}/cases/{entry.case_id}")
        event.add("description", f"Adresse und Sprachen: {site}/cases/{entry.case_id}")
        event.add("status", "CONFIRMED")
    else:
        hour = entry.hour
        day = entry.occurrence.day
        event.add("uid", f"duty-{hour.id}-{day:%Y%m%d}@lokal-willkommen")
        called_off = f" – fällt aus: {entry.closed}" if entry.closed else ""
        event.add("summary", f"Sprechstunde {entry.place}{called_off}")
        event.add("location", ", ".join(x for x in (entry.place, entry.address) if x))
        link = site + desk.day_sheet_path(hour.office_id, hour.sub_location_id, day)
        event.add("url", link)
        booked = f"{entry.booked} gebucht" if entry.booked else "noch nichts gebucht"
        event.add("description", f"{booked}. Tagesblatt: {link}")
        event.add("status", "CANCELLED" if entry.closed else "CONFIRMED")
    event.add("transp", "OPAQUE")
    return event
