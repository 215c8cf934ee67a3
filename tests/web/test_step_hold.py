"""Putting a step on a waiting list from the case page and through the API."""

from datetime import timedelta

from tests.web.conftest import login
from tests.web.test_api import token_for
from tests.web.test_cases import flashes, follow, post_form, text, today
from tests.workflows.casework.test_waiting_list import TODDLER


def test_the_case_page_puts_the_kita_step_on_the_waiting_list(web_world, client):
    case_id = web_world.open_case(members=TODDLER)
    login(client, web_world.emails["caseworker"])
    page = client.get(f"/cases/{case_id}")
    assert 'id="on-hold_kindergarten" name="on" required' in page.text
    follow_up = today() + timedelta(days=90)
    response = post_form(
        client, f"/cases/{case_id}/advance",
        {"trigger": "hold_kindergarten", "version": "1", "note": "Warteliste Kita Regenbogen",
         "on": follow_up.isoformat()},
        f"/cases/{case_id}",
    )  # fmt: skip
    page = follow(client, response)
    assert flashes(page) == [
        "Gespeichert: Kindergartenplatz: auf Warteliste (mit Grund und Wiedervorlage)."
    ]
    assert f"Wiedervorlage {follow_up:%d.%m.%Y}" in text(page)
    assert "Warteliste: Warteliste Kita Regenbogen" in text(page)
    assert "Kindergartenplatz: weiter bearbeiten" in text(page)

    garbage = post_form(
        client, f"/cases/{case_id}/advance",
        {"trigger": "resume_kindergarten", "version": "2", "on": "31.02."},
        f"/cases/{case_id}",
    )  # fmt: skip
    assert "Das Datum ist ungültig." in flashes(follow(client, garbage))[0]


def test_the_api_takes_the_follow_up_day_as_on(web_world, client):
    case_id = web_world.open_case(members=TODDLER)
    auth = token_for(web_world, "caseworker")
    follow_up = (today() + timedelta(days=30)).isoformat()
    held = client.post(
        f"/api/cases/{case_id}/advance",
        json={"trigger": "hold_kindergarten", "note": "Warteliste", "on": follow_up},
        headers=auth,
    )
    assert held.status_code == 200, held.text
    kita = next(s for s in held.json()["steps"] if s["kind"] == "kindergarten")
    assert (kita["state"], kita["hold_until"], kita["overdue"]) == ("waiting", follow_up, False)
    missing = client.post(
        f"/api/cases/{case_id}/advance", json={"trigger": "complete_kindergarten", "on": 5},
        headers=auth,
    )  # fmt: skip
    assert missing.status_code == 422
