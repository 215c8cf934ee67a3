"""``willkommen dev``: the whole product on one machine, stopped cleanly with Ctrl-C, SIGTERM
or SIGHUP (as process supervisors, CI and a closed terminal stop it).

Starts a private Redis when no broker is configured, a mail catcher that keeps every email as an
.eml file, the web app, a Celery worker, celery beat and Flower. Each child gets its own process
group and a log file in ``<data_dir>/logs``; stopping sends SIGTERM to every group and waits.
One run per data folder: a second one is refused at once (``claim``), naming the first.
"""

import contextlib
import fcntl
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from core.config import Settings
from core.local_redis import LocalRedis

CELERY = [sys.executable, "-m", "celery", "-A", "worker"]


@dataclass
class Child:
    name: str
    command: list[str]
    process: subprocess.Popen[bytes] | None = None


@dataclass
class Stack:
    settings: Settings
    catch_mail: bool = True
    flower: bool = True
    children: list[Child] = field(default_factory=list)
    redis: LocalRedis | None = None

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir.resolve()

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"

    def environment(self) -> dict[str, str]:
        env = dict(os.environ, WILLKOMMEN_DATA_DIR=str(self.data_dir))
        if not self.settings.broker_url:
            self.redis = LocalRedis(self.data_dir / "redis")
            env["WILLKOMMEN_BROKER_URL"] = self.redis.start()
        return env

    def plan(self) -> list[Child]:
        s, python = self.settings, sys.executable
        # fmt: off
        commands = {
            "mail": [python, "-m", "core.mail_catcher", "--host", s.smtp_host,
                     "--port", str(s.smtp_port), "--directory", str(self.mail_dir)],
            "web": [python, "-m", "uvicorn", "web.app:create_app", "--factory",
                    "--host", s.web_host, "--port", str(s.web_port), "--no-access-log"],
            "worker": [*CELERY, "worker", "--loglevel", "INFO", "--concurrency", "2",
                       "--queues", "messages,referrals,maintenance", "-n", "willkommen@%h"],
            "beat": [*CELERY, "beat", "--loglevel", "INFO",
                     "--schedule", str(self.data_dir / "celerybeat-schedule")],
            "flower": [python, "-m", "cli.main", "flower", "--port", str(s.flower_port)],
        }
        # fmt: on
        wanted = {"mail": self.catch_mail, "flower": self.flower}
        return [Child(name, cmd) for name, cmd in commands.items() if wanted.get(name, True)]

    def start(self) -> None:
        env = self.environment()
        logs = self.data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        for child in self.plan():
            log = (logs / f"{child.name}.log").open("ab")
            child.process = subprocess.Popen(
                child.command, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True,
            )  # fmt: skip
            self.children.append(child)

    def wait(self) -> str | None:
        """Block until Ctrl-C (returns None) or until a child dies (returns its name)."""
        try:
            while True:
                for child in self.children:
                    if child.process is not None and child.process.poll() is not None:
                        return child.name
                time.sleep(0.5)
        except KeyboardInterrupt:
            return None

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM every child's process group, wait, then SIGKILL what is left; stop Redis."""
        running = [c.process for c in self.children if c.process and c.process.poll() is None]
        for process in running:
            _signal_group(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for process in running:
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(process.pid, signal.SIGKILL)
                process.wait(5)
        for process in running:  # the group may hold children of the child (worker pool)
            _signal_group(process.pid, signal.SIGKILL)
        if self.redis is not None:
            self.redis.stop()


class AlreadyRunning(Exception):
    """Another ``willkommen dev`` holds this data folder."""


def claim(data_dir: Path) -> object:
    """Hold ``<data_dir>/dev.lock`` for this run (released when the process ends, however it
    ends); raise :class:`AlreadyRunning` with the other run's process id if it is held."""
    data_dir.mkdir(parents=True, exist_ok=True)
    lock = (data_dir / "dev.lock").open("a+")
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        lock.seek(0)
        other = lock.read().strip() or "?"
        lock.close()
        raise AlreadyRunning(other) from None
    lock.seek(0)
    lock.truncate()
    lock.write(str(os.getpid()))
    lock.flush()
    return lock


def stop_on_signals() -> None:
    """SIGTERM and SIGHUP stop the run as Ctrl-C does (the children are stopped in ``finally``)."""
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, signal.default_int_handler)


def _signal_group(pid: int, sig: signal.Signals) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, sig)
