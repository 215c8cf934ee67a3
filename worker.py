"""The Celery application for ``celery -A worker worker`` and ``celery -A worker beat``."""

import tasks.messages
import tasks.outbox
import tasks.reminders
from core.celery_app import app
from tasks.schedule import BEAT_SCHEDULE

app.conf.beat_schedule = BEAT_SCHEDULE

__all__ = ["app", "tasks"]
