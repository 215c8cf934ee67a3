"""A household's rights: its copy of its data (Art. 15 GDPR) as JSON and as a PDF in its
language, and erasure on request (Art. 17), refused while the data must be kept — on the case
page and in the API, each recorded in the audit trail."""

import base64
import io
import json

from pypdf import PdfReader
from sqlmodel import col, select

from core.db import unit_of_work
from models import AuditEntry, Case, CaseEvent, CaseRead, Household
from tests.helpers import step
from tests.web.conftest import csrf, login
from tests.web.test_api import token_for
from tests.workflows.privacy.test_personal_data import (
    MARKED_DATE,
    fill_a_case_completely,
    markers_anywhere,
)


def ask_to_erase(client, case_id: int, reason: str):  # type: ignore[no-untyped-def]
    token = csrf(client, f"/cases/{case_id}")
    data = {"reason": reason, "csrf_token": token}
    return client.post(f"/cases/{case_id}/loeschen", data=data, follow_redirects=True)


def readings(case_id: int) -> list[str]:
    with unit_of_work() as session:
        return list(session.exec(select(CaseRead.what).where(CaseRead.case_id == case_id)))


def test_the_json_copy_holds_every_personal_value_and_no_link_secret(web_world, client):
    """Given a case with a marker in every personal column of every table, when the caseworker
    downloads the household's copy as JSON, then every marker is in it (nothing stored is left
    out), the partners that received data are named, the secret parts of links are not, and the
    download is a reading of the case."""
    case_id, _household = fill_a_case_completely(web_world)
    stored = {m.split("=", 1)[1] for m in markers_anywhere()}
    login(client, web_world.emails["caseworker"])
    response = client.get(f"/cases/{case_id}/auskunft.json")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert "attachment" in response.headers["content-disposition"]
    text = response.text
    for value in stored:
        as_file = base64.b64encode(json.loads(value).encode()).decode()  # a signed form's bytes
        assert json.loads(value) in text or value.strip('"') in text or as_file in text, value
    copy = response.json()
    assert MARKED_DATE.isoformat() in text
    assert copy["recipients"][0]["partner"] == "Caritas Stromspar-Check"
    assert "t" * 20 not in text  # the answer link's token
    assert "link_nonce" not in text and "case_reads" not in copy["data"]
    assert readings(case_id)[-1] == "export"


def test_the_pdf_copy_is_in_the_households_language_and_in_german(web_world, client):
    """Given an Arabic-speaking household, when the caseworker downloads its copy as PDF, then
    it reads, in Arabic and then in German, the household's name, its members, its case with
    its steps and history, and its rights."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    response = client.get(f"/cases/{case_id}/auskunft.pdf")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(response.content)).pages
    text = "\n".join(page.extract_text() for page in pages)
    assert "معلومات عن بياناتكم" in text or "بياناتكم" in text  # Arabic, not boxes
    assert "Auskunft über Ihre Daten" in text and "Ihre Rechte" in text
    assert "Haddad" in text and "Amal" in text and f"LW-{case_id:06d}" in text
    assert "<td" not in text and "&lt;" not in text  # laid out, not markup
    assert "Anmeldung beim Bürgeramt" in text  # a step, as recorded
    assert "Fall eröffnet" in text  # the history
    assert readings(case_id) == ["export"]


def test_erasure_on_request_is_refused_while_the_case_is_open_then_erases_everything(
    web_world, client
):
    """Given an open case, when its supervisor asks to erase the household's data, then it is
    refused with the reason and nothing is erased; a caseworker may not at all. Once the case is
    closed, the erasure with a reason clears every personal value in every table at once, the
    timeline says so, the audit trail keeps who, when and why, and a second request is refused
    as already done."""
    open_id = web_world.open_case()
    login(client, web_world.emails["supervisor"])
    page = client.get(f"/cases/{open_id}").text
    assert 'id="erasure-refused"' in page and "noch offen" in page
    refused = ask_to_erase(client, open_id, "Antrag vom 03.12.")
    assert "Nicht gelöscht: Der Fall ist noch offen" in refused.text
    with unit_of_work() as session:
        assert (
            session.get(Household, session.get(Case, open_id).household_id).family_name == "Haddad"
        )  # type: ignore[union-attr]

    case_id, household_id = fill_a_case_completely(web_world)
    page = client.get(f"/cases/{case_id}").text
    assert 'id="erasure"' in page
    assert "Bitte den Grund angeben" in ask_to_erase(client, case_id, "ja").text
    done = ask_to_erase(client, case_id, "Antrag der Familie vom 03.12.2026")
    assert "Die Daten des Haushalts sind gelöscht" in done.text
    assert markers_anywhere() == []
    assert "Daten auf Antrag gelöscht" in done.text
    with unit_of_work() as session:
        entry = session.exec(select(AuditEntry).where(AuditEntry.action == "erased")).one()
        events = session.exec(select(CaseEvent.trigger).where(CaseEvent.case_id == case_id)).all()
    assert (entry.actor_id, entry.target_id) == (web_world.supervisor_id, household_id)
    assert entry.changes["reason"] == [None, "Antrag der Familie vom 03.12.2026"]
    assert "erase_on_request" in events
    again = client.get(f"/cases/{case_id}").text
    assert "schon gelöscht" in again

    login(client, web_world.emails["caseworker"])
    assert ask_to_erase(client, open_id, "Antrag vom 03.12.").status_code == 403


def test_a_documentation_duty_keeps_a_closed_case_until_its_date(web_world, client, monkeypatch):
    """Given an office that must keep closed files for a year, when a case closed today is to be
    erased, then it is refused naming the date until which it is kept."""
    from tests.conftest import apply_settings

    monkeypatch.setenv("WILLKOMMEN_ERASURE_HOLD_DAYS", "365")
    apply_settings()
    case_id = web_world.open_case()
    step(case_id, "close_case", web_world.caseworker_id, note="verzogen")
    login(client, web_world.emails["supervisor"])
    page = client.get(f"/cases/{case_id}").text
    assert "Aufbewahrungspflicht" in page and "bis zum" in page


def test_the_api_gives_the_copy_and_erases_on_request_by_the_same_rules(web_world, client):
    """Given the API, then the copy is the same JSON; erasure is refused to a caseworker (403),
    with a reason too short (422), for an open case (409 with the reason), and done (200) for a
    closed one."""
    open_id = web_world.open_case()
    case_id, household_id = fill_a_case_completely(web_world)
    caseworker, supervisor = token_for(web_world, "caseworker"), token_for(web_world, "supervisor")
    copy = client.get(f"/api/cases/{case_id}/auskunft", headers=caseworker)
    assert copy.status_code == 200 and copy.json()["household_id"] == household_id
    erase = f"/api/cases/{case_id}/erasure"
    assert (
        client.post(erase, json={"reason": "Antrag vom 03.12."}, headers=caseworker).status_code
        == 403
    )
    assert client.post(erase, json={"reason": "ja"}, headers=supervisor).status_code == 422
    still_open = client.post(f"/api/cases/{open_id}/erasure", json={"reason": "Antrag vom 03.12."},
                             headers=supervisor)  # fmt: skip
    assert still_open.status_code == 409 and "noch offen" in still_open.json()["detail"]
    erased = client.post(erase, json={"reason": "Antrag vom 03.12."}, headers=supervisor)
    assert erased.status_code == 200 and erased.json() == {"case_id": case_id, "erased": True}
    assert markers_anywhere() == []
    with unit_of_work() as session:
        reads = session.exec(
            select(CaseRead.what).where(CaseRead.case_id == case_id).order_by(col(CaseRead.id))
        ).all()
    assert reads == ["page", "export"]  # the page: written by fill_a_case_completely
