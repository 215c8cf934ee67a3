"""Pooled PostgreSQL connections: one the server dropped while it sat idle in the pool (a
restart, a failover, an idle timeout) is replaced before use, and one in steady use is handed
out without the extra round trip a ping on every checkout would cost."""

import time
from typing import Any

import psycopg
import pytest
from sqlalchemy import Engine

import core.db
from core.config import get_settings
from tests.services import postgres_admin_url


def engine_for(url: str, monkeypatch: pytest.MonkeyPatch, idle_seconds: float) -> Engine:
    settings = get_settings().model_copy(update={"db_ping_after_idle_seconds": idle_seconds})
    monkeypatch.setattr(core.db, "get_settings", lambda: settings)
    return core.db.make_engine(url)


def backend(engine: Engine) -> tuple[int, dict[str, Any]]:
    """The server process behind the pooled connection handed out, and its pool record."""
    with engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()
        return pid, dict(connection.connection.info)


def test_a_connection_dropped_while_idle_is_replaced_before_use(postgres_url, monkeypatch):
    """Given a pooled connection whose server process is terminated while it sits idle, when
    the next unit of work takes a connection, then it gets a working one (another process)
    instead of an error."""
    engine = engine_for(postgres_url, monkeypatch, idle_seconds=0.2)
    try:
        first, _ = backend(engine)
        with psycopg.connect(postgres_admin_url(), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (first,))
        time.sleep(0.3)
        second, _ = backend(engine)
        assert second != first
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(postgres_url, monkeypatch):
    """Given a pool, when connections are taken one after another, then none is tried first;
    once one sat idle past the limit, it is tried once before use."""
    engine = engine_for(postgres_url, monkeypatch, idle_seconds=0.5)
    try:
        pids = {backend(engine)[0] for _ in range(20)}
        _, info = backend(engine)
        assert len(pids) == 1 and info.get("pings", 0) == 0
        time.sleep(0.6)
        _, info = backend(engine)
        assert info["pings"] == 1
    finally:
        engine.dispose()
