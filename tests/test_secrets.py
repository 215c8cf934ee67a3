"""Production refuses weak or example secrets, in every process that starts, naming the variable.

Anyone can read ``.env.example`` and the development defaults in the repository: a deployment
that kept them could have its staff session cookies forged with the known secret key.
"""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

from core.config import Settings, get_settings
from core.secrets import WeakSecrets
from tests.services import ROOT, free_port
from tests.test_compose import COMPLETED, ENV_EXAMPLE, secrets_folder

BIN = Path(sys.executable).parent
REAL = {
    "WILLKOMMEN_SECRET_KEY": secrets.token_urlsafe(40),
    "WILLKOMMEN_FLOWER_PASSWORD": secrets.token_urlsafe(16),
}
REAL_LOWER = {k.removeprefix("WILLKOMMEN_").lower(): v for k, v in REAL.items()}


def settings(**env: str) -> Settings:
    """The settings as every process reads them at start-up (``core.config.get_settings``)."""
    read = Settings(**{k.removeprefix("WILLKOMMEN_").lower(): v for k, v in env.items()})
    read.refuse_weak_secrets()
    return read


def test_the_example_file_as_shipped_is_refused_naming_every_secret_to_set(monkeypatch, tmp_path):
    """Given .env.example unchanged (production) and no secrets made, when a process reads its
    settings, then they are refused, naming the secret key, Flower's password, the mail relay
    and the public address; with the secrets scripts/create-secrets makes and a real relay and
    address, they are accepted."""
    for key, value in ENV_EXAMPLE.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("WILLKOMMEN_SECRETS_DIR", str(tmp_path / "none"))
    get_settings.cache_clear()
    with pytest.raises(WeakSecrets) as refused:
        get_settings()
    assert "WILLKOMMEN_SECRET_KEY" in str(refused.value)
    assert "WILLKOMMEN_FLOWER_PASSWORD" in str(refused.value)
    assert "willkommen-dev" not in str(refused.value)  # names, never values

    monkeypatch.setenv("WILLKOMMEN_SECRETS_DIR", str(secrets_folder(tmp_path)))
    get_settings.cache_clear()
    with pytest.raises(WeakSecrets) as refused:
        get_settings()
    assert "WILLKOMMEN_SMTP_HOST" in str(refused.value)
    assert "WILLKOMMEN_PUBLIC_BASE_URL" in str(refused.value)
    assert "WILLKOMMEN_SECRET_KEY" not in str(refused.value)

    for key, value in COMPLETED.items():
        monkeypatch.setenv(key, value)
    get_settings.cache_clear()
    try:
        assert get_settings().metrics_token is not None
    finally:
        get_settings.cache_clear()


def test_mail_to_the_dev_profiles_catcher_is_refused_in_production():
    """Mailpit's web UI has no login: production mail must never go there."""
    read = Settings(environment="production", smtp_host="mailpit", **REAL_LOWER)
    with pytest.raises(WeakSecrets, match="WILLKOMMEN_SMTP_HOST"):
        read.refuse_placeholders()
    Settings(environment="development", smtp_host="mailpit").refuse_placeholders()


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
        ("WILLKOMMEN_METRICS_TOKEN", "kurz"),
        ("WILLKOMMEN_DATABASE_PASSWORD", "change-me"),
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
    """Given production without the secrets made (the development defaults), when web,
    worker, beat or Flower is started, then it exits at once with an error that names the
    variable to set."""
    production = {
        **env,
        "WILLKOMMEN_ENVIRONMENT": "production",
        "WILLKOMMEN_SECRETS_DIR": str(tmp_path / "no-secrets"),
    }
    command = [part.format(port=free_port()) for part in COMMANDS[service]]
    result = subprocess.run(
        command, cwd=ROOT, env=production, capture_output=True, text=True, timeout=60
    )
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "WILLKOMMEN_SECRET_KEY" in output and "WILLKOMMEN_FLOWER_PASSWORD" in output
