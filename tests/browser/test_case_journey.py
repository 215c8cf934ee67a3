"""A caseworker's day in a real browser: intake, visit, steps, timeline and diagram.

Screenshots of the main pages are saved at desktop and tablet size (test-artifacts/screenshots).
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from core.clock import berlin, utc_now
from tests.browser.conftest import SCREENSHOTS
from tests.web.conftest import PASSWORD
from tests.web.test_case_timeline import NOTES, write_notes

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
    then the case page shows each change, the timeline lists them and the diagram marks the
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
    page.locator("#lang-ar").check()
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
    expect(page.locator("pre.mermaid svg")).to_be_visible()  # the diagram was drawn
    screenshot("case-new")

    tomorrow = berlin(utc_now() + timedelta(days=1)).replace(hour=10, minute=0)
    page.locator("#at-schedule_welcome_visit").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="Willkommensbesuch planen: speichern").click()
    expect(page.get_by_role("main")).to_contain_text("Willkommensbesuch geplant")

    page.get_by_role("button", name="Willkommensbesuch erfolgt").click()
    expect(page.get_by_role("main")).to_contain_text("In Begleitung")
    page.get_by_role("button", name="Anmeldung beim Bürgeramt: erledigt").click()
    expect(steps).to_contain_text("erledigt")

    timeline = page.locator("#verlauf")
    for entry in ("Willkommensbesuch planen", "Willkommensbesuch erfolgt", "Lea Brandt"):
        expect(timeline).to_contain_text(entry)
    expect(page.locator("pre.mermaid svg .current, pre.mermaid svg g.current")).to_have_count(1)
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
    web_world.open_case()
    sign_in(page, live_server, web_world.emails["supervisor"])
    expect(page).to_have_url(f"{live_server}/dashboard")
    expect(page.locator("#flower-link")).to_contain_text("Flower")
    screenshot("dashboard")
    page.context.clear_cookies()
    sign_in(page, live_server, web_world.emails["admin"])
    expect(page).to_have_url(f"{live_server}/admin")
    screenshot("admin")
