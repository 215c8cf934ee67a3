"""The Celery application for ``celery -A worker worker`` and ``celery -A worker beat``."""

import tasks.casework
import tasks.maintenance
import tasks.messages
import tasks.outbox
import tasks.reminders
import tasks.roundtables
from core.celery_app import app
from core.config import get_settings
from tasks.schedule import beat_schedule
from workflows.installed import register_all

register_all()

app.conf.beat_schedule = beat_schedule(get_settings())

__all__ = ["app", "tasks"]
