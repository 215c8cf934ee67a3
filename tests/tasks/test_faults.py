"""Failure paths with the real parts: Redis down, duplicate delivery, SMTP down, a killed worker."""

import base64
import json
import socket
import threading

import pytest
from celery.signals import after_task_publish
from sqlmodel import select

from core.clock import utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import Case, OutboxMessage, Reminder
from models.enums import PartnerCategory
from tests.conftest import apply_settings
from tests.helpers import in_hours, pass_time, reminders, signed, step
from tests.services import RedisServer, SmtpServer, wait_for
from workflows import consent
from workflows.engine import outbox
from workflows.engine import reminders as reminder_service
from workflows.messaging.compose import message_id
from workflows.messaging.resend import NotFailed, resend

pytestmark = pytest.mark.slow

# The household has no email address here, so its messages (welcome information, invitations)
# fail at once without the mail server and the faults below concern the caseworker's reminder.
NO_EMAIL = {"email": None}


def visit_reminders(case_id: int) -> list[Reminder]:
    return [r for r in reminders(case_id) if r.kind == "visit"]


def outbox_row_of(reminder_id: int) -> OutboxMessage:
    with unit_of_work() as session:
        rows = session.exec(select(OutboxMessage)).all()
    (row,) = [row for row in rows if row.arguments == {"reminder_id": reminder_id}]
    return row


def test_redis_down_at_commit_delivers_once_when_it_is_back(
    world, smtp, start_worker, tmp_path, monkeypatch, env
):
    """Given the broker is down when a caseworker plans a visit,
    when the change commits and Redis comes back later,
    then the reminder email is delivered exactly once by the outbox sweep."""
    broker = RedisServer(tmp_path)
    broker.start()
    monkeypatch.setenv("WILLKOMMEN_BROKER_URL", broker.url)
    apply_settings()
    start_worker(
        beat=True,
        WILLKOMMEN_BROKER_URL=broker.url,
        WILLKOMMEN_RELAY_INTERVAL_SECONDS="1",
        WILLKOMMEN_DISPATCH_INTERVAL_SECONDS="1",
    )
    case_id = world.open_case(**NO_EMAIL)
    # Intake's own message (the household's welcome information) is handled and acknowledged
    # before the broker goes: the fault under test is at the next commit.
    wait_for(
        lambda: (
            {r.status for r in reminders(case_id)} & {"queued", "sending"} == set()
            and broker.client().hlen("unacked") == 0
        ),
        what="intake's message to be handled",
    )
    broker.stop()
    try:
        step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(2))
        assert outbox.settle(30)  # the relay thread tried, and failed, after the commit
        with unit_of_work() as session:
            rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        pending = [m for m in rows if m.relayed_at is None]  # intake's message went out before
        assert len(pending) == 2  # committed, waiting for the broker: reminder and invitation
        assert pending[0].attempts == 1 and pending[0].last_error
        with pytest.raises(AssertionError):
            smtp.wait_for_messages(1, timeout=2)
    finally:
        broker.start()
    smtp.wait_for_messages(1, timeout=30)
    with pytest.raises(AssertionError):
        smtp.wait_for_messages(2, timeout=4)
    assert [r.status for r in visit_reminders(case_id)] == ["sent"]
    broker.stop()


def test_redis_lost_mid_relay_sends_every_task_once(env, tmp_path, monkeypatch):
    """Given eight committed effects relayed three to a Redis pipeline, when Redis shuts down
    (saving its data) after the first pipeline and comes back, then the first three are marked
    relayed, the fourth records the error and it and the rest stay pending, and the next sweep
    brings the queue to every task exactly once."""
    broker = RedisServer(tmp_path)
    broker.start()
    monkeypatch.setenv("WILLKOMMEN_BROKER_URL", broker.url)
    apply_settings()
    monkeypatch.setattr(outbox, "PIPELINE_ROWS", 3)
    buffered: list[str] = []

    def shut_down_in_second_pipeline(headers: dict, **_: object) -> None:
        buffered.append(headers["id"])
        if len(buffered) == 4:  # the second pipeline has begun, the first reached Redis
            broker.client().shutdown(save=True)
            broker.stop()

    after_task_publish.connect(shut_down_in_second_pipeline, weak=False)
    try:
        with unit_of_work() as session:  # the relay right after this commit meets the fault
            calls = [{"reminder_id": n} for n in range(8)]
            ids = outbox.enqueue_many(session, "messages.send_reminder", calls)
        assert outbox.settle(30)
    finally:
        after_task_publish.disconnect(shut_down_in_second_pipeline)
    with unit_of_work() as session:
        rows = session.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        assert [row.relayed_at is not None for row in rows] == [True] * 3 + [False] * 5
        assert [row.attempts for row in rows] == [0] * 3 + [1] + [0] * 4
        assert "ConnectionError" in rows[3].last_error
    broker.start()
    try:
        assert outbox.relay() == 5
        queued = [
            json.loads(item)["headers"]["id"] for item in broker.client().lrange("messages", 0, -1)
        ]
        assert sorted(queued) == sorted(f"outbox-{row_id}" for row_id in ids)
        with unit_of_work() as session:
            assert outbox.pending_count(session) == 0
    finally:
        broker.stop()


def test_task_delivered_twice_sends_one_email(world, smtp, start_worker):
    """Given a reminder whose send task reaches the workers twice (relay crashed before it
    recorded the first publish), when both deliveries run, then one email is sent."""
    start_worker()
    case_id = world.open_case(**NO_EMAIL)
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(2))
    smtp.wait_for_messages(1)
    row_id = outbox_row_of(visit_reminders(case_id)[0].id).id
    with unit_of_work() as session:
        message = session.get(OutboxMessage, row_id)
        message.relayed_at = None  # as if the relay had died between publish and bookkeeping
    for _ in range(3):
        outbox.relay([row_id])
        with unit_of_work() as session:
            session.get(OutboxMessage, row_id).relayed_at = None
    with pytest.raises(AssertionError):
        smtp.wait_for_messages(2, timeout=4)
    (reminder,) = visit_reminders(case_id)
    assert (reminder.status, reminder.attempts) == ("sent", 1)


def test_smtp_down_retries_then_fails_visibly(world, start_worker):
    """Given no SMTP server answers, when a reminder is due,
    then the worker tries three times with backoff and the reminder ends as failed on the case."""
    worker = start_worker()
    case_id = world.open_case(**NO_EMAIL)
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(2))
    wait_for(lambda: visit_reminders(case_id)[0].status == "failed", 30, what="failed reminder")
    (reminder,) = visit_reminders(case_id)
    assert reminder.attempts == 3
    assert "SMTP" in reminder.last_error
    assert worker.log.count("sending failed") == 3


def test_a_failed_reminder_resent_once_the_mail_server_is_back_arrives_once(
    world, start_worker, monkeypatch, env
):
    """Given a visit reminder that failed because no mail server answered, when the server is
    back and the caseworker sends it again (twice, impatiently), then it arrives exactly once,
    with the Message-ID it always had."""
    without_mail = start_worker()
    case_id = world.open_case(**NO_EMAIL)
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(2))
    wait_for(lambda: visit_reminders(case_id)[0].status == "failed", 30, what="failed reminder")
    (failed,) = visit_reminders(case_id)
    without_mail.stop()
    server = SmtpServer()
    server.start()
    try:
        monkeypatch.setenv("WILLKOMMEN_SMTP_PORT", str(server.port))
        start_worker(WILLKOMMEN_SMTP_PORT=str(server.port))
        for _ in range(2):
            try:
                with unit_of_work() as session:
                    resend(session, failed.id, actor_id=world.caseworker_id)
            except NotFailed:
                pass  # the second press: it is on its way already
        (mail,) = server.wait_for_messages(1, timeout=30)
        with pytest.raises(AssertionError):
            server.wait_for_messages(2, timeout=4)
        assert mail["Message-ID"] == message_id(failed.id, get_settings())
        wait_for(lambda: visit_reminders(case_id)[0].status == "sent", 20, what="marked sent")
    finally:
        server.stop()


class FlakySmtp(SmtpServer):
    """Answers the first message with a temporary error (451), then accepts."""

    def __init__(self) -> None:
        super().__init__()
        inner = self.inbox.handle_DATA
        self.refused = 0

        async def handle_data(server, session, envelope):  # type: ignore[no-untyped-def]
            if self.refused == 0:
                self.refused += 1
                return "451 Try again later"
            return await inner(server, session, envelope)

        self.inbox.handle_DATA = handle_data  # type: ignore[method-assign]


def test_temporary_smtp_error_is_retried_and_then_sent(world, start_worker, monkeypatch, env):
    """Given the mail server refuses once for now (451), when a reminder is sent,
    then the retry delivers it and the reminder records two attempts."""
    flaky = FlakySmtp()
    flaky.start()
    try:
        start_worker(WILLKOMMEN_SMTP_PORT=str(flaky.port))
        case_id = world.open_case(**NO_EMAIL)
        step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(2))
        flaky.wait_for_messages(1)
        wait_for(lambda: visit_reminders(case_id)[0].status == "sent", what="sent reminder")
        assert visit_reminders(case_id)[0].attempts == 2
        assert flaky.refused == 1
    finally:
        flaky.stop()


def test_two_dispatchers_at_once_queue_each_reminder_once(world, env):
    """Given 12 due reminders, when two dispatch sweeps run at the same moment,
    then every reminder is queued exactly once."""
    case_ids = [world.open_case(family_name=f"Test{i}") for i in range(6)]
    pass_time(40)  # registration reminders and escalations are due now
    with unit_of_work() as session:
        due = session.exec(select(Reminder).where(Reminder.status == "scheduled")).all()
        due_ids = sorted(r.id for r in due if r.due_at <= utc_now())
        queued_at_intake = {m.id for m in session.exec(select(OutboxMessage))}
    barrier = threading.Barrier(2)
    counts: list[int] = []

    def sweep() -> None:
        barrier.wait()
        with unit_of_work() as session:
            counts.append(reminder_service.dispatch_due(session, utc_now(), get_settings()))

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(due_ids) >= 12 and sum(counts) == len(due_ids)
    with unit_of_work() as session:
        rows = session.exec(select(OutboxMessage)).all()
        sent_for = [
            reminder_id
            for m in rows
            if m.id not in queued_at_intake
            for reminder_id in m.arguments.get("reminder_ids", [m.arguments.get("reminder_id")])
        ]
    assert sorted(sent_for) == due_ids  # escalations among them in one bundle per sweep
    assert len(case_ids) == 6


def test_killed_worker_does_not_lose_the_reminder(world, smtp, start_worker, env):
    """Given a worker is killed while it talks to a mail server that hangs,
    when a new worker starts, then the reminder is still delivered, exactly once."""
    tarpit = socket.socket()
    tarpit.bind(("127.0.0.1", 0))
    tarpit.listen(8)  # accepts connections, never greets: the send hangs
    fast = {
        "WILLKOMMEN_BROKER_VISIBILITY_TIMEOUT_SECONDS": "2",
        "WILLKOMMEN_SENDING_LEASE_SECONDS": "3",
        "WILLKOMMEN_DISPATCH_INTERVAL_SECONDS": "1",
        "WILLKOMMEN_SMTP_TIMEOUT_SECONDS": "60",
    }
    hung = start_worker(WILLKOMMEN_SMTP_PORT=str(tarpit.getsockname()[1]), **fast)
    case_id = world.open_case(**NO_EMAIL)
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(2))
    wait_for(lambda: visit_reminders(case_id)[0].status == "sending", what="the send to start")
    hung.kill()
    tarpit.close()
    start_worker(beat=True, **fast)
    smtp.wait_for_messages(1, timeout=40)
    with pytest.raises(AssertionError):
        smtp.wait_for_messages(2, timeout=4)
    (reminder,) = visit_reminders(case_id)
    assert reminder.status == "sent"


PERSONAL = ["Amal", "Omar", "Haddad", "Evinger", "familie.haddad", "123456", "1986", "2016"]


def test_no_personal_data_in_task_messages_or_worker_logs(world, smtp, start_worker, redis_server):
    """Given a journey with a referral and reminders, when its messages pass the broker,
    then no message body or header, and no worker log line, carries personal data."""
    case_id = world.open_case()
    with unit_of_work() as session:
        household_id = session.get(Case, case_id).household_id
        consent.grant(
            session,
            household_id,
            PartnerCategory.ENERGY_ADVICE,
            actor_id=world.caseworker_id,
            evidence=signed(),
        )
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(2))
    step(case_id, "refer_energy", world.caseworker_id)
    assert outbox.settle(30)  # the relay thread has published what the commits left
    client = redis_server.client()
    raw = [
        item
        for queue in ("messages", "referrals", "maintenance")
        for item in client.lrange(queue, 0, -1)
    ]
    # All waited in the broker, nothing consumed them yet: the household's welcome information
    # and invitation, the caseworker's reminder, the referral.
    assert len(raw) == 4
    for item in raw:
        envelope = json.loads(item)
        body = json.loads(base64.b64decode(envelope["body"]))
        args, kwargs, _embed = body
        assert args == [] and set(kwargs) == {"reminder_id"}
        text = item.decode() + json.dumps(body)
        assert not [word for word in PERSONAL if word in text]
    worker = start_worker()
    smtp.wait_for_messages(2)
    assert not [word for word in PERSONAL if word in worker.log]
