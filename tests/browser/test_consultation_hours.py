"""Consultation hours in a real browser: the administrator adds Tuesday 10–12 at a
sub-location, a caseworker books 10:30 for a household (its invitation with the calendar entry
arrives over SMTP), a second booking of the full slot is refused, a walk-in without a case is
recorded at the desk, the caseworker's agenda shows her duty with the booking and her calendar
program fetches it, and the supervisor's count of the month shows them. Screenshots at
desktop and tablet size."""

import urllib.request

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect
from sqlmodel import select

from core.db import unit_of_work
from models import Reminder, SubLocation
from models.enums import ReminderKind
from tests.browser.test_case_journey import sign_in
from tests.workflows.consultations.conftest import at, next_weekday
from workflows.messaging.delivery import deliver

pytestmark = pytest.mark.slow


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Abmelden").click()


def test_an_office_runs_its_consultation_hour_from_schedule_to_monthly_count(
    page: Page, live_server, web_world, smtp, screenshot
):
    with unit_of_work() as session:
        session.add(
            SubLocation(office_id=web_world.office_id, name="Lanstrop", address="Lanstroper Str. 1")
        )
    first = web_world.open_case()
    second = web_world.open_case(family_name="Sadiq")
    tuesday = next_weekday(1)

    # The administrator adds the hour.
    sign_in(page, live_server, web_world.emails["admin"])
    page.get_by_role("link", name="Sprechstunden").click()
    page.get_by_role("link", name="Eving/Scharnhorst").click()
    page.get_by_role("link", name="Neue Sprechstunde").click()
    page.get_by_label("Ort").select_option(label="Lanstrop")
    page.get_by_label("Wochentag").select_option(label="Dienstag")
    page.get_by_label("Beginn").fill("10:00")
    page.get_by_label("Ende").fill("12:00")
    page.get_by_label("Arabisch").check()
    page.get_by_label("Lea Brandt").check()
    screenshot("sprechstunde-anlegen")
    page.get_by_role("button", name="Sprechstunde anlegen").click()
    expect(page.locator("body")).to_contain_text("Sprechstunde Dienstag 10:00–12:00 angelegt.")
    expect(page.locator("#hours")).to_contain_text("Lanstrop")
    sign_out(page)

    # The caseworker books 10:30 for the Haddads; the Sadiqs' page was opened before.
    sign_in(page, live_server, web_world.emails["caseworker"])
    stale = page.context.new_page()
    stale.goto(f"{live_server}/cases/{second}/sprechstunde")
    page.goto(f"{live_server}/cases/{first}")
    page.get_by_role("link", name="Sprechstundentermin buchen").click()
    label = f"{tuesday:%d.%m.%Y}, 10:30 Uhr · Lanstrop (1 frei)"
    page.get_by_label("Termin", exact=True).select_option(label=label)
    page.get_by_label("Sprachmittlung nötig").check()
    screenshot("sprechstunde-buchen")
    page.get_by_role("button", name="Termin buchen").click()
    expect(page.locator("body")).to_contain_text(f"Gebucht: {tuesday:%d.%m.%Y} 10:30 Uhr.")
    expect(page.locator("#case-bookings")).to_contain_text("Lanstrop")

    stale.get_by_label("Termin", exact=True).select_option(label=label)
    stale.get_by_role("button", name="Termin buchen").click()
    expect(stale.locator("body")).to_contain_text(
        "Nicht gebucht: Dieser Termin ist schon ausgebucht (1 von 1). "
        "Frei sind noch: 10:00, 11:00, 11:30."
    )
    stale.close()

    # The invitation reaches the household with its calendar entry.
    with unit_of_work() as session:
        invitation = session.exec(
            select(Reminder.id).where(
                Reminder.case_id == first, Reminder.kind == ReminderKind.APPOINTMENT_INVITATION
            )
        ).one()
    assert deliver(invitation).status == "sent"  # type: ignore[arg-type]
    message = smtp.messages[-1]
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert event.decoded("dtstart") == at(tuesday, 10, 30)
    assert "Lanstrop" in str(event.get("location"))

    # Lea's agenda holds her duty that Tuesday with the booking; her calendar program gets it.
    page.get_by_role("link", name="Meine Termine").click()
    page.goto(f"{live_server}/termine?datum={tuesday.isoformat()}")
    duty = page.locator(".agenda-duty")
    expect(duty).to_contain_text("10:00–12:00")
    expect(duty).to_contain_text("Sprechstunde Lanstrop")
    expect(duty).to_contain_text("1 gebucht (Arabisch)")
    page.get_by_role("button", name="Kalender-Adresse einrichten").click()
    address = page.get_by_label("Adresse").input_value()
    screenshot("meine-termine-kalender")
    path = address.split("/kalender/", 1)[1]
    with urllib.request.urlopen(f"{live_server}/kalender/{path}") as answer:  # no login
        events = Calendar.from_ical(answer.read()).walk("VEVENT")
    held = [e for e in events if e.decoded("dtstart") == at(tuesday, 10)]
    assert [str(e["summary"]) for e in held] == ["Sprechstunde Lanstrop"]

    # A walk-in without a case at today's desk in Lanstrop.
    page.get_by_role("link", name="Sprechstunden").click()
    page.get_by_role("link", name="Tagesblatt Lanstrop").click()
    walk_in = page.locator("#ohne-termin")
    walk_in.get_by_label("Personen").fill("2")
    walk_in.get_by_label("Kita").check()
    walk_in.get_by_label("Strom/Gas").check()
    walk_in.get_by_label("geklärt").check()
    walk_in.get_by_role("button", name="Kontakt speichern").click()
    expect(page.locator("body")).to_contain_text("Kontakt erfasst.")
    expect(page.locator("#kontakte")).to_contain_text("Kita, Strom/Gas")
    screenshot("tagesblatt")
    sign_out(page)

    # The supervisor's count: the walk-in this month, the booking in its month.
    sign_in(page, live_server, web_world.emails["supervisor"])
    page.goto(f"{live_server}/sprechstunden/zahlen")
    row = page.locator("#figures tbody tr", has_text="Lanstrop")
    expect(row.locator("td").nth(0)).to_have_text("1")  # visits
    expect(row.locator("td").nth(1)).to_have_text("2")  # persons
    screenshot("sprechstunden-zahlen")
    page.goto(f"{live_server}/sprechstunden/zahlen?monat={tuesday:%Y-%m}")
    row = page.locator("#figures tbody tr", has_text="Lanstrop")
    expect(row.locator("td").nth(5)).to_have_text("1")  # booked
