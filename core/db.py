"""The database engine and the unit of work: commit at the edges, never inside a service."""

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlmodel import Session

from core.config import get_settings

_engine: Engine | None = None

AfterCommit = Callable[[], None]
T = TypeVar("T")
log = logging.getLogger(__name__)


def make_engine(url: str) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and write-locking transactions."""
    settings = get_settings()
    pool: dict[str, Any] = {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_seconds,
        "pool_recycle": settings.db_pool_recycle_seconds,
    }
    if not url.startswith("sqlite"):
        engine = create_engine(url, **pool)
        _ping_when_idle(engine, settings.db_ping_after_idle_seconds)
        return engine
    path = url.split("///", 1)[-1]
    if path and path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **pool)
    event.listen(engine, "connect", _sqlite_on_connect)
    # Every transaction takes SQLite's write lock up front, so two writers queue (busy timeout)
    # instead of one of them failing halfway with "database is locked" when it upgrades.
    event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """A connection the server dropped while it sat in the pool (a restart, a failover, an
    idle timeout) is replaced, not handed out: one idle ``idle_seconds`` or longer is tried
    first. Unlike ``pool_pre_ping`` this costs no round trip for a connection in steady use;
    ``info["pings"]`` counts the tries (tests, diagnosis)."""

    def checked_in(_dbapi: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    def checked_out(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < idle_seconds:
            return  # new, or in steady use
        record.info["pings"] = record.info.get("pings", 0) + 1
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
        except Exception as exc:  # the server is gone for this connection: take another
            raise DisconnectionError(str(exc)) from exc
        finally:
            with suppress(Exception):
                cursor.close()

    event.listen(engine, "checkin", checked_in)
    event.listen(engine, "checkout", checked_out)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # let the "begin" listener issue BEGIN
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def get_engine() -> Engine:
    """The process-wide engine for the configured database URL."""
    global _engine
    if _engine is None:
        _engine = make_engine(get_settings().resolved_database_url)
    return _engine


# What a process keeps of one database's rows (immutable revisions read once): forgotten when
# the engine is, since another database may give out the same ids.
_KEPT: list[Callable[[], None]] = []


def forget_on_reset(forget: Callable[[], None]) -> None:
    """Call ``forget`` whenever the engine is reset (another database may follow)."""
    _KEPT.append(forget)


def reset_engine() -> None:
    """Forget the engine (after the settings changed, e.g. in tests or a CLI option)."""
    global _engine
    if _engine is not None:
        _engine.dispose()
    _engine = None
    for forget in _KEPT:
        forget()


def after_commit(session: Session, callback: AfterCommit, key: str) -> None:
    """Run ``callback`` once after ``session`` commits (:func:`commit`); never when it rolls
    back: a rollback forgets it."""
    callbacks: dict[str, AfterCommit] = session.info.setdefault("after_commit", {})
    callbacks.setdefault(key, callback)


def transaction_state(session: Session) -> dict[str, Any]:
    """What one piece of work keeps for as long as the session's transaction lasts (e.g. the
    outbox rows it wrote); gone at the commit and at a rollback."""
    state: dict[str, Any] = session.info.setdefault("transaction", {})
    return state


@event.listens_for(Session, "after_commit")
def _transaction_ended(session: Session) -> None:
    session.info.pop("transaction", None)
    session.info.pop("after_commit", None)  # a plain session.commit() runs no callback later


@event.listens_for(Session, "after_rollback")
def _transaction_undone(session: Session) -> None:
    session.info.pop("transaction", None)
    session.info.pop("after_commit", None)  # what it wrote is gone: nothing to follow it up


def hold(session: Session, *objects: object) -> None:
    """Keep ``objects`` with ``session`` for as long as it lives. A session refers to the rows
    it loaded only weakly: one nobody holds is gone, and the next ``session.get`` reads it
    again; rows loaded together up front for later ``get`` calls are held here."""
    held: list[object] = session.info.setdefault("held", [])
    held.extend(o for o in objects if o is not None)


def new_session() -> Session:
    return Session(get_engine(), expire_on_commit=False)


def commit(session: Session) -> None:
    """Commit, then run the work queued with :func:`after_commit` (e.g. the outbox relay)."""
    callbacks = session.info.pop("after_commit", {})  # a failed commit runs none of them
    session.commit()
    for callback in callbacks.values():
        callback()


def persist(work: Callable[[Session], T], *, attempts: int = 6) -> T:
    """Run ``work`` in a transaction of its own; when the database drops the connection, run
    it again on a fresh one (pauses of 0.2 s doubling, about 6 s in all).

    For a record that must not be lost once something irrevocable happened outside the
    database, e.g. "this email was handed to the mail server". ``work`` must be idempotent.
    """
    for attempt in range(attempts):
        try:
            with unit_of_work() as session:
                return work(session)
        except DBAPIError as exc:
            if not exc.connection_invalidated or attempt == attempts - 1:
                raise
            log.warning("database connection lost; writing again (attempt %d)", attempt + 2)
            time.sleep(0.2 * 2**attempt)
    raise AssertionError("unreachable")


@contextmanager
def unit_of_work() -> Iterator[Session]:
    """One transaction: commit when the block succeeds, roll back when it raises.

    Work queued with :func:`after_commit` leaves only after the commit succeeded.
    """
    with new_session() as session:
        try:
            yield session
        except BaseException:
            session.rollback()
            raise
        commit(session)
