"""The process in plain German in a real browser: a caseworker reads a case's track (stations
with the current one marked, each step with its deadline); the supervisor opens the state
diagram on the case page and on the process page, drawn in German (no guard names) and no wider
than the screen on a tablet; the administrator adds an own step of the office. Screenshots at
desktop and tablet size."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from core.db import unit_of_work
from models import CaseStep
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


def test_the_administrator_adds_an_own_step_in_the_browser(
    page: Page, live_server, web_world, screenshot
):
    """Given the administrator on Eving's process page, when they fill the first row of own
    steps and save with a reason, then the step is listed as the office's own with its deadline;
    a case opened afterwards has it open."""
    sign_in(page, live_server, web_world.emails["admin"])
    page.goto(f"{live_server}/ablauf?buero={web_world.office_id}")
    own = page.locator("#local-steps")
    own.get_by_label("Kurzname eigener Schritt 1").fill("stromspar_check")
    own.get_by_label("Bezeichnung eigener Schritt 1").fill("Stromspar-Check in der Wohnung")
    own.get_by_label("Frist eigener Schritt 1").fill("28")
    own.get_by_label("Weitervermittlung eigener Schritt 1").select_option(label="Energieberatung")
    own.get_by_label("ja, eigenen Schritt 1 bei der Aufnahme öffnen").check()
    page.get_by_label("Grund der Änderung").fill("Absprache mit der Bezirksvertretung Eving")
    screenshot("process-own-step")
    page.get_by_role("button", name="Als neuen Stand speichern").click()
    expect(page.locator("body")).to_contain_text("gespeichert (Stand 1)")
    row = page.locator("#process-steps tr", has_text="Stromspar-Check in der Wohnung")
    expect(row).to_contain_text("eigener Schritt des Büros")
    expect(row).to_contain_text("28 Tage")
    case_id = web_world.open_case()
    with unit_of_work() as session:
        kinds = set(session.exec(select(CaseStep.kind).where(CaseStep.case_id == case_id)))
    assert f"o{web_world.office_id}_stromspar_check" in kinds
