"""Production refuses weak or example secrets, in every process that starts, naming the variable.

Anyone can read ``.env.example`` and the development defaults in the repository: a deployment
that kept them could have its staff session cookies forged with the known secret key.
"""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import Settings
from core.secrets import WeakSecrets
from tests.services import ROOT, free_port
from tests.test_compose import ENV_EXAMPLE

BIN = Path(sys.executable).parent
REAL = {
    "WILLKOMMEN_SECRET_KEY": secrets.token_urlsafe(40),
    "WILLKOMMEN_FLOWER_PASSWORD": secrets.token_urlsafe(16),
}


def settings(**env: str) -> Settings:
    """The settings as every process reads them at start-up (``core.config.get_settings``)."""
    read = Settings(**{k.removeprefix("WILLKOMMEN_").lower(): v for k, v in env.items()})
    read.refuse_weak_secrets()
    return read


def test_the_example_file_as_shipped_is_refused_naming_every_secret_to_set():
    """Given .env.example unchanged (production), when the settings are read,
    then they are refused, and the error names the secret key, Flower's and the database's."""
    example = {k: v for k, v in ENV_EXAMPLE.items() if k.startswith("WILLKOMMEN_")}
    database = "postgresql+psycopg://willkommen:{}@postgres/willkommen"
    example["WILLKOMMEN_DATABASE_URL"] = database.format(ENV_EXAMPLE["POSTGRES_PASSWORD"])
    with pytest.raises(WeakSecrets) as refused:
        settings(**example)
    message = str(refused.value)
    for variable in ("WILLKOMMEN_SECRET_KEY", "WILLKOMMEN_FLOWER_PASSWORD", "POSTGRES_PASSWORD"):
        assert variable in message
    assert ENV_EXAMPLE["WILLKOMMEN_SECRET_KEY"] not in message  # names, never values
    settings(**{**example, **REAL, "WILLKOMMEN_DATABASE_URL": database.format("Zq8-pR2x-Lm4w")})


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("WILLKOMMEN_SECRET_KEY", "willkommen-dev-secret-change-me"),  # the development default
        ("WILLKOMMEN_SECRET_KEY", "x" * 20),  # too short to sign cookies
        ("WILLKOMMEN_SECRET_KEY", "our-example-key-for-the-staging-server-1234"),
        ("WILLKOMMEN_FLOWER_PASSWORD", "willkommen-dev"),
        ("WILLKOMMEN_FLOWER_PASSWORD", "kurz"),
        ("WILLKOMMEN_SMTP_PASSWORD", "change-me"),
        ("WILLKOMMEN_BROKER_URL", "redis://:changeme@redis:6379/0"),
    ],
)
def test_each_weak_secret_is_refused_by_name(variable: str, value: str):
    """Given production and one weak secret among real ones, then the settings name that one."""
    env = {"WILLKOMMEN_ENVIRONMENT": "production", **REAL, variable: value}
    with pytest.raises(WeakSecrets, match=variable) as refused:
        settings(**env)
    assert value not in str(refused.value)


def test_development_keeps_its_defaults():
    """Given no environment set, then the development defaults are accepted (make run works)."""
    assert settings().secret_key.get_secret_value() == "willkommen-dev-secret-change-me"


COMMANDS = {
    "web": [str(BIN / "uvicorn"), "web.app:create_app", "--factory", "--port", "{port}"],
    "worker": [sys.executable, "-m", "celery", "-A", "worker", "worker", "--pool", "solo"],
    "beat": [sys.executable, "-m", "celery", "-A", "worker", "beat"],
    "flower": [str(BIN / "willkommen"), "flower", "--port", "{port}"],
}


@pytest.mark.parametrize("service", COMMANDS)
def test_every_process_refuses_to_start_with_the_example_secrets(env, tmp_path, service):
    """Given production with the secrets of .env.example, when web, worker, beat or Flower is
    started, then it exits at once with an error that names the variable to set."""
    production = {
        **env,
        "WILLKOMMEN_ENVIRONMENT": "production",
        "WILLKOMMEN_SECRET_KEY": ENV_EXAMPLE["WILLKOMMEN_SECRET_KEY"],
        "WILLKOMMEN_FLOWER_PASSWORD": ENV_EXAMPLE["WILLKOMMEN_FLOWER_PASSWORD"],
    }
    command = [part.format(port=free_port()) for part in COMMANDS[service]]
    result = subprocess.run(
        command, cwd=ROOT, env=production, capture_output=True, text=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "WILLKOMMEN_SECRET_KEY" in output and "WILLKOMMEN_FLOWER_PASSWORD" in output
