"""Backup and restore of PostgreSQL as README "Backups" describes it: ``pg_dump -Fc`` of a
database with the demo's offices, staff and households, ``pg_restore`` into a fresh database, and
the app started on the copy serves every case as before.

Run against this machine's PostgreSQL with its own client tools (the same major version, as in
the container the README's commands run in).
"""

import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from cli.demo_data import STAFF
from tests.conftest import unavailable
from tests.services import ROOT, free_port, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(600)]

BIN = Path(sys.executable).parent
HEAD = next(s.email for s in STAFF if s.office is None and s.role == "supervisor")


@pytest.fixture
def databases(postgres_url: str) -> Iterator[tuple[str, str]]:
    """Two empty databases on the test's server: the original and the one restored into."""
    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        unavailable("pg_dump / pg_restore are not installed (Debian: postgresql-client)")
    server = make_url(postgres_url)
    names = [f"backup_{secrets.token_hex(4)}", f"restored_{secrets.token_hex(4)}"]
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    urls = [server.set(database=name).render_as_string(hide_password=False) for name in names]
    try:
        yield urls[0], urls[1]
    finally:
        with admin.connect() as connection:
            for name in names:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def willkommen(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "willkommen"), *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def libpq(url: str) -> str:
    """The URL as pg_dump and pg_restore take it (no SQLAlchemy driver name)."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def fingerprint(url: str) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of all its rows."""
    engine = create_engine(url)
    digest = "SELECT count(*), coalesce(md5(string_agg(t::text, '|' ORDER BY t::text)), '')"
    try:
        with engine.connect() as connection:
            tables = inspect(connection).get_table_names()
            found = {}
            for table in tables:
                count, rows = connection.execute(text(f'{digest} FROM "{table}" t')).one()
                found[table] = (count, rows)
            return found
    finally:
        engine.dispose()


def test_a_dump_restored_into_a_fresh_database_serves_every_case(databases, redis_server, tmp_path):
    """Given a database with the demo's households, when it is dumped with pg_dump and restored
    with pg_restore into a fresh database, then every table holds the same rows, the migrations
    are at their head, and the web app started on the copy shows each case as before."""
    original, restored = databases
    env = {
        **os.environ,
        "WILLKOMMEN_DATA_DIR": str(tmp_path),
        "WILLKOMMEN_BROKER_URL": redis_server.url,
        "WILLKOMMEN_ENVIRONMENT": "development",
    }
    demo_env = {**env, "WILLKOMMEN_DATABASE_URL": original}
    revision = willkommen(demo_env, "db", "upgrade").split()[-1]
    willkommen(demo_env, "demo", "--households", "25")
    before = fingerprint(original)
    assert before["cases"][0] == 25 and before["case_events"][0] > 25

    dump = tmp_path / "willkommen.dump"
    subprocess.run(["pg_dump", "-Fc", "-d", libpq(original), "-f", str(dump)], check=True)
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "-d", libpq(restored), str(dump)],
        check=True,
    )
    assert fingerprint(restored) == before

    app_env = {**env, "WILLKOMMEN_DATABASE_URL": restored}
    assert willkommen(app_env, "db", "upgrade").split()[-1] == revision  # nothing to migrate
    issued = willkommen(app_env, "staff", "token", HEAD)
    token = re.search(r"Token für \S+: (\S+)", issued)[1]  # type: ignore[index]
    port = free_port()
    web = subprocess.Popen(
        [str(BIN / "uvicorn"), "web.app:create_app", "--factory", "--port", str(port)],
        cwd=ROOT, env=app_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: _status(f"{base}/readyz") == 200, 60, what="the app on the copy")
        engine = create_engine(original)
        with engine.connect() as connection:
            cases = connection.execute(text("SELECT id, state, version FROM cases")).all()
        engine.dispose()
        for case_id, state, version in cases:
            shown = _get(f"{base}/api/cases/{case_id}", token)
            assert (shown["state"], shown["version"]) == (state, version)
    finally:
        web.terminate()
        web.wait(20)


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status)
    except OSError:
        return 0


def _get(url: str, token: str) -> dict:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())
