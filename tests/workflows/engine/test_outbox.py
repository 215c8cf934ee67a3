"""The relay thread publishes everything one commit queued, however many rows that is."""

from sqlalchemy import update

from core.db import unit_of_work
from models import OutboxMessage
from workflows.engine import outbox


def test_one_commit_with_more_rows_than_a_batch_is_relayed_whole(env, redis_server):
    """Given one change that queues 600 tasks (a sweep after an outage; a batch is 500), when it
    commits, then the relay thread publishes all 600 at once instead of leaving 100 to the
    next sweep."""
    with unit_of_work() as session:
        outbox.enqueue_many(
            session, "messages.send_reminder", [{"reminder_id": n} for n in range(1, 601)]
        )
    assert outbox.settle(60)
    with unit_of_work() as session:
        assert outbox.pending_count(session) == 0
    assert redis_server.client().llen("messages") == 600


def test_two_relays_at_once_claim_different_rows_and_none_twice(env, database_url):
    """Given ten queued tasks, when the relay thread and the sweep claim at the same moment
    (PostgreSQL: both transactions open), then each gets rows the other did not, the second
    never waits for the first, and rows claimed and committed are not claimed again while
    their claim lasts (SQLite serialises the two: the second finds nothing)."""
    with unit_of_work() as session:
        queued = outbox.enqueue_many(
            session, "messages.send_reminder", [{"reminder_id": n} for n in range(1, 11)]
        )
    assert outbox.settle(30)
    with unit_of_work() as session:  # un-relay them: as if the broker had been down
        session.execute(
            update(OutboxMessage).values(relayed_at=None, claimed_until=None)  # type: ignore[call-overload]
        )

    with unit_of_work() as first:
        mine = outbox._claim(first, None, 4)
        if database_url.startswith("postgresql"):
            with unit_of_work() as second:
                theirs = outbox._claim(second, None, 100)
            assert [row.id for row in theirs] == queued[4:]
    assert [row.id for row in mine] == queued[:4]
    with unit_of_work() as later:
        left = [row.id for row in outbox._claim(later, None, 100)]
    # PostgreSQL: the second relay holds the rest. SQLite: it never ran; the rest is free.
    assert left == ([] if database_url.startswith("postgresql") else queued[4:])
