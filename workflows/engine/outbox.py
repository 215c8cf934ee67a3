"""Work leaves after commit: effects are outbox rows written with the change, relayed to Celery.

A rolled-back transaction leaves no row, so nothing is sent. A committed row is handed to this
process's relay thread, which publishes it right away, off the request path: a broker that is
down or hangs delays the work, never the person who clicked. Whatever the thread could not
publish, the periodic ``outbox.relay`` sweep publishes once the broker is back. Relaying is
at-least-once; every task is idempotent.
"""

import logging
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kombu import Producer
from sqlalchemy import delete, func, insert, or_, update
from sqlmodel import Session, col, select

from core.celery_app import app as celery_app
from core.clock import utc_now
from core.db import after_commit, transaction_state, unit_of_work
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


Ids = int | list[int]


def _is_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def enqueue_many(session: Session, task: str, calls: Sequence[Mapping[str, Ids]]) -> list[int]:
    """Queue one ``task`` per entry of ``calls`` (each a dict of ids, or of lists of ids): one
    INSERT for all.

    Returns the outbox rows' ids. The rows are written claimed by this process's relay thread
    (a lease of :data:`CLAIM_SECONDS`), which publishes them right after the commit without a
    transaction of its own to claim them; should this process die first, the periodic sweep
    takes them once the lease has passed.
    """
    for ids in calls:
        for name, value in ids.items():
            if not (_is_id(value) or (isinstance(value, list) and all(map(_is_id, value)))):
                raise TypeError(f"outbox arguments are ids only; {name}={type(value).__name__}")
    if not calls:
        return []
    now, table = utc_now(), OutboxMessage.__table__  # type: ignore[attr-defined]
    until = now + timedelta(seconds=CLAIM_SECONDS)
    rows = [
        {
            "task": task,
            "arguments": dict(ids),
            "created_at": now,
            "attempts": 0,
            "claimed_until": until,
        }
        for ids in calls
    ]
    # A Core INSERT … VALUES (…), (…) RETURNING id: SQLite's ORM flush would send one per row.
    created = list(session.execute(insert(table).values(rows).returning(table.c.id)).scalars())
    pending: list[_Claimed] = transaction_state(session).setdefault("outbox", [])
    pending.extend(
        _Claimed(row_id, task, dict(ids))  # type: ignore[arg-type]
        for row_id, ids in zip(created, calls, strict=True)
    )
    after_commit(session, lambda: _relayer.submit(pending), key="outbox")
    return created


# How long a relay may take to publish what it claimed before another may try: longer than
# the broker's socket timeouts and publish retries together.
CLAIM_SECONDS = 60


@dataclass(frozen=True)
class _Claimed:
    id: int
    task: str
    arguments: dict[str, int]


class _Relayer:
    """One daemon thread per process that relays the rows this process committed, so no
    caller waits on Redis.

    Rows committed while it is busy are relayed together in its next round. Started on first
    use in each process (a forked worker child starts its own).
    """

    def __init__(self) -> None:
        self._rows: list[_Claimed] = []
        self._busy = 0
        self._lock = threading.Condition()
        self._pid: int | None = None

    def submit(self, rows: Sequence[_Claimed]) -> None:
        if not rows:
            return
        with self._lock:
            if self._pid != os.getpid():  # first use here, or a fork: the thread is not ours
                self._pid, self._rows, self._busy = os.getpid(), [], 0
                threading.Thread(target=self._run, name="outbox-relay", daemon=True).start()
            self._rows.extend(rows)
            self._busy += 1
            self._lock.notify_all()

    def settle(self, timeout: float) -> bool:
        """Wait until everything submitted so far was relayed (or given up); False on timeout."""
        with self._lock:
            return self._lock.wait_for(lambda: self._busy == 0, timeout)

    def _run(self) -> None:
        while True:
            with self._lock:
                self._lock.wait_for(lambda: bool(self._rows))
                rows, self._rows, rounds = self._rows, [], self._busy
            relay_quietly(rows)
            with self._lock:
                self._busy -= rounds
                self._lock.notify_all()


_relayer = _Relayer()


def settle(timeout: float = 10.0) -> bool:
    """Wait (at most ``timeout`` seconds) for this process's relay thread to finish its work:
    for a command that exits right after its commit, and for tests."""
    return _relayer.settle(timeout)


def relay_quietly(rows: list[_Claimed]) -> None:
    """Publish rows this process committed (claimed with them), then mark them, a batch at a
    time; a broker outage only delays the work (the sweep takes what is left), never fails
    it."""
    try:
        for start in range(0, len(rows), PUBLISH_BATCH):
            batch, rest = rows[start : start + PUBLISH_BATCH], rows[start + PUBLISH_BATCH :]
            done, error = _publish(batch)
            with unit_of_work() as session:
                _mark(session, batch, done, error)
                if done < len(batch) and rest:
                    _release(session, [row.id for row in rest])
            if done < len(batch):
                return
    except Exception:  # noqa: BLE001 - the sweep retries; the change itself is committed
        log.warning("outbox relay after commit failed; %d message(s) wait for the sweep", len(rows))


# Rows the relay thread publishes and marks together (as a sweep's batch).
PUBLISH_BATCH = 500


def relay(ids: Sequence[int] | None = None, *, batch_size: int = 500) -> int:
    """Publish unrelayed outbox rows (these ``ids``, or all) to the broker; returns how many.

    Each batch is claimed and marked in two short transactions; publishing happens between
    them, outside any transaction, so a slow or hanging broker holds no lock that staff wait for
    (SQLite has one write lock for the whole database). A batch shorter than ``batch_size`` was
    the last: no further transaction only to find nothing.
    """
    relayed = 0
    while True:
        with unit_of_work() as session:
            rows = _claim(session, ids, batch_size)
        if not rows:
            return relayed
        done, error = _publish(rows)
        with unit_of_work() as session:
            _mark(session, rows, done, error)
        relayed += done
        if done < len(rows):  # the broker failed: the rest waits for the next relay
            return relayed
        if len(rows) < batch_size:
            return relayed


def _claim(session: Session, ids: Sequence[int] | None, limit: int) -> list[_Claimed]:
    """Up to ``limit`` unclaimed rows, claimed for :data:`CLAIM_SECONDS` in one statement
    (``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING``), oldest first."""
    now = utc_now()
    unclaimed = or_(
        col(OutboxMessage.claimed_until).is_(None), col(OutboxMessage.claimed_until) < now
    )
    query = select(OutboxMessage.id).where(col(OutboxMessage.relayed_at).is_(None), unclaimed)
    if ids is not None:
        query = query.where(col(OutboxMessage.id).in_(list(ids)))
    # Two relays at once (the thread and the sweep) take disjoint rows on PostgreSQL; SQLite
    # transactions are serialised by BEGIN IMMEDIATE.
    query = query.order_by(col(OutboxMessage.id)).limit(limit).with_for_update(skip_locked=True)
    claim = (
        update(OutboxMessage)
        .where(col(OutboxMessage.id).in_(query.scalar_subquery()))
        .values(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        .returning(col(OutboxMessage.id), col(OutboxMessage.task), col(OutboxMessage.arguments))
    )
    found = session.execute(claim, execution_options={"synchronize_session": False}).all()
    rows = [_Claimed(row_id, task, dict(args)) for row_id, task, args in found]
    return sorted(rows, key=lambda row: row.id)  # RETURNING keeps no order


def _publish(rows: list[_Claimed]) -> tuple[int, str | None]:
    """Send ``rows`` through one producer, a pipeline per chunk; stop at the first failure.

    Returns how many were sent and the error that stopped the rest. Part of a failed pipeline
    may have reached Redis: those tasks arrive twice, which at-least-once delivery and
    idempotent tasks allow.
    """
    done = 0
    try:
        with celery_app.producer_or_acquire() as producer:
            for start in range(0, len(rows), PIPELINE_ROWS):
                chunk = rows[start : start + PIPELINE_ROWS]
                _send_in_one_pipeline(producer, chunk)
                done += len(chunk)
    except Exception as exc:  # noqa: BLE001 - any broker failure: keep the rest for later
        log.warning("broker unreachable; outbox message %s and later stay pending", rows[done].id)
        return done, _describe(exc)[:300]
    return done, None


def _mark(session: Session, rows: list[_Claimed], done: int, error: str | None) -> None:
    """The sent rows are relayed; the first unsent one records the error; all are released."""
    now, ids = utc_now(), [row.id for row in rows]
    sent = ids[:done]
    if sent:
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_(sent))
            .values(relayed_at=now, claimed_until=None)
        )
    if done < len(ids):
        _release(session, ids[done:])
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id) == ids[done])
            .values(attempts=OutboxMessage.attempts + 1, last_error=error)
        )


def _release(session: Session, ids: Sequence[int]) -> None:
    """Give up the claim on rows not published: the next relay may take them at once."""
    session.execute(
        update(OutboxMessage).where(col(OutboxMessage.id).in_(list(ids))).values(claimed_until=None)
    )


def _send_in_one_pipeline(producer: Producer, rows: list[_Claimed]) -> None:
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


def prune(before: datetime, *, batch_size: int = 10_000) -> int:
    """Delete rows relayed before ``before``, a batch per transaction (a backlog of millions
    never holds a long lock); rows not yet relayed stay whatever their age. Returns how many
    went."""
    gone = 0
    while True:
        with unit_of_work() as session:
            batch = (
                select(OutboxMessage.id)
                .where(col(OutboxMessage.relayed_at) < before)
                .order_by(col(OutboxMessage.id))
                .limit(batch_size)
            )
            ids = list(session.exec(batch))
            if ids:
                session.execute(delete(OutboxMessage).where(col(OutboxMessage.id).in_(ids)))
        gone += len(ids)
        if len(ids) < batch_size:
            return gone
