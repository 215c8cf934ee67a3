"""All settings, read once from the environment (prefix ``WILLKOMMEN_``), a ``.env`` file, or
files in a secrets folder (Compose ``secrets:``; one file per setting, named like its variable in
lower case, e.g. ``/run/secrets/willkommen_secret_key``)."""

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url

from core import secrets

DATABASE_PASSWORD = (
    "WILLKOMMEN_DATABASE_PASSWORD (secrets/postgres_password) or the password in "
    "WILLKOMMEN_DATABASE_URL"
)
# Where Compose mounts secrets; another folder with WILLKOMMEN_SECRETS_DIR.
SECRETS_DIR = Path("/run/secrets")

# Workflow timing moved into the workflow definitions (workflows/move_in/definitions/) and the
# offices' variants: a deployment still setting one of these hears where it went.
MOVED_TO_DEFINITION = (
    "step_due_days",
    "welcome_visit_within_days",
    "follow_up_after_days",
    "registration_reminder_days_before",
    "energy_reminder_days_before",
)


class Settings(BaseSettings):
    """Every knob is an environment variable with a safe local default."""

    model_config = SettingsConfigDict(
        env_prefix="WILLKOMMEN_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        hide_input_in_errors=True,  # an error must not print the secrets it was given
    )

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Path("var")

    # Storage and broker. No database URL: an SQLite file in data_dir. No broker URL: the commands
    # that run workers start a private Redis (see core.local_redis).
    database_url: str | None = None
    # The database password, when the URL carries none (a Compose secret, kept out of the URL
    # and so out of the container's environment).
    database_password: SecretStr | None = None
    broker_url: str | None = None
    # Connections per process. A web process works on this many requests at once (the others
    # wait their turn, see web/admission.py); the overflow serves its relay thread and readiness.
    db_pool_size: int = Field(default=20, ge=1, le=500)
    db_max_overflow: int = Field(default=5, ge=2, le=100)
    # Never reached by an admitted request; a bound for the background threads.
    db_pool_timeout_seconds: float = Field(default=10.0, gt=0)
    # A pooled connection idle this long is tried (SELECT 1) before use and replaced if the
    # server dropped it; one in steady use is not (no extra round trip on the hot path). Pooled
    # connections are renewed after db_pool_recycle_seconds whatever happens.
    db_ping_after_idle_seconds: float = Field(default=10.0, ge=0)
    db_pool_recycle_seconds: int = Field(default=1800, ge=60)

    # Outgoing mail
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    smtp_ssl: bool = False
    smtp_timeout_seconds: float = 10.0
    # Each process keeps one SMTP connection open and sends on it; one idle this long is
    # tried (NOOP) before use and replaced if the server dropped it, and it is renewed after
    # this many messages (servers limit messages per connection). 0: a connection per message.
    smtp_noop_after_idle_seconds: float = Field(default=5.0, ge=0)
    smtp_messages_per_connection: int = Field(default=100, ge=0)
    mail_from: str = "lokal willkommen <noreply@lokal-willkommen.invalid>"
    # Pause before each further attempt; attempts in all = len(delays) + 1.
    smtp_retry_delays_seconds: list[float] = [60.0, 300.0, 1800.0]

    # Text messages to households (None: no SMS; households are reached on their next
    # channel). An HTTP gateway with the common Messages API (see core.sms).
    sms_gateway_url: str | None = None
    sms_account: str | None = None
    sms_token: SecretStr | None = None
    sms_from: str = "Willkommen"  # an alphanumeric sender (at most 11 characters) or a number
    sms_timeout_seconds: float = Field(default=10.0, gt=0)
    # A letter is offered for a message only if the day it is about is this far ahead (time
    # to print it and post or hand it over); otherwise the household's next channel is used.
    letter_lead_days: float = Field(default=3.0, ge=0)

    # Web app for staff
    secret_key: SecretStr = SecretStr("willkommen-dev-secret-change-me")
    web_host: str = "127.0.0.1"
    web_port: int = 8000
    session_hours: int = 10
    login_max_failures: int = 5
    login_lock_minutes: int = 15
    # Where supervisors find Flower (linked from the dashboard).
    flower_url: str = "http://127.0.0.1:5555"

    # Flower, for supervisors watching the queues
    flower_port: int = 5555
    flower_user: str = "aufsicht"
    flower_password: SecretStr = SecretStr("willkommen-dev")

    # Operations. Logs: "text" for people, "json" (one object per line, ids only) for a log
    # collector. /metrics answers only a request with this bearer token (unset: /metrics is off).
    log_format: Literal["text", "json"] = "text"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics_token: SecretStr | None = None

    # Home visits: the household is reminded this long before (its deadlines and reminders are
    # the workflow definition's: workflows/move_in/definitions/, varied per office).
    visit_reminder_hours_before: int = 24

    # Households and partners (issue 5)
    # Where partners reach the public answer pages (the links in referral emails).
    public_base_url: str = "http://127.0.0.1:8000"
    referral_link_max_age_days: float = 14
    # A partner that has not answered is reminded once after this many days; the caseworker
    # hears of it this many days after that.
    referral_reminder_after_days: float = 5
    referral_escalation_after_days: float = 3

    # Workers
    dispatch_interval_seconds: float = 60.0
    relay_interval_seconds: float = 15.0
    dispatch_batch_size: int = 500
    # Redis re-delivers a message whose worker died after this long (acks late).
    broker_visibility_timeout_seconds: int = 3600
    # A reminder stuck in "sending" this long (its worker was killed mid-send) is offered again:
    # longer than a send can take (the task's hard time limit is 90 s).
    sending_lease_seconds: int = 300
    # One stuck in "queued" this long (its task message was lost) is offered again: longer than
    # the longest pause before a retry, which waits queued.
    queued_lease_seconds: int = 3600
    display_timezone: str = "Europe/Berlin"
    # Closed cases are anonymised this long after closing (GDPR storage limitation).
    retention_days: int = 730
    # A documentation duty: a closed case's data is kept this long before erasure on request
    # (Art. 17(3)(b) GDPR); 0: none, erasure is possible as soon as the case is closed.
    erasure_hold_days: int = Field(default=0, ge=0)
    # People without a case (booked by phone, met at the desk) are erased once they have not
    # come this long; their contacts stay in the monthly count without them.
    visitor_retention_days: int = Field(default=180, ge=1)
    # Round-table guests named by name and email are erased this long after the meeting.
    guest_retention_days: int = Field(default=365, ge=1)
    # The audit trail's own periods: administrative changes, and who opened which case.
    audit_retention_days: int = Field(default=1095, ge=1)
    read_log_retention_days: int = Field(default=365, ge=1)
    # Bookkeeping kept for looking into problems, then deleted: outbox rows once relayed, and
    # the record of each supervisor's daily digest (only today's claim is needed to send once).
    outbox_keep_days: int = Field(default=7, ge=1)
    digest_keep_days: int = Field(default=90, ge=2)
    # Local time (Europe/Berlin) of the supervisors' daily digest, of the retention job and of
    # the morning look at every open case (ages and birth dates; before the office opens).
    digest_hour: int = 7
    retention_hour: int = 3
    look_again_hour: int = 5

    @model_validator(mode="after")
    def _refuse_moved_settings(self) -> "Settings":
        moved = [n for n in MOVED_TO_DEFINITION if f"WILLKOMMEN_{n.upper()}" in os.environ]
        if moved:
            names = ", ".join(f"WILLKOMMEN_{n.upper()}" for n in moved)
            raise ValueError(
                f"{names}: Fristen und Erinnerungen stehen jetzt in der Workflow-Definition "
                "(workflows/move_in/definitions/) und in der Variante eines Büros "
                "(/ablauf)."
            )
        return self

    def refuse_weak_secrets(self) -> None:
        """In production every secret must be a real one (see ``core.secrets``)."""
        if self.environment != "production":
            return
        found = list(secrets.problems(self._secrets()))
        if found:
            raise secrets.WeakSecrets(found)

    def _secrets(self) -> dict[str, tuple[str | None, int]]:
        smtp = self.smtp_password.get_secret_value() if self.smtp_password else None
        sms = self.sms_token.get_secret_value() if self.sms_token else None
        metrics = self.metrics_token.get_secret_value() if self.metrics_token else None
        database = secrets.url_password(self.database_url) or (
            self.database_password.get_secret_value() if self.database_password else None
        )
        return {
            "WILLKOMMEN_SECRET_KEY": (self.secret_key.get_secret_value(), secrets.MIN_SECRET_KEY),
            "WILLKOMMEN_FLOWER_PASSWORD": (
                self.flower_password.get_secret_value(),
                secrets.MIN_PASSWORD,
            ),
            "WILLKOMMEN_SMTP_PASSWORD": (smtp, 1),  # set by the mail relay: only no placeholder
            "WILLKOMMEN_SMS_TOKEN": (sms, 1),  # set by the SMS gateway: only no placeholder
            "WILLKOMMEN_METRICS_TOKEN": (metrics, secrets.MIN_PASSWORD),
            DATABASE_PASSWORD: (database, secrets.MIN_PASSWORD),
            "the password in WILLKOMMEN_BROKER_URL": (
                secrets.url_password(self.broker_url),
                secrets.MIN_PASSWORD,
            ),
        }

    def refuse_placeholders(self) -> None:
        """Production mail must not go to the dev profile's catcher (its web UI has no login:
        anyone reaching it reads households' mail) nor to the example's placeholder host, and
        partners' links must not point to a placeholder address."""
        if self.environment != "production":
            return
        found = []
        host = self.smtp_host.lower()
        if host == "mailpit" or "example" in host:
            found.append(
                "WILLKOMMEN_SMTP_HOST is the dev profile's mail catcher or a placeholder "
                "(set the city's mail relay)"
            )
        if "example" in self.public_base_url.lower():
            found.append("WILLKOMMEN_PUBLIC_BASE_URL is a placeholder (set the address staff use)")
        if found:
            raise secrets.WeakSecrets(found)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            url = make_url(self.database_url)
            if self.database_password and url.password is None and url.host:
                url = url.set(password=self.database_password.get_secret_value())
                return url.render_as_string(hide_password=False)
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'willkommen.db').resolve()}"

    @property
    def max_send_attempts(self) -> int:
        return len(self.smtp_retry_delays_seconds) + 1


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings; tests and the CLI clear the cache after changing the env.

    Every process (web, worker, beat, Flower, the CLI) reads them here at start-up, so in
    production none of them starts with a weak or example secret (``secrets.WeakSecrets``).
    """
    folder = Path(os.environ.get("WILLKOMMEN_SECRETS_DIR") or SECRETS_DIR)
    settings = Settings(_secrets_dir=folder if folder.is_dir() else None)
    settings.refuse_weak_secrets()
    settings.refuse_placeholders()
    return settings
