"""The process page and its API: the administrator saves an office's variant (a deadline no law
fixes, a reminder, a reason) and the office's new cases follow it; a legal deadline or a number
out of bounds is refused at its field with the reason and nothing is saved; supervisors read
their office's process with the history, caseworkers get 403; a supervisor's case page shows the
state diagram in plain German (SQLite and PostgreSQL)."""

import html
import re
from datetime import timedelta

from sqlmodel import select

from core.db import unit_of_work
from models import AuditEntry, Case, CaseStep, Household, Staff, WorkflowVariant
from tests.web.conftest import csrf, login
from tests.web.test_api import token_for
from tests.web.test_cases import flashes, follow, text
from workflows.move_in import end_of_day


def session_author(web_world) -> str:  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        return session.get(Staff, web_world.ids["admin"]).name  # type: ignore[union-attr]


def form(**changes: str) -> dict[str, str]:
    return {"reason": "Absprache mit der Bezirksvertretung Eving", **changes}


def post(client, office_id: int, data: dict[str, str]):  # type: ignore[no-untyped-def]
    page = f"/ablauf?buero={office_id}"
    return client.post(f"/ablauf/{office_id}", data={**data, "csrf_token": csrf(client, page)})


def test_the_administrator_varies_an_offices_deadlines_for_its_new_cases(web_world, client):
    login(client, web_world.emails["admin"])
    office = web_world.office_id
    page = client.get(f"/ablauf?buero={office}")
    assert page.status_code == 200 and 'id="variant-form"' in page.text
    assert re.search(r'name="due_days.registration"[^>]*readonly', page.text)  # fixed by law

    refused = post(client, office, form(**{"due_days.registration": "30", "due_days.energy": "x"}))
    assert refused.status_code == 422
    shown = text(refused)
    assert "Die Frist legt das Gesetz fest (Bundesmeldegesetz § 17, 14 Tage)" in shown
    assert "Bitte eine ganze Zahl." in shown
    assert 'value="x"' in refused.text  # what was typed stays in the form
    with unit_of_work() as session:
        assert session.exec(select(WorkflowVariant)).all() == []

    saved = follow(client, post(client, office, form(**{"due_days.energy": "21"})))
    assert flashes(saved) == [
        "Variante für Eving/Scharnhorst gespeichert (Stand 1): gilt für neue Fälle."
    ]
    assert "Stand 1" in text(saved) and "Absprache mit der Bezirksvertretung Eving" in text(saved)
    with unit_of_work() as session:
        (entry,) = session.exec(
            select(AuditEntry).where(AuditEntry.target == "workflow_variants")
        ).all()
    assert (entry.action, entry.actor_id, entry.office_id) == (
        "created", web_world.ids["admin"], office,
    )  # fmt: skip
    assert entry.changes["overrides"][1]["due_days"] == {"energy": 21}
    author = session_author(web_world)
    assert f"{author}: Absprache mit der Bezirksvertretung Eving" in text(saved)

    case_id = web_world.open_case()
    with unit_of_work() as session:
        energy = session.exec(
            select(CaseStep).where(CaseStep.case_id == case_id, CaseStep.kind == "energy")
        ).one()
        household = session.get(Household, session.get(Case, case_id).household_id)  # type: ignore[union-attr]
        moved_in = household.moved_in_on  # type: ignore[union-attr]
    assert energy.due_at == end_of_day(moved_in + timedelta(days=21))  # not the standard 14


def test_who_reads_and_who_changes_an_offices_process(web_world, client):
    login(client, web_world.emails["supervisor"])
    own = client.get("/ablauf?buero=999")  # a supervisor reads their own office, whatever asked
    assert own.status_code == 200 and "Eving/Scharnhorst" in text(own)
    assert 'id="variant-form"' not in own.text
    assert "Anmeldung beim Bürgeramt" in text(own) and "Bundesmeldegesetz § 17" in text(own)
    assert 'state "In Begleitung" as accompanying' in html.unescape(own.text)  # plain German
    assert "appointment_in_future" not in own.text  # no guard names
    assert post(client, web_world.office_id, form()).status_code == 403

    caseworker = client.__class__(client.app, base_url="http://testserver", follow_redirects=False)
    login(caseworker, web_world.emails["caseworker"])
    assert caseworker.get("/ablauf").status_code == 403


def test_a_supervisor_reads_the_cases_state_diagram_in_plain_german(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["supervisor"])
    page = client.get(f"/cases/{case_id}").text
    diagram = html.unescape(page.split('<pre class="mermaid">')[1].split("</pre>")[0])
    assert 'state "Aufgenommen" as intake' in diagram and "class intake current" in diagram
    assert "intake --> welcome_visit_scheduled : Willkommensbesuch planen" in diagram
    assert "[" not in diagram.split("[*]")[-1]  # no [guard] lists
    closing = "Aus jedem offenen Zustand: Fall vorzeitig schließen (mit Grund) → Abgeschlossen"
    assert closing in html.unescape(page)


def test_the_process_api_reads_and_saves_a_variant(web_world, client):
    office = web_world.office_id
    read = client.get(f"/api/offices/{office}/process", headers=token_for(web_world, "supervisor"))
    assert read.status_code == 200
    steps = {s["kind"]: s for s in read.json()["steps"]}
    assert steps["registration"]["law"] == "Bundesmeldegesetz § 17"
    assert steps["energy"]["due_days"] == 14 and steps["energy"]["reminder_days_before"] == [7]

    body = {"due_days": {"energy": 21}, "reason": "Absprache mit der Bezirksvertretung"}
    supervisor = client.post(
        f"/api/offices/{office}/process/variant",
        json=body,
        headers=token_for(web_world, "supervisor"),
    )
    assert supervisor.status_code == 403
    admin = token_for(web_world, "admin")
    saved = client.post(f"/api/offices/{office}/process/variant", json=body, headers=admin)
    assert saved.status_code == 201
    assert {s["kind"]: s["due_days"] for s in saved.json()["steps"]}["energy"] == 21
    assert saved.json()["revisions"][0]["revision"] == 1

    legal = {"due_days": {"registration": 21}, "reason": "Wir wollen mehr Zeit"}
    refused = client.post(f"/api/offices/{office}/process/variant", json=legal, headers=admin)
    assert refused.status_code == 422
    assert "Bundesmeldegesetz § 17" in refused.text
    other = client.get(
        f"/api/offices/{web_world.other_office_id}/process",
        headers=token_for(web_world, "supervisor"),
    )
    assert other.status_code == 404


def test_the_administrator_adds_an_offices_own_step_and_staff_work_it(web_world, client):
    """Given the administrator adds a Stromspar-Check (opened at intake, due in 21 days, energy
    advice) on the process page, when a case is opened, then its page lists the step in the
    office's words with its button, the process page marks it as the office's own, and an
    empty row left in the form adds nothing; a due day left out is refused at its field."""
    login(client, web_world.emails["admin"])
    office = web_world.office_id
    at = "local_steps.0"
    row = {f"{at}.key": "stromspar_check", f"{at}.label": "Stromspar-Check",
           f"{at}.partner_category": "energy_advice", f"{at}.at_intake": "ja"}  # fmt: skip
    refused = post(client, office, form(**row))
    assert refused.status_code == 422
    assert "Bitte die Frist in Tagen angeben." in text(refused)
    assert 'value="stromspar_check"' in refused.text  # what was typed stays

    saved = follow(client, post(client, office, form(**row, **{"local_steps.0.due_days": "21"})))
    assert re.search(r"Stromspar-Check<br><small[^>]*>eigener Schritt des Büros", text(saved))
    with unit_of_work() as session:
        (variant,) = session.exec(select(WorkflowVariant)).all()
    assert [s["key"] for s in variant.overrides["local_steps"]] == ["stromspar_check"]

    case_id = web_world.open_case()
    caseworker = client.__class__(client.app, base_url="http://testserver", follow_redirects=False)
    login(caseworker, web_world.emails["caseworker"])
    page = caseworker.get(f"/cases/{case_id}")
    assert page.status_code == 200 and "Stromspar-Check" in text(page)
    assert f"complete_o{office}_stromspar_check" in page.text  # its "erledigt" button
    api = client.get(f"/api/offices/{office}/process", headers=token_for(web_world, "admin"))
    own = [s for s in api.json()["steps"] if s["local"]]
    assert [(s["label"], s["due_days"], s["partner_category"]) for s in own] == [
        ("Stromspar-Check", 21, "energy_advice")
    ]
