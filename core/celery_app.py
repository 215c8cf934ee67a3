"""The Celery application: JSON only, ids only, named queues, safe acknowledgement."""

from typing import Any

from celery import Celery, signals
from kombu import Queue

from core import logs, mail
from core.config import Settings, get_settings

QUEUES = ("messages", "referrals", "maintenance")

# Routing by task name: "<area>.<verb>" → queue.
TASK_ROUTES = {
    "messages.*": {"queue": "messages"},
    "referrals.*": {"queue": "referrals"},
    "roundtables.*": {"queue": "messages"},
    "reminders.*": {"queue": "maintenance"},
    "outbox.*": {"queue": "maintenance"},
    "maintenance.*": {"queue": "maintenance"},
}


def broker_url(settings: Settings) -> str:
    """The configured broker, or the private Redis that ``willkommen dev`` starts in data_dir."""
    if settings.broker_url:
        return settings.broker_url
    return f"redis+socket://{(settings.data_dir / 'redis' / 'redis.sock').resolve()}"


def configure(app: Celery, settings: Settings) -> None:
    """Apply the settings to ``app`` (again, after tests or the CLI changed them)."""
    app.conf.update(
        broker_url=broker_url(settings),
        broker_connection_retry_on_startup=True,
        # Fail fast when Redis is away or hangs: the outbox keeps the work and relays it later
        # (from a thread of its own, never while someone waits for a page).
        broker_transport_options={
            "visibility_timeout": settings.broker_visibility_timeout_seconds,
            "socket_connect_timeout": 3,
            "socket_timeout": 5,
        },
        task_publish_retry_policy={
            "max_retries": 2,
            "interval_start": 0,
            "interval_step": 0.2,
            "interval_max": 0.5,
        },
        # Every beat ticks a heartbeat file in the data folder (its health check, core.beat).
        beat_scheduler="core.beat:HeartbeatScheduler",
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_ignore_result=True,
        result_backend=None,
        task_queues=[Queue(name) for name in QUEUES],
        task_default_queue="maintenance",
        task_routes=TASK_ROUTES,
        # Tasks are idempotent (they re-check the database), so a message whose worker died is
        # delivered again rather than lost.
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_soft_time_limit=60,
        task_time_limit=90,
        task_send_sent_event=True,
        worker_send_task_events=True,
        worker_hijack_root_logger=False,
        enable_utc=True,
        timezone="Europe/Berlin",
    )


@signals.setup_logging.connect
def _logging(loglevel: int | str | None = None, **_kwargs: Any) -> None:
    """Workers and beat log as every other process does (text, or JSON in production):
    connecting here keeps Celery from setting up logging of its own."""
    logs.configure(get_settings(), level=loglevel)


@signals.worker_process_shutdown.connect
def _close_mail(**_kwargs: Any) -> None:
    """A worker process ending says goodbye to the SMTP server on the connection it kept."""
    mail.close()


app = Celery("willkommen")
configure(app, get_settings())
