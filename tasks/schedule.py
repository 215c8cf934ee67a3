"""The one beat schedule, keyed by readable names."""

from typing import Any

from core.config import Settings


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    return {
        "dispatch due reminders": {
            "task": "reminders.dispatch_due",
            "schedule": settings.dispatch_interval_seconds,
        },
        "relay pending outbox messages": {
            "task": "outbox.relay",
            "schedule": settings.relay_interval_seconds,
        },
    }
