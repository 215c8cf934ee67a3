"""Scenario 4: end to end — transitions that end as emails accepted by a real SMTP server.

A caseworker's request: ``schedule_welcome_visit`` with the visit in two hours, in one unit of
work. The household's invitation and the caseworker's visit reminder (24 hours before) are due
at once, so the transaction writes them queued with their outbox rows; after the commit the
outbox is relayed to Redis; a real Celery worker (prefork, as deployed) claims each reminder,
composes the email from the database and hands it to a real SMTP server (aiosmtpd, in its own
process), which notes when it accepted it. A transition has ended when all its emails (as
many as the database says it queued) were accepted.

Throughput: N transitions issued back to back by one client; the rate is N over the time from
the first commit to the last acceptance. Latency: a steady offered load (half the measured
rate) for a while; per transition the time from its commit to the acceptance of its email.
Baseline: Celery's own end-to-end rate and latency on the same worker, Redis and machine, for a
no-op task (``bench.noop``, which only notes when it ran).
"""

import smtplib
import statistics
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from typing import Any

import redis
from sqlalchemy import event, func, select, update
from sqlmodel import Session, col

from bench.common import Context, ms, percentile
from bench.report import Row, Target
from bench.services import celery_worker, smtp_sink
from bench.smtp_sink import ACCEPTED
from bench.worker_app import NOOP_DONE
from core.clock import utc_now
from core.config import get_settings
from core.db import get_engine, new_session, unit_of_work
from models import OutboxMessage, Reminder
from workflows.engine import advance, outbox
from workflows.messaging.compose import compose

MAIL_TARGET = Target(">=", 0.6)
END_TO_END_TARGET = Target(">=", 0.5)

_commits = threading.local()


def _note_commit(_session: Session) -> None:
    _commits.at = time.time()


def plan_visit(session: Session, case_id: int, actor_id: int) -> None:
    """The request's change: the welcome visit in two hours (its invitation due at once)."""
    advance(
        session, case_id, "schedule_welcome_visit", actor_id=actor_id,
        at=utc_now() + timedelta(hours=2),
    )  # fmt: skip


def transition(case_id: int, actor_id: int) -> float:
    """One request: plan the welcome visit in two hours; returns when it committed."""
    with unit_of_work() as session:
        plan_visit(session, case_id, actor_id)
    return float(_commits.at)


def noop(number: int) -> float:
    from bench.worker_app import noop as task

    sent = time.time()
    task.apply_async(kwargs={"number": number})
    return sent


class CaseOfReminder(dict[int, int]):
    """Reminder id → case id, looked up in the database as emails arrive."""

    def __call__(self, reminder_ids: list[int]) -> None:
        unknown = [rid for rid in reminder_ids if rid not in self]
        if unknown:
            query = select(Reminder.id, Reminder.case_id).where(Reminder.id.in_(unknown))  # type: ignore[union-attr]
            with get_engine().connect() as conn:
                self.update(dict(conn.execute(query).tuples().all()))


def _arrivals(
    client: "redis.Redis[bytes]",
    key: str,
    expected: dict[int, int],
    timeout: float,
    cases: CaseOfReminder | None = None,
) -> dict[int, float]:
    """Wait until each item has its expected arrivals under ``key`` (emails are counted for
    their case); returns item → the time of its last one. Others are ignored."""
    deadline = time.monotonic() + timeout
    while True:
        entries = [item.decode().split() for item in client.lrange(key, 0, -1)]
        if cases is not None:
            cases([int(number) for number, _at in entries])
        arrived: dict[int, list[float]] = {}
        for number, at in entries:
            item = int(number) if cases is None else cases.get(int(number), 0)
            arrived.setdefault(item, []).append(float(at))
        missing = [n for n, count in expected.items() if len(arrived.get(n, ())) < count]
        if not missing:
            return {n: max(arrived[n]) for n in expected}
        if time.monotonic() > deadline:
            raise AssertionError(
                f"{len(missing)} of {len(expected)} still missing after {timeout:.0f} s"
            )  # noqa: E501
        time.sleep(0.05)


def burst(
    items: list[int],
    start: Callable[[int], float],
    client: "redis.Redis[bytes]",
    key: str,
    per_item: int = 1,
    cases: CaseOfReminder | None = None,
) -> float:
    """Back to back: the rate from the first start to the last arrival."""
    client.delete(key)
    started = [start(item) for item in items]
    expected = dict.fromkeys(items, per_item)
    arrived = _arrivals(client, key, expected, 60 + len(items) / 5, cases)
    return len(items) / (max(arrived.values()) - min(started))


def steady(
    items: list[int],
    per_second: float,
    start: Callable[[int], float],
    client: "redis.Redis[bytes]",
    key: str,
    per_item: int = 1,
    cases: CaseOfReminder | None = None,
) -> list[float]:
    """An open-loop offered load of ``per_second``; returns each item's latency."""
    client.delete(key)
    began, started = time.monotonic(), {}
    for i, item in enumerate(items):
        pause = began + i / per_second - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        started[item] = start(item)
    expected = dict.fromkeys(items, per_item)
    arrived = _arrivals(client, key, expected, 60 + len(items) / 5, cases)
    return [arrived[item] - started[item] for item in items]


def emails_of_one_transition(world: Any) -> int:
    """How many emails one ``schedule_welcome_visit`` sets off now (the product decides)."""
    case_id = world.cases(1)[0]
    before = utc_now()
    with unit_of_work() as session:
        plan_visit(session, case_id, world.caseworker_id)
    query = (
        select(func.count())
        .select_from(Reminder)
        .where(
            Reminder.case_id == case_id,
            Reminder.created_at >= before,  # type: ignore[arg-type]
            Reminder.queued_at.is_not(None),  # type: ignore[union-attr]
        )
    )
    with get_engine().connect() as conn:
        return int(conn.execute(query).scalar_one())


def queued(case_ids: list[int], actor_id: int) -> list[int]:
    """Transitions committed without the after-commit relay: their emails wait in the outbox
    (as after a broker outage: the relay thread gave their lease back) until
    ``outbox.relay()``; returns the reminders queued."""
    before = utc_now()
    for case_id in case_ids:
        with new_session() as session:
            plan_visit(session, case_id, actor_id)
            session.commit()
    with get_engine().begin() as conn:
        unrelayed = col(OutboxMessage.relayed_at).is_(None)
        conn.execute(update(OutboxMessage).where(unrelayed).values(claimed_until=None))
    query = select(Reminder.id).where(
        Reminder.case_id.in_(case_ids),  # type: ignore[attr-defined]
        Reminder.created_at >= before,  # type: ignore[arg-type]
        Reminder.queued_at.is_not(None),  # type: ignore[union-attr]
    )
    with get_engine().connect() as conn:
        return list(conn.execute(query).scalars())


def worker_mails(reminder_ids: list[int], client: "redis.Redis[bytes]") -> float:
    """The worker's rate: every queued email relayed at once, until the last is accepted."""
    client.delete(ACCEPTED)
    started = time.time()
    outbox.relay()
    arrived = _arrivals(client, ACCEPTED, dict.fromkeys(reminder_ids, 1), 120)
    return len(reminder_ids) / (max(arrived.values()) - started)


def composed(reminder_ids: list[int]) -> list[EmailMessage]:
    """The same emails as the worker sends, built beforehand."""
    settings = get_settings()
    with new_session() as session:
        return [
            compose(session, session.get_one(Reminder, reminder_id), settings)
            for reminder_id in reminder_ids
        ]


def raw_smtplib(messages: list[EmailMessage], port: int) -> float:
    """Plain smtplib on one connection: the rate of handing over the prepared emails."""
    started = time.time()
    with smtplib.SMTP("127.0.0.1", port, timeout=30) as smtp:
        for message in messages:
            smtp.send_message(message)
    return len(messages) / (time.time() - started)


def mail_rates(ctx: Context, world: Any, client: "redis.Redis[bytes]") -> tuple[float, float, int]:
    """Median of alternating rounds (AB BA …): the worker's emails/s and smtplib's."""
    per_round, rounds = ctx.size(20, 300), ctx.size(2, 4)
    ours, raw, count = [], [], 0
    for r in range(rounds):
        reminder_ids = queued(world.cases(per_round), world.caseworker_id)
        messages = composed(reminder_ids)
        count = len(reminder_ids)
        sides = [
            lambda: ours.append(worker_mails(reminder_ids, client)),  # noqa: B023
            lambda: raw.append(raw_smtplib(messages, ctx.services.smtp_port)),  # noqa: B023
        ]
        for side in sides if r % 2 == 0 else sides[::-1]:
            side()
    return statistics.median(ours), statistics.median(raw), count


def run(ctx: Context) -> list[Row]:
    from bench.world import World

    world = World()
    services, client = ctx.services, ctx.services.client()
    burst_size, seconds = ctx.size(20, 1000), ctx.size(1.0, 20.0)
    sink = smtp_sink(services).start(_env())
    worker = celery_worker(services, concurrency=2).start(_env())
    event.listen(Session, "after_commit", _note_commit)
    try:
        actor = world.caseworker_id
        emails = emails_of_one_transition(world)
        cases = iter(world.cases(burst_size + 5))
        warm = [next(cases) for _ in range(5)]
        burst(warm, lambda c: transition(c, actor), client, ACCEPTED, emails, CaseOfReminder())
        burst(list(range(5)), noop, client, NOOP_DONE)
        ctx.log(f"throughput: {burst_size} transitions back to back, then {burst_size} no-ops")
        mail_rate = burst(
            [next(cases) for _ in range(burst_size)],
            lambda c: transition(c, actor),
            client,
            ACCEPTED,
            emails,
            CaseOfReminder(),
        )
        noop_rate = burst(list(range(burst_size)), noop, client, NOOP_DONE)
        offered = max(1.0, min(mail_rate, noop_rate) / 2)
        count = int(offered * seconds)
        cases = iter(world.cases(count))
        ctx.log(f"latency: {offered:.0f}/s offered for {seconds:.0f} s, each side")
        mail = steady(
            [next(cases) for _ in range(count)],
            offered,
            lambda c: transition(c, actor),
            client,
            ACCEPTED,
            emails,
            CaseOfReminder(),
        )
        plain = steady(list(range(count)), offered, noop, client, NOOP_DONE)
        ctx.log("emails: the worker draining queued reminders, then smtplib on one connection")
        worker_rate, smtplib_rate, per_round = mail_rates(ctx, world, client)
    finally:
        event.remove(Session, "after_commit", _note_commit)
        worker.stop()
        sink.stop()
    db = ctx.db_name
    load = f"{offered:.0f}/s offered for {seconds:.0f} s ({count} each)"
    return [
        Row(
            4,
            db,
            "emails sent per second by the worker",
            f"{worker_rate:,.0f}/s",
            f"{smtplib_rate:,.0f}/s",
            worker_rate / smtplib_rate,
            MAIL_TARGET,
            note=f"median of {ctx.size(2, 4)} alternating rounds of {per_round} queued "
            "reminders relayed at once (claim, compose, send, mark; prefork, 2 processes); "
            "baseline: the same emails, composed beforehand, by plain smtplib on one connection",
        ),
        Row(
            4,
            db,
            "transitions ending as accepted emails",
            f"{mail_rate:,.0f}/s",
            f"{noop_rate:,.0f}/s",
            mail_rate / noop_rate,
            END_TO_END_TARGET,
            note=f"{burst_size} back to back, each ending as {emails} emails (the last one "
            "counts); baseline: Celery no-op tasks, same worker (prefork, 2 processes)",
        ),
        Row(
            4,
            db,
            "latency commit → SMTP accepted, p50",
            ms(percentile(mail, 0.5)),
            ms(percentile(plain, 0.5)),
            percentile(mail, 0.5) / percentile(plain, 0.5),
            note=load,
        ),
        Row(
            4,
            db,
            "latency commit → SMTP accepted, p99",
            ms(percentile(mail, 0.99)),
            ms(percentile(plain, 0.99)),
            percentile(mail, 0.99) / percentile(plain, 0.99),
        ),
    ]


def _env() -> dict[str, str]:
    import os

    return dict(os.environ)
