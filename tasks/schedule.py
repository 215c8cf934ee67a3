"""The one beat schedule, keyed by readable names."""

BEAT_SCHEDULE = {
    "dispatch due reminders": {"task": "reminders.dispatch_due", "schedule": 60.0},
    "relay pending outbox messages": {"task": "outbox.relay", "schedule": 15.0},
}
