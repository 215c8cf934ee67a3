"""The deployment really runs: the image is built with podman, the compose stack comes up from
docker-compose.yml (PostgreSQL, Redis, migrations, web, worker, beat, Flower, a mail catcher),
every health check passes, and one household goes from intake through the web API to an email
the worker delivered. Then the stack is taken down with its volumes.

No registry is reachable here: the base image is made from Debian's packages
(scripts/container-base, cached), PostgreSQL and Redis likewise (containers/), and the product's
own mail catcher stands in for Mailpit (containers/compose.test.yml). podman 4.3 without systemd
runs no health checks by itself, so the test starts the services in dependency order and runs
each health check until it passes, as ``depends_on: condition: service_healthy`` would.
"""

import base64
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from cli.demo_data import STAFF
from tests.conftest import unavailable
from tests.deploy.test_lock import pins
from tests.services import ROOT, free_port, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1500)]

CONF = ROOT / "containers" / "containers.conf"
BASE = "localhost/willkommen-base:bookworm"
PROJECT = f"willkommen-test-{secrets.token_hex(3)}"
CASEWORKER = next(
    s.email for s in STAFF if s.office == "eving-scharnhorst" and s.role == "caseworker"
)


def run(*command: str, check: bool = True, timeout: float = 600, **kwargs) -> str:  # type: ignore[no-untyped-def]
    env = {**os.environ, "CONTAINERS_CONF": str(CONF)}
    done = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, env=env, **kwargs
    )
    if check and done.returncode != 0:
        raise AssertionError(
            f"{' '.join(command)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
        )
    return done.stdout


def build_images() -> None:
    """The base (made once, cached), the product's image, and the test's PostgreSQL and Redis."""
    base = subprocess.run(
        [str(ROOT / "scripts" / "container-base")], capture_output=True, text=True, timeout=900
    )
    if base.returncode != 0:
        unavailable(f"no podman base image: {base.stderr.strip()[-300:]}")
    common = ("podman", "build", "--pull=never", "-q", "--build-arg", f"BASE={BASE}")
    run(*common, "-t", "lokal-willkommen:latest", str(ROOT), timeout=900)
    run(*common, "-t", "localhost/willkommen-postgres:test", str(ROOT / "containers" / "postgres"))
    run(*common, "-t", "localhost/willkommen-redis:test", str(ROOT / "containers" / "redis"))


class Stack:
    """The compose project in a directory of its own, with a .env as an operator writes it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.web_port, self.flower_port = free_port(), free_port()
        shutil.copy(ROOT / "docker-compose.yml", directory / "docker-compose.yml")
        shutil.copy(ROOT / "containers" / "compose.test.yml", directory / "compose.test.yml")
        example = (ROOT / ".env.example").read_text()
        settings = {  # what an operator sets in .env: the mail relay, the address, the ports
            "WILLKOMMEN_SMTP_HOST": "mail-catcher",
            "WILLKOMMEN_SMTP_PORT": "1025",
            "WILLKOMMEN_SMTP_STARTTLS": "false",
            "WILLKOMMEN_PUBLIC_BASE_URL": f"http://127.0.0.1:{self.web_port}",
            "WILLKOMMEN_DISPATCH_INTERVAL_SECONDS": "10",  # a first sweep soon after start
            "POSTGRES_SHARED_BUFFERS": "64MB",
            "WEB_PORT": str(self.web_port),
            "FLOWER_PORT": str(self.flower_port),
        }
        lines = [line for line in example.splitlines() if line.split("=", 1)[0] not in settings]
        env_file = directory / ".env"
        env_file.write_text("\n".join([*lines, *(f"{k}={v}" for k, v in settings.items())]) + "\n")
        env_file.chmod(0o600)
        # The secrets as the README says to make them.
        subprocess.run([str(ROOT / "scripts" / "create-secrets")], cwd=directory, check=True)
        self.secret = lambda name: (directory / "secrets" / name).read_text()

    def compose(self, *args: str, timeout: float = 600) -> str:
        podman_compose = Path(sys.executable).parent / "podman-compose"
        return run(
            str(podman_compose), "-p", PROJECT, "-f", "docker-compose.yml", "-f",
            "compose.test.yml", *args, cwd=self.directory, timeout=timeout,
        )  # fmt: skip

    def container(self, service: str) -> str:
        return f"{PROJECT}_{service}_1"

    def up(self, *services: str) -> None:
        self.compose("up", "-d", "--no-build", "--no-deps", *services)

    def wait_healthy(self, *services: str, timeout: float = 120) -> None:
        for service in services:
            wait_for(
                lambda s=service: subprocess.run(  # type: ignore[misc]
                    ["podman", "healthcheck", "run", self.container(s)],
                    env={**os.environ, "CONTAINERS_CONF": str(CONF)},
                    capture_output=True, timeout=60,
                ).returncode == 0,
                timeout, interval=1.0, what=f"{service} healthy",
            )  # fmt: skip

    def exec(self, service: str, *command: str) -> str:
        return run("podman", "exec", self.container(service), *command, timeout=300)

    def logs(self) -> str:
        return self.compose("logs", "--tail", "40", timeout=120)

    def down(self) -> None:
        self.compose("down", "-v", "-t", "5", timeout=300)


@pytest.fixture
def stack(tmp_path: Path) -> Iterator[Stack]:
    build_images()
    stack = Stack(tmp_path)
    try:
        yield stack
    except BaseException:
        print(stack.logs())
        raise
    finally:
        stack.down()


def api(stack: Stack, method: str, path: str, token: str, body: dict | None = None) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.web_port}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


def test_the_stack_serves_a_household_from_intake_to_a_delivered_email(stack):
    """Given the image built and the stack brought up in dependency order, when each health
    check has passed, a caseworker's token is issued in the web container and a household with
    an email address is taken in through the API, then the worker delivers its welcome email
    to the mail server; the containers run as a non-root user and publish ports on 127.0.0.1
    only."""
    stack.up("postgres", "redis", "mail-catcher")
    stack.wait_healthy("postgres", "redis")
    stack.up("migrate")
    wait_for(
        lambda: run("podman", "inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}",
                    stack.container("migrate"), check=False).strip() == "exited 0",
        180, interval=1.0, what="migrations done",
    )  # fmt: skip
    stack.up("web", "worker", "beat", "flower")
    stack.wait_healthy("web", "worker", "beat", "flower", timeout=180)

    # The demo's offices and staff (the demo refuses a production stack: asked explicitly here).
    stack.exec("web", "env", "WILLKOMMEN_ENVIRONMENT=development", "willkommen", "demo",
               "--households", "0")  # fmt: skip
    issued = stack.exec("web", "willkommen", "staff", "token", CASEWORKER)
    token = re.search(r"Token für \S+: (\S+)", issued)[1]  # type: ignore[index]
    moved_in = time.strftime("%Y-%m-%d", time.gmtime(time.time() - 2 * 86400))
    created = api(stack, "POST", "/api/households", token, {
        "family_name": "Haddad", "street": "Evinger Straße 12", "postal_code": "44339",
        "district": "Eving", "moved_in_on": moved_in, "languages": ["ar", "de"],
        "email": "familie.haddad@household.example",
        "members": [{"given_name": "Amal", "family_name": "Haddad", "birth_date": "1986-04-02"}],
    })  # fmt: skip
    case_id = created["id"]
    assert api(stack, "GET", f"/api/cases/{case_id}", token)["state"]

    def delivered() -> str:
        names = stack.exec("mail-catcher", "sh", "-c", "ls /home/willkommen/mail 2>/dev/null || :")
        for name in names.split():
            text = stack.exec("mail-catcher", "cat", f"/home/willkommen/mail/{name}")
            if "familie.haddad@household.example" in text:
                return text
        return ""

    mail = wait_for(delivered, 120, interval=2.0, what="the welcome email at the mail server")
    assert "Content-Language: ar" in mail
    assert stack.exec("web", "id", "-u").strip() != "0"
    published = run("podman", "port", stack.container("web"))
    assert published.strip().startswith("8000/tcp -> 127.0.0.1:")

    operations_signals(stack)
    secrets_stay_out_of_the_environment(stack)
    the_image_holds_the_locked_set(stack)
    the_documented_backup_is_a_complete_archive(stack)


def fetch(url: str, authorization: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if authorization:
        request.add_header("Authorization", authorization)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), ""


def operations_signals(stack: Stack) -> None:
    """The sweep beat starts has run (so beat, the broker and a worker work together), /metrics
    answers with the token from the secrets only, Flower's metrics ask for its login, and the
    web app logs one JSON object per line."""
    web = f"http://127.0.0.1:{stack.web_port}/metrics"
    bearer = f"Bearer {stack.secret('metrics_token')}"

    def swept() -> str:
        status, text = fetch(web, bearer)
        return text if status == 200 and "last_sweep_timestamp_seconds" in text else ""

    text = wait_for(swept, 120, interval=2.0, what="the first due-reminder sweep in /metrics")
    assert "willkommen_dispatch_stopped 0.0" in text
    assert "willkommen_database_up 1.0" in text
    assert fetch(web)[0] == 401
    flower = f"http://127.0.0.1:{stack.flower_port}/metrics"
    login = base64.b64encode(f"aufsicht:{stack.secret('flower_password')}".encode()).decode()
    assert fetch(flower)[0] == 401
    assert fetch(flower, f"Basic {login}")[0] == 200
    logged = subprocess.run(
        ["podman", "logs", stack.container("web")], capture_output=True, text=True, timeout=60,
        env={**os.environ, "CONTAINERS_CONF": str(CONF)},
    )  # fmt: skip
    lines = [json.loads(line) for line in logged.stderr.splitlines() if line.startswith("{")]
    assert any(
        line["logger"] == "web.app" and "/api/households" in line["message"] for line in lines
    )


def secrets_stay_out_of_the_environment(stack: Stack) -> None:
    for service in ("web", "worker", "beat", "flower", "postgres"):
        environment = run(
            "podman", "inspect", "-f", "{{json .Config.Env}}", stack.container(service)
        )
        for name in ("secret_key", "flower_password", "postgres_password", "metrics_token"):
            assert stack.secret(name) not in environment, (service, name)


def the_image_holds_the_locked_set(stack: Stack) -> None:
    """pip in the image lists exactly requirements/runtime.txt (and the project itself)."""
    installed = {
        canonicalize_name(p["name"]): p["version"]
        for p in json.loads(stack.exec("web", "python", "-m", "pip", "list", "--format", "json"))
    }
    python = stack.exec("web", "python", "-c", "import platform; print(platform.python_version())")
    inside = {"python_full_version": python.strip()}  # markers as the image's Python reads them
    expected = {
        name: version
        for name, (version, marker, _) in pins(ROOT / "requirements" / "runtime.txt").items()
        if marker is None or marker.evaluate(inside)
    }
    installed.pop("pip", None)
    assert installed.pop("lokal-willkommen") == "0.1.0"
    assert installed == expected


def the_documented_backup_is_a_complete_archive(stack: Stack) -> None:
    """README "Backups": pg_dump in the postgres container writes an archive pg_restore reads,
    holding the cases (restoring one is tests/deploy/test_backup.py)."""
    conf = {**os.environ, "CONTAINERS_CONF": str(CONF)}
    dump = subprocess.run(
        ["podman", "exec", stack.container("postgres"),
         "pg_dump", "-U", "willkommen", "-Fc", "willkommen"],
        capture_output=True, timeout=120, env=conf, check=True,
    ).stdout  # fmt: skip
    listing = subprocess.run(
        ["podman", "exec", "-i", stack.container("postgres"), "pg_restore", "--list"],
        input=dump, capture_output=True, timeout=120, env=conf, check=True,
    ).stdout.decode()  # fmt: skip
    assert "TABLE DATA public cases" in listing and "TABLE DATA public households" in listing
