"""Scenario 3: outbox relay — effects relayed to Redis per second against plain ``apply_async``.

Engine side: ``workflows.engine.outbox.relay()``, the ``outbox.relay`` sweep's body, on a table of
pending outbox rows (what committed transitions left behind): it claims them in batches,
publishes each as a ``messages.send_reminder`` task through one producer, 100 tasks to a Redis
pipeline (kombu's ``Producer.batch``), and marks them relayed, one transaction per batch.
Baseline: a plain loop of ``tasks.messages.send_reminder.apply_async(kwargs=...)`` with the same
Celery app and configuration, to the same Redis, in the same run; it is how code without an
outbox sends tasks: per task two publishes (the message and its ``task-sent`` event), each on
a freshly built Redis client. The ratio is therefore the relay against that ordinary way, not
against an ``apply_async`` loop someone wrapped in ``Producer.batch`` too. Redis is emptied
between rounds (untimed).
"""

from sqlalchemy import func, insert, select

from bench.common import Context, side_by_side
from bench.report import Row, Target
from core.clock import utc_now
from core.db import get_engine
from models import OutboxMessage
from workflows.engine import outbox

TARGET = Target(">=", 1.0)
TASK = "messages.send_reminder"


def pending_rows(first: int, count: int) -> None:
    """``count`` committed, not yet relayed effects (reminder ids from ``first`` on)."""
    now = utc_now()
    rows = [
        {"task": TASK, "arguments": {"reminder_id": first + i}, "created_at": now, "attempts": 0}
        for i in range(count)
    ]
    with get_engine().begin() as conn:
        conn.execute(insert(OutboxMessage), rows)


def apply_async_loop(first: int, count: int) -> None:
    from tasks.messages import send_reminder

    for i in range(first, first + count):
        send_reminder.apply_async(kwargs={"reminder_id": i})


def _pending() -> int:
    with get_engine().connect() as conn:
        query = (
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.relayed_at.is_(None))
        )  # type: ignore[union-attr]
        return int(conn.execute(query).scalar_one())


def run(ctx: Context) -> list[Row]:
    per_round, rounds = ctx.size(1000, 10000), ctx.size(2, 6)
    redis = ctx.services.client()
    relayed = [0]

    def engine(r: int) -> None:
        relayed[0] += outbox.relay()

    def bare(r: int) -> None:
        apply_async_loop(r * per_round, per_round)

    # Warm both paths (connections, producer pool, statement caches), then fill and measure.
    pending_rows(0, 10)
    outbox.relay()
    apply_async_loop(0, 10)

    def prepare(r: int) -> None:
        if r > 0:
            check(redis.llen("messages"))
        pending_rows(r * per_round, per_round)
        ctx.services.flush_redis()

    def check(published: int) -> None:
        if published != 2 * per_round:
            raise AssertionError(f"expected {2 * per_round} messages in Redis, found {published}")

    subject, baseline = side_by_side(rounds, engine, bare, prepare)
    check(redis.llen("messages"))
    if _pending() != 0 or relayed[0] != rounds * per_round:
        raise AssertionError(f"relayed {relayed[0]} of {rounds * per_round}")
    count = rounds * per_round
    return [
        Row(
            3,
            ctx.db_name,
            "effects relayed to Redis per second",
            f"{count / subject:,.0f}/s",
            f"{count / baseline:,.0f}/s",
            baseline / subject,
            TARGET,
            note=f"relay() {subject / count * 1e6:.0f} µs vs apply_async "
            f"{baseline / count * 1e6:.0f} µs per message; {count:,} messages each",
        )
    ]
