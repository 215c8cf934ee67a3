"""Calendar invitations (iCalendar, RFC 5545) for appointments with a household and for round
tables.

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
    return meeting(
        uid=appointment.uid,
        sequence=appointment.sequence,
        starts_at=appointment.starts_at,
        minutes=appointment.duration_minutes,
        summary=summary,
        location=appointment.location,
        office=office,
        attendee=attendee,
        cancel=cancel,
        now=now,
    )


def meeting(
    *,
    uid: str,
    sequence: int,
    starts_at: datetime,
    minutes: int,
    summary: str,
    location: str,
    office: Office,
    attendee: str | None,
    cancel: bool,
    now: datetime,
    attendee_name: str | None = None,
) -> bytes:
    """One event from the office (an appointment, a round table) as a request or its
    cancellation, to one attendee."""
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancel else "REQUEST")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", sequence)
    event.add("dtstamp", now)
    event.add("dtstart", starts_at)
    event.add("dtend", starts_at + timedelta(minutes=minutes))
    event.add("summary", summary)
    event.add("location", location)
    event.add("status", "CANCELLED" if cancel else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{office.email}")
    organizer.params["cn"] = vText(f"lokal willkommen {office.name}")
    event.add("organizer", organizer)
    if attendee:
        guest = vCalAddress(f"mailto:{attendee}")
        if attendee_name:
            guest.params["cn"] = vText(attendee_name)
        guest.params["role"] = vText("REQ-PARTICIPANT")
        guest.params["rsvp"] = vText("FALSE")
        event.add("attendee", guest)
    calendar.add_component(event)
    return calendar.to_ical()
