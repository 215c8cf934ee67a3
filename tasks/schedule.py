"""The one beat schedule, keyed by readable names. Crontab times are Europe/Berlin."""

from typing import Any

from celery.schedules import crontab

from core.config import Settings


def beat_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    return {
        # Sends what is due: reminders, and escalations of overdue steps and visits to the
        # supervisors (those are reminder rows due at the deadline).
        "dispatch due reminders and escalations": {
            "task": "reminders.dispatch_due",
            "schedule": settings.dispatch_interval_seconds,
        },
        "relay pending outbox messages": {
            "task": "outbox.relay",
            "schedule": settings.relay_interval_seconds,
        },
        "daily digest to supervisors": {
            "task": "messages.send_digests",
            "schedule": crontab(hour=settings.digest_hour, minute=0),
        },
        "remind the owners of overdue round-table actions (once each)": {
            "task": "roundtables.remind_overdue_actions",
            "schedule": crontab(hour=settings.digest_hour, minute=10),
        },
        "look at every open case again (ages, birth dates)": {
            "task": "casework.look_at_open_cases",
            "schedule": crontab(hour=settings.look_again_hour, minute=30),
        },
        "anonymise closed cases after the retention period": {
            "task": "maintenance.anonymise_closed_cases",
            "schedule": crontab(hour=settings.retention_hour, minute=15),
        },
        "erase people without a case not seen for visitor_retention_days": {
            "task": "maintenance.erase_visitors",
            "schedule": crontab(hour=settings.retention_hour, minute=35),
        },
        "erase round-table guests' names and addresses after guest_retention_days": {
            "task": "maintenance.erase_round_table_guests",
            "schedule": crontab(hour=settings.retention_hour, minute=40),
        },
        "delete audit entries and case readings past their period": {
            "task": "maintenance.purge_audit_trail",
            "schedule": crontab(hour=settings.retention_hour, minute=45),
        },
        "delete relayed outbox rows and old digest records": {
            "task": "maintenance.prune_bookkeeping",
            "schedule": crontab(hour=settings.retention_hour, minute=55),
        },
    }
