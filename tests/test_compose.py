"""docker-compose.yml: valid Compose, consistent with .env.example, and its commands really start.

No Docker engine runs here, so the file is checked against the Compose specification (the
compose-spec package) and each service's command is started outside a container, against the
test's database and Redis, until its own health check passes.
"""

import copy
import json
import os
import re
import shlex
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from compose_spec import PyCompose

from core.config import Settings
from tests.services import ROOT, free_port, wait_for

COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())  # resolves << merge keys
ENV_EXAMPLE = dict(
    line.split("=", 1)
    for line in (ROOT / ".env.example").read_text().splitlines()
    if line and not line.startswith("#")
)
# .env.example as an operator completes it: the mail relay and the address staff use set (its
# placeholders are refused in production: tests/test_secrets.py). The secrets come as files.
COMPLETED = {
    **ENV_EXAMPLE,
    "WILLKOMMEN_SMTP_HOST": "127.0.0.1",
    "WILLKOMMEN_SMTP_STARTTLS": "false",
    "WILLKOMMEN_PUBLIC_BASE_URL": "https://willkommen.dortmund.test",
}
APP_SERVICES = [
    n for n, s in COMPOSE["services"].items() if s.get("image") == "lokal-willkommen:latest"
]


def interpolated(text: str) -> str:
    """Variables as Compose fills them when unset: ``${X:-default}`` → default; a required
    ``${X:?message}`` → a placeholder (the file is checked, not run)."""
    text = re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", text)
    return re.sub(r"\$\{\w+:\?[^}]*\}", "set-in-env", text)


def spec(document: dict) -> PyCompose:
    plain = {k: v for k, v in document.items() if not k.startswith("x-")}
    return PyCompose.from_json(interpolated(json.dumps(plain)))


def test_compose_file_follows_the_compose_specification():
    """Given the compose file, when it is read as Compose, then it is valid, and a file with a
    typo in a key or a wrong depends_on condition is not (the check can fail)."""
    assert set(spec(COMPOSE).service_names()) >= {
        "postgres",
        "redis",
        "migrate",
        "web",
        "worker",
        "beat",
        "flower",
        "mailpit",
    }
    typo = copy.deepcopy(COMPOSE)
    typo["services"]["redis"]["healthchek"] = typo["services"]["redis"].pop("healthcheck")
    wrong = copy.deepcopy(COMPOSE)
    wrong["services"]["web"]["depends_on"]["redis"]["condition"] = "whenever"
    for broken in (typo, wrong):
        with pytest.raises(ValueError):
            spec(broken)


def test_compose_references_and_settings_are_consistent():
    """Given the compose file and .env.example, then every dependency and volume exists, every
    variable the file needs is in the example, every setting in the example is a real one, and
    migrations run before web and worker."""
    services = COMPOSE["services"]
    for name, service in services.items():
        for dependency in service.get("depends_on", {}):
            assert dependency in services, (name, dependency)
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in COMPOSE["volumes"], (name, volume)
    # Every variable without a default must be set in the example.
    uses = re.findall(r"\$\{(\w+)(:-)?", (ROOT / "docker-compose.yml").read_text())
    needed = {name for name, default in uses if not default}
    assert needed <= set(ENV_EXAMPLE), needed - set(ENV_EXAMPLE)
    fields = {f"WILLKOMMEN_{name.upper()}" for name in Settings.model_fields}
    assert {k for k in ENV_EXAMPLE if k.startswith("WILLKOMMEN_")} <= fields
    for name in ("web", "worker", "beat"):
        assert (
            services[name]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
        )
    assert "noeviction" in services["redis"]["command"] and "yes" in services["redis"]["command"]
    Settings(
        **{
            k.removeprefix("WILLKOMMEN_").lower(): v
            for k, v in COMPLETED.items()
            if k.startswith("WILLKOMMEN_")
        }
    )  # the example's settings are all real ones


def secrets_folder(directory: Path) -> Path:
    """The secrets as the containers see them: scripts/create-secrets makes the files, and
    each is found under the name the compose file mounts it as (/run/secrets/<name>)."""
    made = directory / "secrets"
    subprocess.run([str(ROOT / "scripts" / "create-secrets"), str(made)], check=True)
    mounted = directory / "run-secrets"
    mounted.mkdir()
    for name, secret in COMPOSE["secrets"].items():
        source = made / Path(secret["file"]).relative_to("secrets")
        (mounted / name).write_text(source.read_text())
    return mounted


def test_secrets_are_files_mounted_into_the_services_never_in_their_environment(tmp_path):
    """Given the compose file, then every app service and PostgreSQL get their secrets as files
    (Compose secrets, made by scripts/create-secrets in a folder only its owner opens), no
    service has a password or key in its environment, and the settings read from those files
    are accepted in production: secret key, Flower's password, the database password (the same
    file PostgreSQL initialises with) and the metrics token."""
    services = COMPOSE["services"]
    for name in APP_SERVICES:
        assert set(services[name]["secrets"]) == set(COMPOSE["secrets"]), name
    assert "willkommen_database_password" in services["postgres"]["secrets"]
    assert services["postgres"]["environment"]["POSTGRES_PASSWORD_FILE"] == (
        "/run/secrets/willkommen_database_password"
    )
    for name, service in services.items():
        environment = service.get("environment", {})
        for key, value in environment.items():
            assert not re.search(r"PASSWORD$|SECRET|TOKEN", key), (name, key)
            if "://" in str(value):
                assert urlsplit(str(value)).password is None, (name, key)  # none in a URL
    assert not {k for k in ENV_EXAMPLE if re.search(r"PASSWORD$|SECRET|TOKEN", k)}

    mounted = secrets_folder(tmp_path)
    assert (tmp_path / "secrets").stat().st_mode & 0o777 == 0o700
    read = Settings(
        _secrets_dir=mounted,  # type: ignore[call-arg]
        **{
            k.removeprefix("WILLKOMMEN_").lower(): v
            for k, v in COMPLETED.items()
            if k.startswith("WILLKOMMEN_")
        },
        database_url="postgresql+psycopg://willkommen@postgres:5432/willkommen",
    )
    read.refuse_weak_secrets()
    read.refuse_placeholders()
    password = (tmp_path / "secrets" / "postgres_password").read_text()
    assert f":{password}@postgres" in read.resolved_database_url
    assert read.metrics_token is not None


def _command(service: dict, port: int) -> list[str]:
    command = [
        part.replace("8000", str(port)).replace("5555", str(port)) for part in service["command"]
    ]
    executable = Path(sys.executable).parent / command[0]
    return [str(executable) if executable.exists() else command[0], *command[1:]]


def _healthcheck(service: dict, port: int) -> list[str] | None:
    test = service.get("healthcheck", {}).get("test")
    if not test:
        return None
    text = " ".join(test[1:]) if test[0] == "CMD-SHELL" else shlex.join(test[1:])
    text = text.replace("8000", str(port)).replace("5555", str(port))
    text = text.replace("$$", "$")  # Compose's escape: the shell sees $(hostname)
    text = text.replace("python ", f"{sys.executable} ", 1)
    return ["bash", "-c", f"PATH={Path(sys.executable).parent}:$PATH {text}"]


@pytest.mark.slow
def test_each_app_service_command_starts_and_passes_its_health_check(env, tmp_path):
    """Given production settings from .env.example pointed at this machine's database and Redis,
    when each app service's command from the compose file runs outside a container,
    then migrate finishes successfully and web, worker, beat and flower come up healthy."""
    service_env = {
        **os.environ,
        **COMPLETED,
        "WILLKOMMEN_SECRETS_DIR": str(secrets_folder(tmp_path)),
        "WILLKOMMEN_DATABASE_URL": env["WILLKOMMEN_DATABASE_URL"],
        "WILLKOMMEN_BROKER_URL": env["WILLKOMMEN_BROKER_URL"],
        "HOSTNAME": socket.gethostname(),
    }
    services = COMPOSE["services"]
    migrate = subprocess.run(
        _command(services["migrate"], 0),
        cwd=tmp_path,
        env=service_env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert migrate.returncode == 0, migrate.stderr
    for name in [n for n in APP_SERVICES if n != "migrate"]:
        _start_until_healthy(name, services[name], service_env, tmp_path)


def _start_until_healthy(name: str, service: dict, env: dict[str, str], directory: Path) -> None:
    port = free_port()
    log = directory / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            _command(service, port),
            cwd=directory,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    check = _healthcheck(service, port)

    def healthy() -> bool:
        if process.poll() is not None:
            return True  # died: reported below
        assert check is not None, f"{name} has no health check"
        return subprocess.run(check, env=env, capture_output=True, timeout=20).returncode == 0

    try:
        wait_for(healthy, 60, interval=0.5, what=f"{name} to be healthy")
        assert process.poll() is None, log.read_text()
    finally:
        os.killpg(process.pid, 15)
        process.wait(20)
