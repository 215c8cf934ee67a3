"""Handing a case on: to a colleague, and to another office when the household moves."""

import pytest
from sqlmodel import select

from core.config import get_settings
from core.db import unit_of_work
from models import Appointment, Case, CaseEvent, Household, Office, Reminder, Staff
from models.enums import Employer, ReminderKind, ReminderStatus, Role
from tests.helpers import in_hours, step
from tests.web.conftest import csrf, login
from tests.web.test_cases import flashes, follow, text
from workflows.casework import handover, notes
from workflows.directory.accounts import issue_api_token
from workflows.engine import advance
from workflows.engine.errors import CaseInTransfer
from workflows.messaging.compose import compose

LUEDO = {"street": "Limbecker Straße 3", "postal_code": "44388", "district": "Lütgendortmund"}


def post(client, case_id: int, path: str, data: dict | None = None):  # type: ignore[no-untyped-def]
    token = csrf(client, f"/cases/{case_id}")
    return client.post(f"/cases/{case_id}{path}", data={**(data or {}), "csrf_token": token})


def a_colleague(web_world) -> int:  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        colleague = Staff(
            name="Sami Yilmaz", email="sami@lokal-willkommen.example", role=Role.CASEWORKER,
            employer=Employer.ASSOCIATION, employer_name="DRK", office_id=web_world.office_id,
        )  # fmt: skip
        session.add(colleague)
        session.flush()
        return int(colleague.id)  # type: ignore[arg-type]


def a_third_office_caseworker() -> int:
    with unit_of_work() as session:
        office = Office(
            code="huckarde", name="Huckarde", address="Urbanusstraße 5", partner_organisation="AWO",
            email="huckarde@lokal-willkommen.example", districts=["Huckarde"],
        )  # fmt: skip
        session.add(office)
        session.flush()
        person = Staff(
            name="Ina Kurz", email="ina.kurz@lokal-willkommen.example", role=Role.CASEWORKER,
            employer=Employer.CITY, employer_name="Stadt Dortmund", office_id=office.id,
        )  # fmt: skip
        session.add(person)
        session.flush()
        return int(person.id)  # type: ignore[arg-type]


def token_of(staff_id: int) -> dict[str, str]:
    with unit_of_work() as session:
        token = issue_api_token(session, staff_id, "Test")
    return {"Authorization": f"Bearer {token}"}


def case_row(case_id: int) -> Case:
    with unit_of_work() as session:
        return session.get(Case, case_id)


def test_a_caseworker_hands_her_case_to_a_colleague_who_takes_over_the_visit(web_world, client):
    case_id = web_world.open_case()
    colleague = a_colleague(web_world)
    step(case_id, "schedule_welcome_visit", web_world.caseworker_id, at=in_hours(48))
    login(client, web_world.emails["caseworker"])
    page = follow(
        client,
        post(client, case_id, "/zustaendig", {"assignee_id": str(colleague), "note": "Urlaub"}),
    )
    assert flashes(page) == ["Zuständig ist jetzt Sami Yilmaz."]
    assert "Zuständigkeit geändert" in text(page) and "Zuständig: Sami Yilmaz. Urlaub" in text(page)
    with unit_of_work() as session:
        assert session.get(Case, case_id).assignee_id == colleague
        visit = session.exec(select(Appointment)).one()
        assert visit.staff_id == colleague  # the visit is hers now
        reminder = session.exec(select(Reminder).where(Reminder.kind == ReminderKind.VISIT)).one()
        assert compose(session, reminder, get_settings())["To"] == "sami@lokal-willkommen.example"
    # The case is no longer hers: she cannot hand it on again, her supervisor can.
    refused = follow(
        client, post(client, case_id, "/zustaendig", {"assignee_id": str(web_world.caseworker_id)})
    )
    assert "Nur die Leitung oder die zuständige Person" in flashes(refused)[0]
    client.post("/logout", data={"csrf_token": csrf(client, "/cases")})
    login(client, web_world.emails["supervisor"])
    back = post(client, case_id, "/zustaendig", {"assignee_id": str(web_world.caseworker_id)})
    assert flashes(follow(client, back)) == ["Zuständig ist jetzt Lea Brandt."]


def test_nobody_from_another_office_can_be_assigned(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    other = web_world.ids["other_caseworker"]
    page = follow(client, post(client, case_id, "/zustaendig", {"assignee_id": str(other)}))
    assert "Bitte eine aktive Person dieses Büros wählen." in flashes(page)[0]
    assert case_row(case_id).assignee_id == web_world.caseworker_id


def test_a_move_to_another_district_hands_the_case_over_once_that_office_accepts(web_world, client):
    case_id = web_world.open_case()
    step(case_id, "schedule_welcome_visit", web_world.caseworker_id, at=in_hours(48))
    with unit_of_work() as session:
        events_before = len(session.exec(select(CaseEvent)).all())
        pending_before = session.exec(
            select(Reminder.id).where(Reminder.status == ReminderStatus.SCHEDULED)
        ).all()
    login(client, web_world.emails["caseworker"])
    page = follow(client, post(client, case_id, "/uebergabe", {**LUEDO, "note": "Umzug 1.12."}))
    assert flashes(page)[0].startswith("Übergabe an Lütgendortmund angefragt.")
    assert "In Übergabe an Lütgendortmund" in text(page)
    assert f'action="/cases/{case_id}/advance"' not in page.text  # read-only: no actions
    assert "Übergabe zurückziehen" in page.text
    with unit_of_work() as session:
        household = session.exec(select(Household)).one()
        assert (household.street, household.district) == ("Limbecker Straße 3", "Lütgendortmund")
        with pytest.raises(CaseInTransfer):
            advance(session, case_id, "open_transit_ticket", actor_id=web_world.caseworker_id)
        with pytest.raises(CaseInTransfer):
            notes.add_note(session, case_id, "x", actor_id=web_world.caseworker_id)
    refused = post(client, case_id, "/notes", {"note": "trotzdem"})
    assert refused.status_code == 409
    # A third office sees nothing of it, neither on the pages nor in the API.
    third = a_third_office_caseworker()
    assert client.get(f"/api/cases/{case_id}", headers=token_of(third)).status_code == 404

    # The receiving office sees it in its list and on its page, read-only, and accepts.
    client.post("/logout", data={"csrf_token": csrf(client, "/cases")})
    login(client, web_world.emails["other_caseworker"])
    listed = client.get("/cases")
    assert "Übergaben an Ihr Büro" in listed.text and f"/cases/{case_id}" in listed.text
    theirs = client.get(f"/cases/{case_id}")
    assert theirs.status_code == 200 and "Fall übernehmen" in theirs.text
    accepted = follow(client, post(client, case_id, "/uebergabe/annehmen", {}))
    assert flashes(accepted) == ["Fall übernommen: er gehört jetzt zu Lütgendortmund."]
    assert f'action="/cases/{case_id}/advance"' in accepted.text  # theirs to work on now

    with unit_of_work() as session:
        case = session.get(Case, case_id)
        assert (case.office_id, case.assignee_id) == (
            web_world.other_office_id,
            web_world.ids["other_caseworker"],
        )
        assert case.transfer_to_office_id is None
        assert session.exec(select(Household)).one().office_id == web_world.other_office_id
        assert len(session.exec(select(CaseEvent)).all()) == events_before + 2  # intact, +2
        still = session.exec(
            select(Reminder.id).where(Reminder.status == ReminderStatus.SCHEDULED)
        ).all()
        assert set(pending_before) <= set(still)  # reminders move intact
        escalation = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.STEP_OVERDUE)
        ).first()
        to = compose(session, escalation, get_settings())["To"]
        assert to == "ole.sander@lokal-willkommen.example"  # the new office's supervisor

    # The sending office no longer finds it.
    client.post("/logout", data={"csrf_token": csrf(client, "/cases")})
    login(client, web_world.emails["caseworker"])
    assert client.get(f"/cases/{case_id}").status_code == 404


def test_the_receiving_office_may_decline_with_a_reason_and_the_sender_withdraw(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    follow(client, post(client, case_id, "/uebergabe", LUEDO))
    withdrawn = follow(client, post(client, case_id, "/uebergabe/zurueckziehen"))
    assert flashes(withdrawn) == ["Übergabe zurückgezogen; der Fall ist wieder bearbeitbar."]
    assert case_row(case_id).transfer_to_office_id is None
    follow(client, post(client, case_id, "/uebergabe", LUEDO))
    # The sender cannot accept its own handover.
    own = follow(client, post(client, case_id, "/uebergabe/annehmen"))
    assert "Das kann nur das aufnehmende Büro." in flashes(own)[0]

    client.post("/logout", data={"csrf_token": csrf(client, "/cases")})
    login(client, web_world.emails["other_caseworker"])
    no_reason = follow(client, post(client, case_id, "/uebergabe/ablehnen", {"note": ""}))
    assert "Bitte einen Grund angeben." in flashes(no_reason)[0]
    declined = post(client, case_id, "/uebergabe/ablehnen", {"note": "Adresse liegt in Huckarde"})
    assert declined.status_code == 303
    assert client.get(f"/cases/{case_id}").status_code == 404  # not theirs after all
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        assert (case.office_id, case.transfer_to_office_id) == (web_world.office_id, None)
    client.post("/logout", data={"csrf_token": csrf(client, "/cases")})
    login(client, web_world.emails["caseworker"])
    page = client.get(f"/cases/{case_id}")
    assert "Übergabe abgelehnt von Mia Ortmann (Lütgendortmund): Adresse liegt in Huckarde" in (
        text(page)
    )


def test_a_handover_to_the_own_office_or_a_closed_case_is_refused(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    own = {"street": "Bergstraße 1", "postal_code": "44339", "district": "Scharnhorst"}
    page = follow(client, post(client, case_id, "/uebergabe", own))
    assert "gehört zu diesem Büro" in flashes(page)[0]
    bad = follow(client, post(client, case_id, "/uebergabe", {**LUEDO, "postal_code": "1"}))
    assert "Das Format stimmt nicht." in flashes(bad)[0]
    assert case_row(case_id).transfer_to_office_id is None


def test_partner_answers_and_the_system_go_on_during_a_handover(web_world):
    case_id = web_world.open_case()
    with unit_of_work() as session:
        handover.request_transfer(session, case_id, actor_id=web_world.caseworker_id, **LUEDO)
    with unit_of_work() as session:  # the system (no staff member) may still change the case
        advance(session, case_id, "open_transit_ticket", actor_id=None)
    assert case_row(case_id).transfer_to_office_id is not None
