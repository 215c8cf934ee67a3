"""Work leaves after commit: effects are outbox rows written with the change, relayed to Celery.

A rolled-back transaction leaves no row, so nothing is sent. A committed row is relayed right
after the commit, or, if the broker was unreachable then, by the periodic ``outbox.relay`` sweep
once it is back. Relaying is at-least-once; every task is idempotent.
"""

import logging
from collections.abc import Sequence

from kombu import Producer
from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from core.celery_app import app as celery_app
from core.clock import utc_now
from core.db import after_commit, unit_of_work
from models import OutboxMessage

log = logging.getLogger(__name__)

# Rows per Redis pipeline: few round trips, and little sent twice when a pipeline fails.
PIPELINE_ROWS = 100
# Redis commands per task at most: the message (LPUSH), its task-sent event (PUBLISH), and one
# PEXPIRE per priority step (4) for a queue with an expiry.
COMMANDS_PER_TASK = 6


def enqueue(session: Session, task: str, **ids: int) -> int:
    """Queue ``task`` to run once this transaction commits. Arguments are ids, never names."""
    return enqueue_many(session, task, [ids])[0]


def enqueue_many(session: Session, task: str, calls: Sequence[dict[str, int]]) -> list[int]:
    """Queue one ``task`` per entry of ``calls`` (each a dict of ids): one INSERT for all.

    Returns the outbox rows' ids; they are relayed right after the commit.
    """
    for ids in calls:
        for name, value in ids.items():
            if not isinstance(value, int) or isinstance(value, bool):
                raise TypeError(f"outbox arguments are ids only; {name}={type(value).__name__}")
    if not calls:
        return []
    now, table = utc_now(), OutboxMessage.__table__  # type: ignore[attr-defined]
    rows = [
        {"task": task, "arguments": dict(ids), "created_at": now, "attempts": 0} for ids in calls
    ]
    # A Core INSERT … VALUES (…), (…) RETURNING id: SQLite's ORM flush would send one per row.
    created = list(session.execute(insert(table).values(rows).returning(table.c.id)).scalars())
    pending: list[int] = session.info.setdefault("outbox_ids", [])
    pending.extend(created)
    after_commit(session, lambda: relay_quietly(pending), key="outbox")
    return created


def relay_quietly(ids: Sequence[int]) -> None:
    """Relay right after a commit; a broker outage only delays the work, never fails it."""
    try:
        relay(ids)
    except Exception:  # noqa: BLE001 - the sweep retries; the change itself is committed
        log.warning("outbox relay after commit failed; %d message(s) wait for the sweep", len(ids))


def relay(ids: Sequence[int] | None = None, *, batch_size: int = 500) -> int:
    """Publish unrelayed outbox rows (these ``ids``, or all) to the broker; returns how many."""
    relayed = 0
    while True:
        with unit_of_work() as session:
            rows = _claim(session, ids, batch_size)
            if not rows:
                return relayed
            done = _publish(rows)
            relayed += done
        if done < len(rows) or ids is not None:
            return relayed


def _claim(session: Session, ids: Sequence[int] | None, limit: int) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(col(OutboxMessage.relayed_at).is_(None))
    if ids is not None:
        query = query.where(col(OutboxMessage.id).in_(list(ids)))
    # Two relays at once (after-commit and sweep) take disjoint rows on PostgreSQL; SQLite
    # transactions are serialised by BEGIN IMMEDIATE.
    query = query.order_by(col(OutboxMessage.id)).limit(limit).with_for_update(skip_locked=True)
    return list(session.exec(query))


def _publish(rows: list[OutboxMessage]) -> int:
    """Send ``rows`` through one producer, a pipeline per chunk; a failed chunk stays pending.

    A chunk is marked relayed only once its pipeline ran; if it fails, its first row records the
    error, and it and every later row wait for the next relay. Part of a failed pipeline may
    have reached Redis: those tasks arrive twice, which at-least-once delivery and idempotent
    tasks allow.
    """
    now, done = utc_now(), 0
    try:
        with celery_app.producer_or_acquire() as producer:
            for start in range(0, len(rows), PIPELINE_ROWS):
                chunk = rows[start : start + PIPELINE_ROWS]
                _send_in_one_pipeline(producer, chunk)
                for row in chunk:
                    row.relayed_at = now
                done += len(chunk)
    except Exception as exc:  # noqa: BLE001 - any broker failure: keep the rest for later
        failed = rows[done]
        failed.attempts += 1
        failed.last_error = _describe(exc)[:300]
        log.warning("broker unreachable; outbox message %s and later stay pending", failed.id)
    return done


def _send_in_one_pipeline(producer: Producer, rows: list[OutboxMessage]) -> None:
    """Publish ``rows`` as tasks in one Redis round trip on one client; raise if it failed.

    kombu's ``Producer.batch`` buffers the Redis commands of each task (the message and its
    ``task-sent`` event, which Flower lists) instead of a new Redis client and two round trips
    per task. A transport that cannot batch publishes one by one inside it, as before.
    """
    # Room for every command, so the pipeline is never sent in parts.
    with producer.batch(max_size=COMMANDS_PER_TASK * len(rows)):
        for row in rows:
            celery_app.send_task(
                row.task, kwargs=row.arguments, task_id=f"outbox-{row.id}", producer=producer
            )


def _describe(exc: BaseException) -> str:
    """The error and what caused it: a failed pipeline names the Redis error beneath."""
    text = f"{type(exc).__name__}: {exc}"
    if exc.__cause__ is not None:
        text += f" ({_describe(exc.__cause__)})"
    return text


def pending_count(session: Session) -> int:
    """How many effects wait for the broker."""
    query = (
        select(func.count())
        .select_from(OutboxMessage)
        .where(col(OutboxMessage.relayed_at).is_(None))
    )
    return session.exec(query).one()
