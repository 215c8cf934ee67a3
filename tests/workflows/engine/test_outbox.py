"""The outbox: each committed row published once — by the relay thread of the process that
committed it, or by the sweep — and nothing of a rolled-back change."""

from datetime import timedelta

from sqlalchemy import update

from core.clock import utc_now
from core.db import commit, new_session, unit_of_work
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


def test_rows_of_a_process_that_died_after_its_commit_are_swept_once_their_lease_ends(
    env, redis_server
):
    """Given three rows committed by a process that died before its relay thread ran (they
    are written claimed by that thread), when the sweep runs within their lease, then it
    leaves them (the thread may still be publishing them); once the lease has passed it
    publishes each once."""
    with new_session() as session:
        outbox.enqueue_many(
            session, "messages.send_reminder", [{"reminder_id": n} for n in (1, 2, 3)]
        )
        session.commit()  # the plain commit: no after-commit work, as if the process died here
    assert outbox.relay() == 0
    with unit_of_work() as session:  # a minute later
        session.execute(
            update(OutboxMessage).values(claimed_until=utc_now() - timedelta(seconds=1))  # type: ignore[call-overload]
        )
    assert outbox.relay() == 3
    assert outbox.relay() == 0
    assert redis_server.client().llen("messages") == 3


def test_a_rolled_back_change_relays_nothing_even_if_its_session_commits_later(env, redis_server):
    """Given a change that queued a task and was rolled back (a guard failed), when the same
    session then commits other work, then no task is published and no outbox row exists."""
    with new_session() as session:
        outbox.enqueue(session, "messages.send_reminder", reminder_id=7)
        session.rollback()
        commit(session)
    assert outbox.settle(10)
    assert redis_server.client().llen("messages") == 0
    with unit_of_work() as session:
        assert outbox.pending_count(session) == 0
