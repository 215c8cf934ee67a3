"""Staff read a message before it goes out, on the case page's preview (real app and database)."""

import html

from sqlmodel import func, select

from core.db import unit_of_work
from models import Appointment, OutboxMessage, Reminder
from tests.web.conftest import login


def counts() -> tuple[int, int, int]:
    with unit_of_work() as session:
        return tuple(  # type: ignore[return-value]
            session.exec(select(func.count()).select_from(model)).one()
            for model in (Reminder, OutboxMessage, Appointment)
        )


def test_preview_shows_subject_text_and_html_in_the_chosen_language(web_world, client):
    """Given a case without a planned visit, when a caseworker previews the invitation in
    Farsi, then subject, text and the sandboxed right-to-left HTML are shown, marked as an
    example appointment, and no row was added anywhere."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    before = counts()
    page = client.get(f"/cases/{case_id}/preview?kind=appointment_invitation&lang=fa")
    assert page.status_code == 200
    text = html.unescape(page.text)
    assert "دعوت: بازدید خوشامدگویی" in text  # subject: invitation, welcome visit
    assert "Beispieltermin" in text
    assert 'sandbox srcdoc="' in page.text
    assert "&lt;html lang=&#34;fa&#34; dir=&#34;rtl&#34;&gt;" in page.text  # escaped in srcdoc
    assert "termin.ics" in text and "BEGIN:VCALENDAR" in text
    assert counts() == before


def test_preview_of_a_staff_message_is_german_and_the_case_page_links_to_it(web_world, client):
    """Given a case, when the case page is opened, then it links to the preview; the supervisors'
    escalation previews in German whatever language is asked for."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    assert f'href="/cases/{case_id}/preview"' in client.get(f"/cases/{case_id}").text
    page = client.get(f"/cases/{case_id}/preview?kind=step_overdue&lang=ar")
    assert page.status_code == 200
    assert f"Überfällig: Anmeldung beim Bürgeramt im Fall LW-{case_id:06d}" in html.unescape(
        page.text
    )


def test_preview_of_another_office_s_case_is_not_found(web_world, client):
    """Given a case of Eving, when a caseworker of another office asks for its preview, then
    the case is not found (404)."""
    case_id = web_world.open_case()
    login(client, web_world.emails["other_caseworker"])
    assert client.get(f"/cases/{case_id}/preview?kind=consultation_info").status_code == 404


def test_preview_without_a_referral_says_so(web_world, client):
    """Given a case never referred, when the referral email is previewed, then the page says
    there is no referral yet instead of failing."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    page = client.get(f"/cases/{case_id}/preview?kind=referral")
    assert page.status_code == 200
    assert "noch keine Weitervermittlung" in page.text
