"""Signing in with a real browser."""

import pytest
from playwright.sync_api import Page, expect

from tests.web.conftest import PASSWORD

pytestmark = pytest.mark.slow


def test_sign_in_with_the_keyboard(page: Page, live_server, web_world, screenshot):
    """Given a caseworker at the sign-in page, when she types her address and password and
    presses Enter, then she lands on her case list; a wrong password shows why, at the form."""
    page.goto(f"{live_server}/cases")
    expect(page).to_have_url(f"{live_server}/login?next=/cases")
    page.get_by_label("E-Mail-Adresse").fill(web_world.emails["caseworker"])
    page.get_by_label("Passwort").fill("falsches-passwort")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("E-Mail-Adresse oder Passwort ist falsch")
    screenshot("login-refused")
    page.get_by_label("Passwort").fill(PASSWORD)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/cases")
