"""What a benchmark run starts for itself: a fresh database per scenario, Redis, SMTP, a worker.

Everything is private to the run (temporary SQLite files, a ``willkommen_bench_<random>``
PostgreSQL database, a redis-server on a free port, an SMTP sink, Celery worker processes) and
is stopped or dropped when the run ends.
"""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import kombu.pools
import psycopg
import redis

from core import celery_app as celery_module
from core.config import get_settings
from core.db import reset_engine
from core.migrate import upgrade
from tests.services import (
    PostgresDatabase,
    RedisServer,
    free_port,
    postgres_admin_url,
    postgres_available,
    wait_for,
)

ROOT = Path(__file__).resolve().parent.parent


def apply_settings() -> None:
    """Make this process see the current environment: settings, engine and Celery config."""
    get_settings.cache_clear()
    reset_engine()
    app = celery_module.app
    celery_module.configure(app, get_settings())
    # Celery caches its connection and producer pools per app: drop those of the previous URL.
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


@dataclass
class Database:
    """One fresh, migrated database: an SQLite file or a PostgreSQL database of its own."""

    kind: str  # "sqlite" or "postgres"
    url: str
    postgres: PostgresDatabase | None = None

    def drop(self) -> None:
        reset_engine()
        if self.postgres is not None:
            self.postgres.drop()
        elif self.url.startswith("sqlite:///"):
            path = Path(self.url.removeprefix("sqlite:///"))
            for suffix in ("", "-wal", "-shm"):
                path.with_name(path.name + suffix).unlink(missing_ok=True)


def postgres_unavailable() -> str | None:
    """None if the PostgreSQL server answers, else why it is skipped."""
    return postgres_available()


def create_database(kind: str, workdir: Path) -> Database:
    """A new empty database of ``kind``, migrated to the current schema."""
    tag = uuid.uuid4().hex[:8]
    if kind == "sqlite":
        database = Database(kind, f"sqlite:///{workdir / f'bench-{tag}.db'}")
    else:
        postgres = PostgresDatabase(name=f"willkommen_bench_{tag}")
        postgres.create()
        database = Database(kind, postgres.url, postgres)
    os.environ["WILLKOMMEN_DATABASE_URL"] = database.url
    apply_settings()
    upgrade()
    return database


def server_versions(database: Database | None) -> dict[str, str]:
    """The PostgreSQL server's version, for the machine report."""
    if database is None or database.postgres is None:
        return {}
    with psycopg.connect(postgres_admin_url()) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return {"PostgreSQL": str(row[0]) if row else "?"}


class Services:
    """Redis and the environment every scenario shares; the SMTP sink and workers on demand."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.redis = RedisServer(workdir)
        self.smtp_port = free_port()

    def start(self) -> None:
        self.redis.start()
        os.environ.update(
            WILLKOMMEN_ENVIRONMENT="test",
            WILLKOMMEN_DATA_DIR=str(self.workdir),
            WILLKOMMEN_BROKER_URL=self.redis.url,
            WILLKOMMEN_SMTP_PORT=str(self.smtp_port),
            WILLKOMMEN_SMTP_RETRY_DELAYS_SECONDS="[0.5, 1.0]",
        )
        apply_settings()

    def stop(self) -> None:
        self.redis.stop()

    def client(self) -> "redis.Redis[bytes]":
        return self.redis.client()

    def flush_redis(self) -> None:
        self.client().flushall()

    def redis_version(self) -> str:
        return str(self.client().info("server").get("redis_version", "?"))

    @contextmanager
    def database(self, kind: str) -> Iterator[Database]:
        """A fresh database for one scenario, dropped after it (a 10M-row table frees its disk)."""
        database = create_database(kind, self.workdir)
        try:
            yield database
        finally:
            database.drop()
            self.flush_redis()


class Child:
    """A process of the run (SMTP sink, Celery worker) with its log in the work directory."""

    def __init__(self, name: str, command: list[str], logfile: Path, ready: bytes) -> None:
        self.name, self.command, self.logfile, self.ready = name, command, logfile, ready
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, env: Mapping[str, str], timeout: float = 60.0) -> "Child":
        self.handle = self.logfile.open("wb")
        self.process = subprocess.Popen(
            self.command,
            cwd=ROOT,
            env=dict(env),
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: self.ready in self.logfile.read_bytes() or self.process.poll() is not None,  # type: ignore[union-attr]
            timeout,
            what=f"{self.name} to be ready",
        )
        if self.process.poll() is not None:
            raise RuntimeError(f"{self.name} died:\n{self.logfile.read_text(errors='replace')}")
        return self

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        self.process = None
        self.handle.close()


def smtp_sink(services: Services) -> Child:
    """The SMTP server of scenario 4, in its own process so it never waits for our GIL."""
    command = [sys.executable, "-m", "bench.smtp_sink", "--port", str(services.smtp_port)]
    command += ["--redis", services.redis.url]
    return Child("SMTP sink", command, services.workdir / "smtp.log", b"listening")


def celery_worker(services: Services, concurrency: int) -> Child:
    """A real Celery worker as deployed (prefork), running the product's tasks and bench.noop."""
    command = [sys.executable, "-m", "celery", "-A", "bench.worker_app", "worker"]
    command += ["--pool", "prefork", "--concurrency", str(concurrency), "--loglevel", "INFO"]
    command += ["--without-mingle", "--without-gossip", "-n", f"bench-{uuid.uuid4().hex[:6]}@%h"]
    logfile = services.workdir / f"worker-{time.monotonic_ns()}.log"
    return Child("Celery worker", command, logfile, b" ready.")
