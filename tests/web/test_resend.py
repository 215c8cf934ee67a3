"""Sending a failed message again, from the case page and from the dashboard."""

import pytest
from sqlmodel import select

from core.db import unit_of_work
from models import CaseEvent, OutboxMessage, Reminder
from models.enums import ReminderStatus
from tests.helpers import reminders
from tests.web.conftest import csrf, login
from tests.web.test_cases import flashes, follow


def _fail(case_id: int) -> int:
    """The household's welcome email, as if every attempt had failed (no mail server)."""
    with unit_of_work() as session:
        query = select(Reminder).where(
            Reminder.case_id == case_id, Reminder.kind == "consultation_info"
        )
        reminder = session.exec(query).one()
        reminder.status, reminder.attempts = ReminderStatus.FAILED, 4
        reminder.last_error = "SMTP-Server nicht erreichbar (ConnectionRefusedError)"
        return int(reminder.id)  # type: ignore[arg-type]


def _outbox_for(reminder_id: int) -> int:
    with unit_of_work() as session:
        rows = session.exec(select(OutboxMessage)).all()
    return len([row for row in rows if row.arguments == {"reminder_id": reminder_id}])


def test_a_caseworker_sends_a_failed_message_again_from_the_case_page(web_world, client):
    """Given a failed welcome email, when the caseworker presses "Erneut senden" at it on the
    case page, then it is queued once more (a new task), the history says who did it, and the
    button is gone."""
    case_id = web_world.open_case()
    reminder_id = _fail(case_id)
    before = _outbox_for(reminder_id)
    login(client, web_world.emails["caseworker"])
    page = client.get(f"/cases/{case_id}")
    assert f"/messages/{reminder_id}/resend" in page.text

    answer = client.post(
        f"/messages/{reminder_id}/resend", data={"csrf_token": csrf(client, f"/cases/{case_id}")}
    )

    assert answer.headers["location"] == f"/cases/{case_id}#verlauf"
    after = follow(client, answer)
    assert "Die Nachricht wird erneut gesendet." in flashes(after)
    assert "Nachricht erneut gesendet" in after.text
    (again,) = [r for r in reminders(case_id) if r.id == reminder_id]
    assert (again.status, again.attempts, again.last_error) == ("queued", 0, None)
    assert _outbox_for(reminder_id) == before + 1
    with unit_of_work() as session:
        (event,) = session.exec(
            select(CaseEvent).where(CaseEvent.trigger == "resend_message")
        ).all()
        assert event.actor_id == web_world.caseworker_id
    assert f"/messages/{reminder_id}/resend" not in after.text


@pytest.mark.parametrize("status", ["sent", "queued", "sending", "cancelled"])
def test_a_message_that_did_not_fail_is_never_sent_again(web_world, client, status):
    """Given a message that was delivered (or is on its way, or was called off), when a resend
    is posted for it anyway, then it is refused with a message and nothing is queued."""
    case_id = web_world.open_case()
    reminder_id = _fail(case_id)
    with unit_of_work() as session:
        session.get(Reminder, reminder_id).status = status
    before = _outbox_for(reminder_id)
    login(client, web_world.emails["caseworker"])
    answer = client.post(
        f"/messages/{reminder_id}/resend", data={"csrf_token": csrf(client, "/cases")}
    )
    assert any("nicht noch einmal gesendet" in m for m in flashes(follow(client, answer)))
    assert _outbox_for(reminder_id) == before
    assert [r.status for r in reminders(case_id) if r.id == reminder_id] == [status]


def test_a_supervisor_resends_from_the_dashboard_and_another_office_cannot(web_world, client):
    """Given a failed message in Eving, when Eving's supervisor resends it from the dashboard,
    then he is back at the list and it is queued; a caseworker of another office gets 404."""
    case_id = web_world.open_case()
    reminder_id = _fail(case_id)
    login(client, web_world.emails["other_caseworker"])
    refused = client.post(
        f"/messages/{reminder_id}/resend", data={"csrf_token": csrf(client, "/cases")}
    )
    assert refused.status_code == 404
    login(client, web_world.emails["supervisor"])
    dashboard = client.get("/dashboard")
    assert f"/messages/{reminder_id}/resend" in dashboard.text
    answer = client.post(
        f"/messages/{reminder_id}/resend",
        data={"back": "dashboard", "csrf_token": csrf(client, "/dashboard")},
    )
    assert answer.headers["location"] == "/dashboard#failed"
    assert [r.status for r in reminders(case_id) if r.id == reminder_id] == ["queued"]
