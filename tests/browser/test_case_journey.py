"""A caseworker's day in a real browser: intake, visit, steps, timeline and diagram.

Screenshots of the main pages are saved at desktop and tablet size (test-artifacts/screenshots).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from core.clock import berlin, utc_now
from core.db import unit_of_work
from tests.browser.conftest import SCREENSHOTS
from tests.helpers import pass_time
from tests.web.conftest import PASSWORD
from tests.web.test_case_timeline import NOTES, write_notes
from workflows.oversight import operations

pytestmark = pytest.mark.slow


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("E-Mail-Adresse").fill(email)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()


def test_caseworker_registers_a_household_and_moves_its_case_on(
    page: Page, live_server, web_world, screenshot
):
    """Given a caseworker of the Eving office in her browser, when she registers a household
    with a school child, plans and records the welcome visit and completes the registration,
    then the case page shows each change, the timeline lists them and the track marks the
    current state."""
    sign_in(page, live_server, web_world.emails["caseworker"])
    expect(page).to_have_url(f"{live_server}/cases")

    page.get_by_role("link", name="Neuer Haushalt").click()
    page.locator("#family_name").fill("Haddad")
    page.get_by_label("Straße und Hausnummer").fill("Evinger Straße 12")
    page.get_by_label("Postleitzahl").fill("44339")
    page.get_by_label("Stadtbezirk").select_option("Eving")
    moved_in = berlin(utc_now() - timedelta(days=2)).date().isoformat()
    page.get_by_label("Eingezogen am").fill(moved_in)
    page.locator("#language-1").select_option("ar")  # Arabic first, then some German
    page.locator("#language-2").select_option("de")
    page.locator("#members-0-given_name").fill("Amal")
    page.locator("#members-0-family_name").fill("Haddad")
    page.locator("#members-0-birth_date").fill("1986-04-02")
    page.locator("#members-1-given_name").fill("Omar")
    page.locator("#members-1-family_name").fill("Haddad")
    page.locator("#members-1-birth_date").fill("2016-09-10")
    screenshot("intake")
    page.get_by_role("button", name="Haushalt aufnehmen und Fall eröffnen").click()

    expect(page.get_by_role("heading", name="Familie Haddad")).to_be_visible()
    steps = page.locator("#schritte")
    expect(steps).to_contain_text("Einschulung")  # the 10-year-old needs a school place
    expect(steps).not_to_contain_text("Kindergartenplatz")
    expect(page.locator("#track .station.current")).to_contain_text("Aufgenommen")
    screenshot("case-new")

    tomorrow = berlin(utc_now() + timedelta(days=1)).replace(hour=10, minute=0)
    page.locator("#at-schedule_welcome_visit").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Willkommensbesuch planen: speichern").click()
    expect(page.get_by_role("main")).to_contain_text("Willkommensbesuch geplant")

    # Recorded as it happened: who was there, the interpreter, what was said and agreed.
    page.get_by_text("Willkommensbesuch erfolgt", exact=True).click()
    visit = page.locator("#besuch-record_welcome_visit")
    visit.get_by_label("Wer war dabei").fill("Frau Haddad, Omar, Lea Brandt")
    visit.get_by_label("Dolmetschung (Sprache)").select_option("ar")
    visit.get_by_label("Besprochen").fill("Anmeldung, Stromvertrag, Schule.")
    visit.get_by_label("Vereinbarung 1: was").fill("Termin beim Bürgeramt buchen")
    visit.get_by_label("Vereinbarung 1: wer").fill("Familie")
    visit.get_by_label("Vereinbarung 1: bis").fill(tomorrow.date().isoformat())
    visit.get_by_role("button", name="Besuch speichern").click()
    # Planned for tomorrow: recording it today needs a confirmation; nothing typed is lost.
    expect(page.get_by_role("main")).to_contain_text("bitte ausdrücklich bestätigen")
    visit = page.locator("#besuch-record_welcome_visit")
    expect(visit.get_by_label("Besprochen")).to_have_value("Anmeldung, Stromvertrag, Schule.")
    visit.get_by_label(re.compile("fand vor dem geplanten Termin")).check()
    visit.get_by_role("button", name="Besuch speichern").click()
    expect(page.get_by_role("main")).to_contain_text("In Begleitung")
    expect(page.locator("#besuche")).to_contain_text("Termin beim Bürgeramt buchen")
    page.get_by_role("button", name="Anmeldung beim Bürgeramt: erledigt").click()
    expect(steps).to_contain_text("erledigt")

    timeline = page.locator("#verlauf")
    for entry in ("Willkommensbesuch planen", "Willkommensbesuch erfolgt", "Dolmetschung: ar"):
        expect(timeline).to_contain_text(entry)
    expect(page.locator("#track .station.current")).to_contain_text("In Begleitung")
    expect(page.locator("#track-steps")).to_contain_text("Anmeldung beim Bürgeramt: erledigt am")
    screenshot("case-accompanying")

    page.get_by_role("link", name="Fälle").first.click()
    expect(page.get_by_role("main")).to_contain_text("Haddad")
    screenshot("case-list")


def view(page: Page, name: str) -> None:
    """Save what the window shows now (not the whole long page) beside the screenshots."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    size = page.viewport_name  # type: ignore[attr-defined]
    page.screenshot(path=str(SCREENSHOTS / f"{name}-{size}.png"))


def test_caseworker_reads_a_long_history_page_by_page(page: Page, live_server, web_world):
    """Given a case with 120 notes, when the caseworker opens it, then its timeline shows the 50
    newest entries; each press of "Ältere Einträge anzeigen" appends the next ones below, every
    note once, until the timeline says nothing older is left."""
    case_id = web_world.open_case()
    write_notes(case_id, web_world.caseworker_id)
    sign_in(page, live_server, web_world.emails["caseworker"])
    page.goto(f"{live_server}/cases/{case_id}#verlauf")
    entries = page.locator("#verlauf-eintraege > li")
    expect(entries).to_have_count(50)
    more = page.get_by_role("button", name="Ältere Einträge anzeigen")
    more.scroll_into_view_if_needed()
    view(page, "case-timeline")  # what she sees at the end of the first page

    more.click()
    expect(entries).to_have_count(100)
    more.click()

    expect(page.locator("#verlauf-mehr")).to_contain_text("Keine älteren Einträge.")
    expect(more).to_have_count(0)
    notes = [text for text in entries.all_inner_texts() if "Notiz Nummer" in text]
    assert len(notes) == len(set(notes)) == NOTES
    expect(entries.last).to_contain_text("Notiz Nummer 0.")
    page.locator("#verlauf-mehr").scroll_into_view_if_needed()
    view(page, "case-timeline-end")


def test_without_javascript_older_entries_open_as_a_page(browser, live_server, web_world):
    """Given a browser with JavaScript switched off, when the caseworker follows "Ältere
    Einträge anzeigen" on a case with 120 notes, then a page of the next 50 entries opens,
    with its own link further back."""
    case_id = web_world.open_case()
    write_notes(case_id, web_world.caseworker_id)
    context = browser.new_context(java_script_enabled=False, locale="de-DE")
    page = context.new_page()
    try:
        sign_in(page, live_server, web_world.emails["caseworker"])
        page.goto(f"{live_server}/cases/{case_id}")
        page.get_by_role("button", name="Ältere Einträge anzeigen").click()

        expect(page).to_have_url(re.compile(rf"/cases/{case_id}/verlauf\?vor="))
        expect(page.get_by_role("heading", level=1)).to_contain_text("Verlauf · Familie")
        expect(page.locator("#verlauf-eintraege > li")).to_have_count(50)
        expect(page.get_by_role("button", name="Ältere Einträge anzeigen")).to_be_visible()
    finally:
        context.close()


def test_supervisor_and_admin_pages(page: Page, live_server, web_world, screenshot):
    """Given a supervisor and an administrator, when each signs in, then the supervisor sees the
    overview with the link to Flower and the administrator the administration."""
    case_id = web_world.open_case()
    sign_in(page, live_server, web_world.emails["supervisor"])
    expect(page).to_have_url(f"{live_server}/dashboard")
    expect(page.locator("#flower-link")).to_contain_text("Flower")
    expect(page.locator("#sweep-status")).to_contain_text("Automatischer Versand")
    screenshot("dashboard")

    # The beat stopped ten minutes ago while reminders came due: the overview says so first.
    pass_time(days=21)
    with unit_of_work() as session:
        operations.record_sweep(session, utc_now() - timedelta(minutes=10), 0)
    page.reload()
    expect(page.get_by_role("alert")).to_contain_text(
        "Der automatische Versand steht seit 10 Minuten"
    )
    screenshot("dashboard-sending-stopped")

    # Who opened the case, in the audit trail (the demo's office set-up is in it, too).
    page.goto(f"{live_server}/cases/{case_id}")
    page.get_by_role("link", name="Protokoll").click()
    expect(page.locator("#readings")).to_contain_text(f"LW-{case_id:06d}")
    expect(page.locator("#readings")).to_contain_text("Fallseite")
    screenshot("audit-trail")
    page.context.clear_cookies()
    sign_in(page, live_server, web_world.emails["admin"])
    expect(page).to_have_url(f"{live_server}/admin")
    screenshot("admin")


def test_a_newborn_added_on_the_household_page_opens_the_birth_step_with_a_notice(
    page: Page, live_server, web_world, screenshot
):
    """Given a case, when the caseworker corrects the address, ranks the languages and adds a
    newborn on the household page, then the birth step opens, the case page shows a notice
    that waits until she marks it done, and the work list flags the case meanwhile."""
    case_id = web_world.open_case()
    sign_in(page, live_server, web_world.emails["caseworker"])
    page.goto(f"{live_server}/cases/{case_id}")
    page.get_by_role("button", name="Bearbeiten", exact=True).click()
    expect(page.get_by_role("heading", name="Haushalt bearbeiten")).to_be_visible()
    expect(page.locator("#languages")).to_contain_text("Derzeit: Arabisch.")
    page.get_by_label("Straße und Hausnummer").fill("Bergstraße 3")
    page.locator("#language-1").select_option("uk")
    screenshot("household-edit")
    page.get_by_role("button", name="Haushalt speichern").click()
    expect(page.get_by_role("main")).to_contain_text("Haushalt gespeichert.")
    expect(page.locator("#haushalt")).to_contain_text("Bergstraße 3")
    expect(page.locator("#haushalt")).to_contain_text("Nachrichten auf Ukrainisch")

    page.get_by_role("button", name="Personen bearbeiten").click()
    newborn = page.locator("#new-member")
    newborn.get_by_label("Vorname").fill("Lina")
    newborn.get_by_label("Geburtsdatum").fill(berlin(utc_now()).date().isoformat())
    newborn.get_by_role("button", name="Person hinzufügen").click()

    notices = page.locator("#hinweise")
    expect(notices).to_contain_text("„Geburt beurkunden“ wurde geöffnet – Lina (unter 1 Jahr)")
    expect(page.locator("#schritte")).to_contain_text("Geburt beurkunden")
    screenshot("case-notice")
    page.goto(f"{live_server}/cases?notices=1")
    expect(page.get_by_role("main")).to_contain_text("1 Hinweis")
    page.goto(f"{live_server}/cases/{case_id}")
    page.locator("#hinweise").get_by_role("button", name=re.compile("^Hinweis erledigt")).click()
    expect(page.locator("#hinweise")).to_have_count(0)
