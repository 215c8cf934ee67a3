"""The periodic sweep that relays effects the broker missed (it was down at commit time)."""

from core.celery_app import app
from workflows.engine import outbox


@app.task(name="outbox.relay")
def relay() -> int:
    """Publish every pending outbox message; returns how many."""
    return outbox.relay()
