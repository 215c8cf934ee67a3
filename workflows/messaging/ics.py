"""Calendar invitations (iCalendar, RFC 5545) for appointments with a household.

The same UID across every change of one appointment, SEQUENCE counting the changes
(``Appointment.sequence``), METHOD:REQUEST for an invitation or update, METHOD:CANCEL when it
is called off; so the household's calendar moves or removes the one entry it has.
"""

from datetime import datetime, timedelta

from icalendar import Calendar, Event, vCalAddress, vText

from models import Appointment, Office

PRODUCT_ID = "-//Stadt Dortmund//lokal willkommen//DE"


def invitation(
    appointment: Appointment,
    office: Office,
    *,
    summary: str,
    attendee: str | None,
    cancel: bool,
    now: datetime,
) -> bytes:
    """The ``.ics`` for ``appointment`` as it is now: a request, or its cancellation."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", appointment.uid)
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", now)
    event.add("dtstart", appointment.starts_at)
    event.add("dtend", appointment.starts_at + timedelta(minutes=appointment.duration_minutes))
    event.add("summary", summary)
    event.add("location", appointment.location)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{office.email}")
    organizer.params["cn"] = vText(f"lokal willkommen {office.name}")
    event.add("organizer", organizer)
    if attendee:
        guest = vCalAddress(f"mailto:{attendee}")
        guest.params["role"] = vText("REQ-PARTICIPANT")
        guest.params["rsvp"] = vText("FALSE")
        event.add("attendee", guest)
    calendar.add_component(event)
    return calendar.to_ical()
