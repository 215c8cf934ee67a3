"""Recording a home visit as it happened: who, interpreter, topics, agreements and reminders."""

from datetime import timedelta

from sqlmodel import select

from core.clock import berlin, utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import Agreement, Appointment, Case, CaseStep, Reminder, VisitRecord
from models.enums import ReminderKind
from tests.helpers import in_hours, step
from tests.web.conftest import csrf, login
from tests.web.test_cases import flashes, follow, text, today
from workflows.messaging.compose import compose


def record(client, case_id: int, **fields: object):  # type: ignore[no-untyped-def]
    data = {
        "trigger": "record_welcome_visit",
        "participants": "Frau Haddad, Omar, Lea Brandt",
        "interpreter_language": "ar",
        "interpreter_name": "Herr Nasser",
        "topics": "Anmeldung, Stromvertrag, Schule für Omar.\nFamilie hat noch keinen Vertrag.",
        "agreements.0.what": "Termin beim Bürgeramt buchen",
        "agreements.0.owner": "Familie",
        "agreements.0.due_on": (today() + timedelta(days=3)).isoformat(),
        "agreements.1.what": "",
        **fields,
    }
    return client.post(
        f"/cases/{case_id}/besuch", data={**data, "csrf_token": csrf(client, f"/cases/{case_id}")}
    )


def test_a_visit_recorded_early_needs_a_confirmation_and_nothing_typed_is_lost(web_world, client):
    case_id = web_world.open_case()
    step(case_id, "schedule_welcome_visit", web_world.caseworker_id, at=in_hours(26))
    login(client, web_world.emails["caseworker"])
    refused = record(client, case_id)
    assert refused.status_code == 422
    page = text(refused)
    assert "Nicht gespeichert: Der Besuch ist erst für" in page
    assert "Schule für Omar." in page and 'value="Herr Nasser"' in refused.text
    assert 'value="Termin beim Bürgeramt buchen"' in refused.text
    with unit_of_work() as session:
        assert session.get(Case, case_id).state == "welcome_visit_scheduled"
        assert session.exec(select(VisitRecord)).all() == []

    saved = follow(client, record(client, case_id, confirm_early="1"))
    assert flashes(saved) == ["Besuch dokumentiert."]
    assert "Frau Haddad, Omar, Lea Brandt" in text(saved)
    assert "Dolmetschung: Arabisch (Herr Nasser)" in text(saved)
    assert "Termin beim Bürgeramt buchen" in text(saved)
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        assert case.state == "accompanying"
        visit = session.exec(select(VisitRecord)).one()
        assert visit.held_at <= utc_now()  # held now, before its planned time
        assert session.exec(select(Appointment.status)).one() == "done"
        agreement = session.exec(select(Agreement)).one()
        reminder = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.AGREEMENT_DUE)
        ).one()
        assert reminder.agreement_id == agreement.id and reminder.status == "scheduled"
        assert berlin(reminder.due_at).date() == today() + timedelta(days=3)
        assert berlin(reminder.due_at).hour == 8
        mail = compose(session, reminder, get_settings())
        assert mail["To"] == "lea.brandt@lokal-willkommen.example"
        assert (
            mail["Subject"]
            == f"Vereinbarung fällig: Termin beim Bürgeramt buchen (LW-{case_id:06d})"
        )

    done = client.post(
        f"/cases/{case_id}/vereinbarungen/{agreement.id}/erledigt",
        data={"csrf_token": csrf(client, f"/cases/{case_id}")},
    )
    assert flashes(follow(client, done)) == ["Vereinbarung als erledigt markiert."]
    with unit_of_work() as session:
        assert session.get(Reminder, reminder.id).status == "cancelled"


def test_a_visit_held_as_planned_needs_no_confirmation_and_keeps_its_real_time(web_world, client):
    case_id = web_world.open_case()
    step(case_id, "schedule_welcome_visit", web_world.caseworker_id, at=in_hours(1))
    with unit_of_work() as session:  # the planned time has come and gone
        visit = session.exec(select(Appointment)).one()
        visit.starts_at = utc_now() - timedelta(hours=3)
    login(client, web_world.emails["caseworker"])
    held = (berlin(utc_now()) - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = record(client, case_id, held_at=held)
    assert flashes(follow(client, response)) == ["Besuch dokumentiert."]
    with unit_of_work() as session:
        recorded = session.exec(select(VisitRecord)).one()
        assert berlin(recorded.held_at).strftime("%Y-%m-%dT%H:%M") == held


def test_garbage_in_the_record_is_refused_at_its_field(web_world, client):
    case_id = web_world.open_case()
    step(case_id, "schedule_welcome_visit", web_world.caseworker_id, at=in_hours(1))
    login(client, web_world.emails["caseworker"])
    cases = [
        ({"participants": ""}, "participants"),
        ({"topics": ""}, "topics"),
        ({"held_at": "gestern"}, "held_at"),
        ({"held_at": (berlin(utc_now()) + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
          "confirm_early": "1"}, "held_at"),
        ({"agreements.0.due_on": (today() - timedelta(days=1)).isoformat()}, "agreements.0.due_on"),
        ({"agreements.0.owner": ""}, "agreements.0.owner"),
    ]  # fmt: skip
    for fields, name in cases:
        response = record(client, case_id, **fields)
        assert response.status_code == 422, (fields, response.status_code)
        assert "Nicht gespeichert:" in text(response), name
    with unit_of_work() as session:
        assert session.exec(select(VisitRecord)).all() == []


def test_a_step_done_records_the_day_it_really_happened(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    day = today() - timedelta(days=1)
    response = client.post(
        f"/cases/{case_id}/advance",
        data={"trigger": "complete_registration", "version": "1", "happened_on": day.isoformat(),
              "csrf_token": csrf(client, f"/cases/{case_id}")},
    )  # fmt: skip
    page = follow(client, response)
    assert f"erledigt am {day:%d.%m.%Y}" in text(page)
    with unit_of_work() as session:
        registration = session.exec(select(CaseStep).where(CaseStep.kind == "registration")).one()
        assert registration.done_on == day
    future = client.post(
        f"/cases/{case_id}/advance",
        data={"trigger": "complete_energy", "version": "2",
              "happened_on": (today() + timedelta(days=1)).isoformat(),
              "csrf_token": csrf(client, f"/cases/{case_id}")},
    )  # fmt: skip
    assert "Das Datum liegt in der Zukunft." in flashes(follow(client, future))[0]


def test_another_office_cannot_record_a_visit(web_world, client):
    case_id = web_world.open_case()
    step(case_id, "schedule_welcome_visit", web_world.caseworker_id, at=in_hours(1))
    login(client, web_world.emails["other_caseworker"])
    assert record(client, case_id, confirm_early="1").status_code == 404
