"""Beat's periodic jobs: the schedule itself, the retention job, the supervisors' digest."""

from datetime import timedelta

import pytest
from sqlmodel import select

from core.celery_app import QUEUES
from core.celery_app import app as celery_app
from core.clock import utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import Case, CaseEvent, DigestDelivery, Household, HouseholdMember, Reminder
from models.enums import ReminderStatus
from tasks.schedule import beat_schedule
from tests.helpers import pass_time, step
from tests.services import wait_for


def test_every_beat_entry_runs_a_registered_task_on_a_declared_queue():
    """Given the beat schedule, when each entry's task is looked up in the worker app,
    then it is registered and routed to one of the named queues."""
    import worker

    for name, entry in beat_schedule(get_settings()).items():
        assert entry["task"] in worker.app.tasks, name
        queue = celery_app.amqp.router.route({}, entry["task"])["queue"].name
        assert queue in QUEUES, (name, queue)
    assert celery_app.amqp.router.route({}, "messages.send_reminder")["queue"].name == "messages"


def close_long_ago(world, days: int, **overrides) -> int:  # type: ignore[no-untyped-def]
    case_id = world.open_case(**overrides)
    step(case_id, "close_case", world.caseworker_id, note="Familie verzogen, Notiz mit Namen")
    with unit_of_work() as session:
        session.get(Case, case_id).closed_at = utc_now() - timedelta(days=days)
    return case_id


@pytest.mark.slow
def test_retention_job_anonymises_closed_cases_past_the_period_only(world, start_worker):
    """Given a case closed 800 days ago and one closed 10 days ago (retention: 730 days),
    when the nightly retention job runs (twice), then only the old household loses names,
    address, contact data and notes; states and birth years remain for statistics."""
    start_worker()
    old = close_long_ago(world, 800)
    recent = close_long_ago(world, 10, family_name="Yilmaz")
    for _ in range(2):
        celery_app.send_task("maintenance.anonymise_closed_cases")

    def household(case_id: int) -> Household:
        with unit_of_work() as session:
            return session.get(Household, session.get(Case, case_id).household_id)

    wait_for(lambda: household(old).anonymised_at is not None, 30, what="anonymisation")
    gone = household(old)
    assert (gone.family_name, gone.street, gone.email, gone.phone) == (
        "anonymisiert",
        "",
        None,
        None,
    )
    with unit_of_work() as session:
        members = session.exec(
            select(HouseholdMember).where(HouseholdMember.household_id == gone.id)
        ).all()
        notes = session.exec(select(CaseEvent.note).where(CaseEvent.case_id == old)).all()
        assert session.get(Case, old).state == "closed"
    assert {m.given_name for m in members} == {"anonymisiert"}
    assert sorted(m.birth_date.isoformat() for m in members) == ["1986-01-01", "2016-01-01"]
    assert [n for n in notes if n] == []
    kept = household(recent)
    assert kept.family_name == "Yilmaz" and kept.anonymised_at is None


@pytest.mark.slow
def test_daily_digest_reaches_each_supervisor_once_without_names(world, smtp, start_worker):
    """Given an overdue school step and a failed message in the office, when the morning digest
    job runs twice, then the supervisor gets exactly one digest listing them by case number."""
    start_worker()
    case_id = world.open_case()
    # The household's welcome email leaves at intake; once it is marked sent, it stands in for
    # a message that failed (the worker would otherwise race the test for the row).
    (welcome,) = smtp.wait_for_messages(1)
    assert welcome["To"] == "familie.haddad@household.example"

    def welcome_reminder() -> Reminder:
        with unit_of_work() as session:
            query = select(Reminder).where(Reminder.case_id == case_id).order_by(Reminder.id)
            return session.exec(query).first()

    wait_for(lambda: welcome_reminder().status == ReminderStatus.SENT, 20, what="welcome sent")
    pass_time(40)
    with unit_of_work() as session:
        reminder = session.get(Reminder, welcome_reminder().id)
        reminder.status, reminder.attempts = ReminderStatus.FAILED, 4
        reminder.last_error = "SMTP-Server nicht erreichbar (ConnectionRefusedError)"
    celery_app.send_task("messages.send_digests")
    celery_app.send_task("messages.send_digests")
    digest = smtp.wait_for_messages(2)[1]
    with pytest.raises(AssertionError):
        smtp.wait_for_messages(3, timeout=3)
    assert digest["To"] == "jonas.albers@lokal-willkommen.example"
    body = digest.get_content()
    assert f"LW-{case_id:06d}" in body and "Einschulung" in body
    assert "Fehlgeschlagene Nachrichten: 1" in body and "nach Weg: E-Mail 1" in body
    assert "Haddad" not in body and "Amal" not in body
    assert f"http://127.0.0.1:8000/cases/{case_id}" in body  # each item opens its case
    assert digest["Date"] is not None
    with unit_of_work() as session:
        assert [d.status for d in session.exec(select(DigestDelivery))] == ["sent"]


@pytest.mark.slow
def test_bookkeeping_is_pruned_but_nothing_still_to_be_relayed(world, start_worker):
    """Given outbox rows relayed 8 and 6 days ago, one never relayed for 30 days (the broker
    was away), and digest records of 91 and 89 days ago, when the nightly job runs on a real
    worker (keep: 7 and 90 days), then only the row relayed 8 days ago and the 91-day-old
    digest record are gone."""
    from core.clock import berlin
    from models import OutboxMessage

    start_worker()
    now = utc_now()
    today = berlin(now).date()
    with unit_of_work() as session:
        for relayed, created in ((8, 8), (6, 6), (None, 30)):
            session.add(
                OutboxMessage(
                    task="outbox.test", arguments={"case_id": created},
                    created_at=now - timedelta(days=created),
                    relayed_at=None if relayed is None else now - timedelta(days=relayed),
                )
            )  # fmt: skip
        for days in (91, 89):
            session.add(DigestDelivery(staff_id=world.supervisor_id, status="sent",
                                       day=today - timedelta(days=days)))  # fmt: skip

    def left() -> tuple[list[int], list[int]]:
        with unit_of_work() as session:
            kept = sorted(m.arguments["case_id"] for m in session.exec(select(OutboxMessage)))
            days = sorted((today - d.day).days for d in session.exec(select(DigestDelivery)))
        return kept, days

    celery_app.send_task("maintenance.prune_bookkeeping")
    wait_for(lambda: left()[1] == [89], 30, what="the job")
    assert left() == ([6, 30], [89])
