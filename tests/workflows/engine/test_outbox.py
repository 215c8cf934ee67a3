"""The relay thread publishes everything one commit queued, however many rows that is."""

from core.db import unit_of_work
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
