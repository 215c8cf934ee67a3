"""`willkommen dev` on embedded defaults: the README's main command, started as a user would."""

import base64
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from datetime import timedelta
from pathlib import Path

import psutil
import pytest
from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Case, Staff
from models.enums import Role
from tests.conftest import apply_settings
from tests.services import free_port, wait_for

pytestmark = pytest.mark.slow

WILLKOMMEN = str(Path(sys.executable).parent / "willkommen")


def _status(url: str, auth: str | None = None) -> int:
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=3) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def dev_environment() -> dict[str, str]:
    """The user's environment without any WILLKOMMEN_ setting, on free ports."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WILLKOMMEN_")}
    env.update(
        WILLKOMMEN_SMTP_PORT=str(free_port()),
        WILLKOMMEN_FLOWER_PORT=str(free_port()),
        WILLKOMMEN_WEB_PORT=str(free_port()),
    )
    return env


def start_dev(tmp_path: Path, env: dict[str, str], households: int) -> subprocess.Popen[bytes]:
    """`willkommen dev` in ``tmp_path``, its output in dev.out, once it says it is ready."""
    with (tmp_path / "dev.out").open("wb") as output:  # the child keeps its own copy
        command = [WILLKOMMEN, "dev", "--households", str(households)]
        dev = subprocess.Popen(
            command, cwd=tmp_path, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    ready = lambda: b"bereit" in (tmp_path / "dev.out").read_bytes()  # noqa: E731
    wait_for(lambda: ready() or dev.poll() is not None, 120, what="willkommen dev to be ready")
    assert dev.poll() is None, (tmp_path / "dev.out").read_text()
    return dev


def test_dev_runs_the_product_and_ctrl_c_stops_every_process(tmp_path, monkeypatch):
    """Given a machine with no broker configured and an empty data folder,
    when `willkommen dev` starts and a caseworker plans a visit for tomorrow morning,
    then the reminder email lands in the mail folder, the web app is ready, Flower asks for a
    login,
    and Ctrl-C stops every process the command started."""
    env = dev_environment()
    dev = start_dev(tmp_path, env, households=8)
    try:
        children = psutil.Process(dev.pid).children(recursive=True)
        assert len(children) >= 4  # mail catcher, worker, beat, flower (and Redis, pool workers)

        for key, value in {**env, "WILLKOMMEN_DATA_DIR": str(tmp_path / "var")}.items():
            monkeypatch.setenv(key, value)
        monkeypatch.delenv("WILLKOMMEN_DATABASE_URL", raising=False)
        monkeypatch.delenv("WILLKOMMEN_BROKER_URL", raising=False)
        apply_settings()
        with unit_of_work() as session:
            case = session.exec(select(Case).where(Case.state == "intake")).first()
            assert case is not None
            actor = session.exec(
                select(Staff).where(
                    Staff.office_id == case.office_id, Staff.role == Role.CASEWORKER
                )
            ).first()
            case_id, email = case.id, actor.email
        tomorrow = berlin(utc_now() + timedelta(hours=20)).strftime("%Y-%m-%d %H:%M")
        advanced = subprocess.run(
            [WILLKOMMEN, "cases", "advance", str(case_id), "schedule_welcome_visit",
             "--actor", email, "--at", tomorrow],
            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert advanced.returncode == 0, advanced.stdout + advanced.stderr

        def reminder_mail() -> list[Path]:
            return [p for p in (tmp_path / "var" / "mail").glob("*.eml")
                    if f"LW-{case_id:06d}" in p.read_text(errors="replace")]  # fmt: skip

        (mail,) = wait_for(reminder_mail, 30, what="the visit reminder as an .eml file")
        assert email in mail.read_text()

        web = f"http://127.0.0.1:{env['WILLKOMMEN_WEB_PORT']}"
        wait_for(lambda: _status(f"{web}/readyz") == 200, 30, what="the web app to be ready")
        assert _status(f"{web}/login") == 200

        flower = f"http://127.0.0.1:{env['WILLKOMMEN_FLOWER_PORT']}/api/workers"
        wait_for(lambda: _status(flower) == 401, 30, what="Flower to refuse an anonymous request")
        assert _status(flower, "aufsicht:willkommen-dev") == 200
    finally:
        dev.send_signal(signal.SIGINT)
        assert dev.wait(60) == 0, (tmp_path / "dev.out").read_text()
    left = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert left == []


def test_a_second_run_is_refused_and_sigterm_stops_every_process(tmp_path):
    """Given `willkommen dev` running, when it is started a second time on the same data
    folder, then the second says at once that it is running already (and which process) and
    changes nothing; when the first gets SIGTERM (as a process supervisor or CI stops it), then
    it stops every process it started and ends cleanly."""
    env = dev_environment()
    first = start_dev(tmp_path, env, households=0)
    try:
        children = psutil.Process(first.pid).children(recursive=True)
        assert len(children) >= 4

        second = subprocess.run([WILLKOMMEN, "dev", "--households", "0"], cwd=tmp_path, env=env,
                                capture_output=True, text=True, timeout=30)  # fmt: skip
        assert second.returncode != 0
        said = " ".join((second.stdout + second.stderr).split())
        assert "läuft schon" in said and f"Prozess {first.pid}" in said
        assert first.poll() is None  # the first one goes on

        first.send_signal(signal.SIGTERM)
        assert first.wait(60) == 0, (tmp_path / "dev.out").read_text()
    finally:
        if first.poll() is None:
            first.kill()
    left = [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]
    assert left == []
