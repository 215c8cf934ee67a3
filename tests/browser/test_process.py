"""The process in plain German in a real browser: a caseworker reads a case's track (stations
with the current one marked, each step with its deadline); the supervisor opens the state
diagram on the case page and on the process page, drawn in German (no guard names) and no wider
than the screen on a tablet. Screenshots at desktop and tablet size."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_case_journey import sign_in

pytestmark = pytest.mark.slow


def test_staff_read_the_case_track_and_the_process_in_plain_german(
    page: Page, live_server, web_world, screenshot
):
    case_id = web_world.open_case()
    sign_in(page, live_server, web_world.emails["caseworker"])
    page.goto(f"{live_server}/cases/{case_id}#ablauf")
    current = page.locator("#track .station.current")
    expect(current).to_have_count(1)
    expect(current).to_contain_text("Aufgenommen")
    expect(current).to_contain_text("Willkommensbesuch fällig bis")
    expect(page.locator("#track .station.ahead").first).to_contain_text("noch nicht")
    expect(page.locator("#track-steps")).to_contain_text(
        "Anmeldung beim Bürgeramt: offen – fällig bis"
    )
    expect(page.locator("pre.mermaid")).to_have_count(0)  # the track is the caseworker's view
    page.locator("#ablauf").scroll_into_view_if_needed()
    screenshot("case-track")

    page.get_by_role("button", name="Abmelden").click()
    sign_in(page, live_server, web_world.emails["supervisor"])
    page.goto(f"{live_server}/cases/{case_id}#ablauf")
    page.get_by_text("Zustandsdiagramm des Ablaufs").click()
    diagram = page.locator("#ablauf pre.mermaid svg")
    expect(diagram).to_be_visible()  # drawn when the details opened
    expect(diagram).to_contain_text("Willkommensbesuch planen")
    expect(diagram).not_to_contain_text("appointment_in_future")
    expect(page.locator("#ablauf pre.mermaid svg g.current")).to_have_count(1)

    page.get_by_role("link", name="Übersicht").click()
    page.get_by_role("button", name="Ablauf des Büros").click()
    expect(page.locator("#process-steps")).to_contain_text("Bundesmeldegesetz § 17")
    case_diagram = page.locator("#case-diagram svg")
    expect(case_diagram).to_be_visible()
    expect(case_diagram).to_contain_text("In Begleitung")
    width = page.evaluate("document.documentElement.clientWidth")
    box = case_diagram.bounding_box()
    assert box is not None and box["x"] + box["width"] <= width + 1  # no sideways scrolling
    screenshot("process")
