"""Is the engine working? The numbers operators alert on and supervisors see on the dashboard:
the outbox backlog, reminders by delivery status, failures, and when the due-reminder sweep last
ran (celery beat starts it; its time proves beat, broker and a worker alive at once).

Every reading is an index range scan or a primary-key lookup, so /metrics stays cheap however
many cases and reminders the database holds.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from core.config import Settings
from models import CaseEvent, Heartbeat, OutboxMessage, Reminder
from models.enums import ReminderStatus

DISPATCH = "dispatch"
# A sweep older than this many intervals (and at least three minutes) is a stopped beat.
STALE_AFTER_INTERVALS = 3
STALE_AT_LEAST = timedelta(minutes=3)
# Reminders counted by status: the ones in flight or waiting for someone, and the failures.
WATCHED_STATUSES = (
    ReminderStatus.QUEUED,
    ReminderStatus.SENDING,
    ReminderStatus.TASK,
    ReminderStatus.FAILED,
)


def record_sweep(session: Session, now: datetime, handled: int, name: str = DISPATCH) -> None:
    """Note that a sweep ran (two beats may both write: the later time wins)."""
    values = {"name": name, "at": now, "handled": handled}
    dialect = session.get_bind().dialect.name
    insert = (postgresql if dialect == "postgresql" else sqlite).insert(Heartbeat).values(values)
    session.execute(
        insert.on_conflict_do_update(index_elements=["name"], set_={"at": now, "handled": handled})
    )


def stale_after(settings: Settings) -> timedelta:
    interval = timedelta(seconds=settings.dispatch_interval_seconds)
    return max(STALE_AT_LEAST, STALE_AFTER_INTERVALS * interval)


@dataclass(frozen=True)
class Operations:
    now: datetime
    last_sweep_at: datetime | None
    sweep_stale_after: timedelta
    outbox_pending: int
    outbox_oldest_at: datetime | None
    due_not_queued: int  # scheduled reminders whose time has come: the sweep's backlog
    oldest_due_at: datetime | None
    by_status: dict[str, int] = field(default_factory=dict)

    @property
    def sweep_age(self) -> timedelta | None:
        return None if self.last_sweep_at is None else self.now - self.last_sweep_at

    @property
    def sweep_stopped(self) -> bool:
        """No sweep for too long (or never, while reminders are due): reminders stay unsent."""
        age = self.sweep_age
        if age is None:
            return self.due_not_queued > 0
        return age > self.sweep_stale_after

    @property
    def outbox_age(self) -> timedelta | None:
        return None if self.outbox_oldest_at is None else self.now - self.outbox_oldest_at


def read(session: Session, now: datetime, settings: Settings) -> Operations:
    heartbeat = session.get(Heartbeat, DISPATCH)
    pending = select(func.count(), func.min(OutboxMessage.created_at)).where(
        col(OutboxMessage.relayed_at).is_(None)
    )
    outbox_pending, outbox_oldest = session.exec(pending).one()
    due = select(func.count(), func.min(Reminder.due_at)).where(
        Reminder.status == ReminderStatus.SCHEDULED, col(Reminder.due_at) <= now
    )
    due_count, oldest_due = session.exec(due).one()
    by_status = {}
    for status in WATCHED_STATUSES:  # one range scan each on (status, due_at)
        counted = select(func.count()).where(Reminder.status == status)
        by_status[str(status)] = session.exec(counted).one()
    return Operations(
        now=now,
        last_sweep_at=heartbeat.at if heartbeat else None,
        sweep_stale_after=stale_after(settings),
        outbox_pending=outbox_pending,
        outbox_oldest_at=outbox_oldest,
        due_not_queued=due_count,
        oldest_due_at=oldest_due,
        by_status=by_status,
    )


def latest_event_id(session: Session) -> int:
    return session.exec(select(func.max(CaseEvent.id))).one() or 0


def events_after(session: Session, after_id: int) -> tuple[int, dict[str, int]]:
    """Case history entries (transitions and other events) written after ``after_id``, by
    trigger, and the newest id: counted incrementally, a primary-key range each time."""
    rows = session.exec(
        select(CaseEvent.trigger, func.count(), func.max(CaseEvent.id))
        .where(col(CaseEvent.id) > after_id)
        .group_by(CaseEvent.trigger)
    ).all()
    newest = max((row[2] or after_id for row in rows), default=after_id)
    return newest, {trigger: count for trigger, count, _ in rows}
