"""A broker that hangs (alive, not answering) never stalls a person, and loses nothing.

The change commits and the page answers at once; the relay thread meets the hang, not the
request; readiness reports the broker down; once Redis answers again the outbox sweep
publishes every task that waited.
"""

import json
from datetime import timedelta

import httpx2 as httpx
import pytest
import redis
from sqlmodel import select

from core.clock import utc_now
from core.db import unit_of_work
from models import OutboxMessage
from tests.conftest import apply_settings
from tests.services import RedisServer, wait_for
from tests.web.test_api import token_for
from workflows.engine import outbox

pytestmark = pytest.mark.slow

# Far below the 10–18 s a request took while the relay ran inside it and Redis hung.
PATIENCE = httpx.Timeout(4.0)


@pytest.fixture
def hanging_broker(env, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    broker = RedisServer(tmp_path)
    broker.start()
    monkeypatch.setenv("WILLKOMMEN_BROKER_URL", broker.url)
    env["WILLKOMMEN_BROKER_URL"] = broker.url
    apply_settings()
    yield broker
    broker.resume()
    broker.stop()


def test_staff_are_answered_and_nothing_is_lost_while_redis_hangs(
    hanging_broker, web_world, live_server
):
    """Given Redis stopped mid-life (it accepts connections, answers nothing), when staff plan
    three visits through the API, then each answer comes at once (SQLite too: the relay
    holds no transaction while it waits for Redis), readiness says the broker is
    down, and after Redis resumes the sweep publishes every waiting task exactly once."""
    cases = [web_world.open_case() for _ in range(3)]
    assert outbox.settle(30)
    with unit_of_work() as session:
        before = max(session.exec(select(OutboxMessage.id)).all(), default=0)
    hanging_broker.hang()
    at = (utc_now() + timedelta(days=2)).isoformat()
    with httpx.Client(base_url=live_server, timeout=PATIENCE) as client:
        headers = token_for(web_world, "caseworker")
        for case_id in cases:
            body = {"trigger": "schedule_welcome_visit", "at": at}
            answer = client.post(f"/api/cases/{case_id}/advance", json=body, headers=headers)
            assert answer.status_code == 200, answer.text
        ready = client.get("/readyz")
        assert ready.status_code == 503 and ready.json()["broker"] == "down"

    hanging_broker.resume()

    def every_row_relayed() -> bool:
        outbox.relay()  # the beat sweep's body, for what the relay thread gave up on
        with unit_of_work() as session:
            return outbox.pending_count(session) == 0

    wait_for(every_row_relayed, 30, what="the outbox to drain")
    with unit_of_work() as session:
        rows = session.exec(select(OutboxMessage.id).where(OutboxMessage.id > before)).all()
    assert len(rows) >= 3  # each visit: the household's invitation (due at once)
    client = redis.Redis(port=hanging_broker.port)
    queued = [
        json.loads(item)["headers"]["id"]
        for queue in ("messages", "referrals", "maintenance")
        for item in client.lrange(queue, 0, -1)
    ]
    assert {f"outbox-{row_id}" for row_id in rows} <= set(queued)
