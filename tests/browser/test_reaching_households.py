"""Reaching every household, in a real browser: the caseworker's calls, and a household
answering its invitation on its phone. Screenshots at desktop and tablet size."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import select

from core.clock import utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import Reminder
from models.enums import ReminderKind
from tests.browser.test_case_journey import sign_in
from tests.helpers import in_hours, step
from workflows.engine import reminders
from workflows.messaging.delivery import deliver

pytestmark = pytest.mark.slow


def test_the_caseworker_calls_a_household_without_email_and_marks_it_done(
    page: Page, live_server, web_world, screenshot
):
    """Given a household with only a landline whose registration reminder is due, when the
    caseworker opens "Anrufe und Briefe", then she sees the call with the Arabic text to read
    out and the German below; after "Erledigt" the call leaves the list."""
    case_id = web_world.open_case(email=None, phone="0231 123456", contact_channels=["phone"])
    with unit_of_work() as session:
        reminders.dispatch_due(session, utc_now() + timedelta(days=30), get_settings())
        reminder_id = session.exec(
            select(Reminder.id).where(
                Reminder.case_id == case_id, Reminder.kind == ReminderKind.REGISTRATION_DEADLINE
            )
        ).one()
    assert deliver(reminder_id).status == "task"  # type: ignore[arg-type]

    sign_in(page, live_server, web_world.emails["caseworker"])
    page.get_by_role("link", name="Anrufe und Briefe").click()
    card = page.locator(f"#aufgabe-{reminder_id}")
    expect(card).to_contain_text("Haushalt anrufen: Erinnerung an die Anmeldefrist")
    expect(card.locator('[lang="ar"][dir="rtl"]')).to_be_visible()
    screenshot("aufgaben")
    card.get_by_role("button", name="Erledigt").click()
    expect(page.locator("body")).to_contain_text("Erledigt: die Nachricht hat den Haushalt")
    expect(page.locator(f"#aufgabe-{reminder_id}")).to_have_count(0)
    expect(page.locator("#no-tasks")).to_be_visible()


def test_a_household_confirms_its_visit_on_the_answer_page(
    page: Page, live_server, web_world, smtp, screenshot
):
    """Given an Arabic-speaking household invited by email, when it opens the link in a browser,
    then the page is Arabic, right to left, with the visit's date; when it confirms, it is
    thanked in Arabic."""
    case_id = web_world.open_case()
    step(case_id, "schedule_welcome_visit", web_world.caseworker_id, at=in_hours(50))
    with unit_of_work() as session:
        invitation = session.exec(
            select(Reminder.id).where(
                Reminder.case_id == case_id, Reminder.kind == ReminderKind.APPOINTMENT_INVITATION
            )
        ).one()
    assert deliver(invitation).status == "sent"  # type: ignore[arg-type]
    text = smtp.messages[-1].get_body(("plain",)).get_content()
    path = re.search(r"/t/[A-Za-z0-9_-]{16}", text)[0]  # type: ignore[index]

    page.goto(f"{live_server}{path}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("h1")).to_have_text("موعدكم")
    screenshot("antwort-haushalt")
    page.locator("#confirm").click()
    expect(page.locator("#answered")).to_have_text("شكرًا! وصلنا ردكم.")
