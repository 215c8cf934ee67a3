"""Consent recorded with its scope on the case page, and ended referrals (real app and database)."""

import html

from sqlmodel import select

from core.db import unit_of_work
from models import Consent, Reminder
from models.enums import ReferralStatus, ReminderKind
from tests.helpers import step
from tests.web.conftest import csrf, login
from tests.web.test_partner_links import energy_state, the_referral


def grant(client, case_id: int, fields: list[str]):  # type: ignore[no-untyped-def]
    page = f"/cases/{case_id}"
    data = {
        "partner_category": "energy_advice",
        "shared_fields": fields,
        "csrf_token": csrf(client, page),
    }
    return client.post(f"{page}/consents/scope", data=data)


def test_consent_form_records_the_chosen_fields_and_the_page_shows_them(web_world, client):
    """Given a case, when a caseworker records consent for energy advice with name and address
    only, then the consent holds exactly those, the page lists them, and an empty choice is
    refused with a message."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    page = client.get(f"/cases/{case_id}").text
    assert 'name="shared_fields" value="phone" checked' in page  # the default scope
    assert 'name="shared_fields" value="address"' in page
    assert 'value="address" checked' not in page

    refused = grant(client, case_id, [])
    assert refused.status_code == 303
    assert "mindestens eine Angabe" in html.unescape(client.get(refused.headers["location"]).text)

    granted = grant(client, case_id, ["address", "name"])
    assert granted.status_code == 303
    shown = html.unescape(client.get(granted.headers["location"]).text)
    assert "Einwilligung erfasst: Energieberatung (Name der Ansprechperson, Adresse)." in shown
    assert "Weitergabe: Name der Ansprechperson, Adresse" in shown
    with unit_of_work() as session:
        (consent,) = session.exec(select(Consent)).all()
    assert consent.shared_fields == ["name", "address"]


def test_staff_end_a_referral_with_a_reason_and_the_partner_is_asked_to_delete(web_world, client):
    """Given a referred energy step, when the caseworker ends the referral with a reason (the
    partner said no on the phone), then the step is open, the referral withdrawn, and the
    partner gets an email asking it to delete the data."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    grant(client, case_id, ["name"])
    step(case_id, "refer_energy", web_world.caseworker_id)
    step(case_id, "end_referral_energy", web_world.caseworker_id, note="Partner hat keine Zeit")
    assert energy_state(case_id) == "open"
    assert the_referral(case_id).status == ReferralStatus.WITHDRAWN
    with unit_of_work() as session:
        kinds = [r.kind for r in session.exec(select(Reminder).where(Reminder.case_id == case_id))]
    assert kinds.count(ReminderKind.REFERRAL_WITHDRAWN) == 1
