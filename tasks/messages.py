"""Tasks that send email."""

from celery import Task

from core.celery_app import app
from workflows import delivery


@app.task(name="messages.send_reminder", bind=True, max_retries=None)
def send_reminder(self: Task, reminder_id: int) -> str:
    """Send one reminder email; a failed attempt is retried with backoff, then shown as failed."""
    outcome = delivery.deliver(reminder_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status
