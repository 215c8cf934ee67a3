"""The periodic sweep that hands due reminders to the workers."""

from core.celery_app import app
from core.clock import utc_now
from core.config import get_settings
from core.db import unit_of_work
from workflows.engine import reminders
from workflows.oversight import operations


@app.task(name="reminders.dispatch_due")
def dispatch_due() -> int:
    """Queue every reminder that is due now, one send task each; returns how many. The sweep's
    time is recorded (dashboard, /metrics): a stopped beat shows as a sweep that is late."""
    settings = get_settings()
    total = 0
    while True:
        with unit_of_work() as session:
            queued = reminders.dispatch_due(session, utc_now(), settings)
        total += queued
        if queued < settings.dispatch_batch_size:
            break
    with unit_of_work() as session:
        operations.record_sweep(session, utc_now(), total)
    return total
