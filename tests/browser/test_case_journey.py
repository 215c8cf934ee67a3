"""A caseworker's day in a real browser: intake, visit, steps, timeline and diagram.

Screenshots of the main pages are saved at desktop and tablet size (test-artifacts/screenshots).
"""

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect

from core.clock import berlin, utc_now
from tests.web.conftest import PASSWORD

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
