"""A round table in a real browser: the supervisor plans one for Eving from the network page,
adds a guest by email and an action for a colleague, invites (the worker sends the calendar
invitation over SMTP), and the page shows the guest as invited; the action is postponed with
its workflow's button and the page reads its history. Screenshots at desktop and tablet size."""

from datetime import timedelta

import pytest
from icalendar import Calendar
from playwright.sync_api import Page, expect

from core.clock import berlin, utc_now
from tests.browser.test_case_journey import sign_in

pytestmark = pytest.mark.slow


def test_the_supervisor_plans_and_invites_a_round_table(
    page: Page, live_server, web_world, smtp, start_worker, screenshot
):
    start_worker()
    day = (berlin(utc_now()) + timedelta(days=14)).date()
    sign_in(page, live_server, web_world.emails["supervisor"])
    page.get_by_role("link", name="Netzwerk").click()
    page.get_by_role("link", name="Runde Tische").click()
    page.get_by_label("Titel").fill("Runder Tisch Eving")
    page.get_by_label("Stadtbezirk").select_option("Eving")
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Beginn").fill("17:00")
    page.get_by_label("Ort").fill("Bezirksverwaltung Eving")
    page.get_by_label("Tagesordnung (ein Punkt je Zeile)").fill("Kita-Plätze\nSchulwege")
    page.get_by_role("button", name="Planen").click()
    expect(page.locator("body")).to_contain_text("Runder Tisch geplant")
    expect(page.locator("#agenda")).to_contain_text("Schulwege")

    page.get_by_text("Gast eintragen").click()
    guests = page.locator("#add-guest")
    guests.get_by_label("Oder Name").fill("Frau Bezirksbürgermeisterin")
    guests.get_by_label("E-Mail").fill("bv@eving.example")
    guests.get_by_label("Organisation").fill("BV Eving")
    guests.get_by_role("button", name="Eintragen").click()
    expect(page.locator("#guests")).to_contain_text("noch nicht eingeladen")

    page.get_by_text("Beschluss oder Aufgabe eintragen").click()
    item = page.locator("#add-item")
    item.get_by_label("Aufgabe", exact=True).check()
    item.get_by_label("Text (ohne Namen von Haushalten)").fill("Liste freier Kita-Plätze")
    item.get_by_label("Verantwortlich (Aufgabe)").select_option(label="Lea Brandt")
    item.get_by_label("Bis (Aufgabe)").fill((day + timedelta(days=30)).isoformat())
    item.get_by_role("button", name="Eintragen").click()
    expect(page.locator("#items")).to_contain_text("Liste freier Kita-Plätze — Lea Brandt")

    page.get_by_role("button", name="Einladen").click()
    expect(page.locator("body")).to_contain_text("1 Einladungen gehen hinaus")
    (invitation,) = smtp.wait_for_messages(1)
    assert invitation["To"] == "bv@eving.example"
    (part,) = [p for p in invitation.walk() if p.get_content_type() == "text/calendar"]
    (event,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    assert berlin(event.decoded("dtstart")).strftime("%d.%m.%Y %H:%M") == f"{day:%d.%m.%Y} 17:00"
    page.reload()
    expect(page.locator("#guests")).to_contain_text("eingeladen")
    expect(page.locator("#guests")).not_to_contain_text("noch nicht")

    # What becomes of the action: its buttons come from the round-table action workflow.
    later = day + timedelta(days=45)
    items = page.locator("#items")
    items.locator("summary", has_text="verschieben (neues Datum)").click()
    items.get_by_label("Neues Datum").fill(later.isoformat())
    items.get_by_role("button", name="verschieben (neues Datum)").click()
    expect(page.locator("body")).to_contain_text(f"Aufgabe offen, neues Datum {later:%d.%m.%Y}")
    expect(page.locator("#items")).to_contain_text(
        f"verschieben (neues Datum) auf {later:%d.%m.%Y}"
    )
    page.locator("#items summary", has_text="verwerfen (mit Grund)").click()
    screenshot("runder-tisch")
