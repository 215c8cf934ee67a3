"""Consent signed on the tablet, in a real browser: the caseworker chooses what may be shared,
the household reads the form in its language and signs with a finger on the screen. Screenshots
at desktop and tablet size."""

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from core.db import unit_of_work
from models import Consent, ConsentEvidence
from tests.browser.test_case_journey import sign_in

pytestmark = pytest.mark.slow


def test_the_household_signs_the_consent_form_on_the_tablet(
    page: Page, live_server, web_world, screenshot
):
    """Given a case with an open energy step, when the caseworker records consent for energy
    advice from the case page (name and address), shows the Arabic and German form, and the
    household draws its signature, then the consent is in force with the tablet signature on
    record and the case page links the signed form; an empty signature field is refused first."""
    case_id = web_world.open_case()
    sign_in(page, live_server, web_world.emails["caseworker"])
    page.goto(f"{live_server}/cases/{case_id}#einwilligungen")
    page.get_by_role("button", name="Einwilligung Energieberatung erfassen").click()
    page.get_by_label("Adresse").check()
    page.get_by_label("Telefon").uncheck()
    page.get_by_label("Sprachen").uncheck()
    page.get_by_role("button", name="Formular anzeigen").click()
    expect(page.locator('article.consent-form[lang="ar"][dir="rtl"]')).to_be_visible()
    expect(page.locator('article.consent-form[lang="de"]')).to_contain_text("Evinger Straße 12")

    page.get_by_role("button", name="Einwilligung erfassen").click()  # nothing signed yet
    expect(page.locator("#fehler")).to_contain_text("Bitte auf dem Tablet unterschreiben")

    canvas = page.locator("canvas")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + 30, box["y"] + box["height"] * 0.7)
    page.mouse.down()
    for step in range(1, 21):
        x = box["x"] + 30 + step * (box["width"] - 60) / 20
        y = box["y"] + box["height"] * (0.3 if step % 2 else 0.7)
        page.mouse.move(x, y, steps=3)
    page.mouse.up()
    screenshot("einwilligung-unterschrift")
    page.get_by_role("button", name="Einwilligung erfassen").click()

    expect(page.locator("body")).to_contain_text(
        "Einwilligung erfasst: Energieberatung (auf dem Tablet unterschrieben)."
    )
    expect(page.get_by_role("link", name="Unterschriebenes Formular (PDF)")).to_be_visible()
    page.locator("#einwilligungen").screenshot(
        path=str(
            screenshot("einwilligung-fallseite").with_name(
                f"einwilligung-tabelle-{page.viewport_name}.png"  # type: ignore[attr-defined]
            )
        )
    )
    with unit_of_work() as session:
        given = session.exec(select(Consent)).one()
        kept = session.exec(select(ConsentEvidence)).one()
    assert given.shared_fields == ["name", "address"]
    assert kept.kind == "tablet" and kept.data is not None and kept.data.startswith(b"\x89PNG")
