"""Administrative changes, recorded with every flush that makes them: who (the session's
``actor_id``, set when a staff member signs in or uses a token; None for the command line),
when, which row, each field before and after.

Secrets (password and token hashes) are recorded as changed, never with their values; sign-in
bookkeeping (failed attempts, last sign-in) is left out. Both are declared on the models
(``info={"audit": …}``).
"""

from collections.abc import Callable
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session, UOWTransaction

from core.clock import utc_now
from core.values import plain
from models import (
    ApiToken,
    AuditEntry,
    CalendarFeed,
    ConsultationClosure,
    ConsultationHour,
    ObstacleKind,
    Office,
    Partner,
    Staff,
    SubLocation,
    WorkflowVariant,
)

CHANGED = "•••"  # what a secret's before and after read in the trail

# The audited models, and the office a row belongs to (its supervisors see the entry).
AUDITED: dict[type, Callable[[Session, Any], int | None]] = {
    Staff: lambda _session, staff: staff.office_id,
    Office: lambda _session, office: office.id,
    SubLocation: lambda _session, place: place.office_id,
    ConsultationHour: lambda _session, hour: hour.office_id,
    Partner: lambda _session, _partner: None,  # city-wide
    ApiToken: lambda session, token: _office_of_staff(session, token.staff_id),
    CalendarFeed: lambda session, feed: _office_of_staff(session, feed.staff_id),
    ConsultationClosure: lambda session, closure: _office_of_hour(session, closure.hour_id),
    ObstacleKind: lambda _session, kind: kind.office_id,
    WorkflowVariant: lambda _session, variant: variant.office_id,
}


def _office_of_hour(session: Session, hour_id: int) -> int | None:
    with session.no_autoflush:
        hour = session.get(ConsultationHour, hour_id)
    return hour.office_id if hour else None


def _office_of_staff(session: Session, staff_id: int) -> int | None:
    with session.no_autoflush:
        staff = session.get(Staff, staff_id)
    return staff.office_id if staff else None


def _treatment(column: Any) -> str | None:
    return column.info.get("audit") if hasattr(column, "info") else None


def _fields(obj: Any, *, before: bool, after: bool) -> dict[str, list[Any]]:
    """Field -> [before, after] for a row created (only after), deleted (only before), or every
    changed field of a row changed (both)."""
    state = inspect(obj)
    found: dict[str, list[Any]] = {}
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        treatment = _treatment(column)
        if treatment == "skip" or column.primary_key:
            continue
        history = state.attrs[attr.key].history
        if before and after:
            if not history.has_changes():
                continue
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
        else:
            value = getattr(obj, attr.key)
            old, new = (value, None) if before else (None, value)
            if value is None:
                continue
        if treatment == "secret":
            old, new = (
                (CHANGED if old is not None else None),
                (CHANGED if new is not None else None),
            )
        found[attr.key] = [plain(old), plain(new)]
    return found


def _name(obj: Any) -> str | None:
    """What people call the row: its name, or for a token its staff member's token name."""
    name = getattr(obj, "name", None)
    return str(name)[:200] if name else None


@event.listens_for(Session, "after_flush")
def _record(session: Session, _flush: UOWTransaction) -> None:
    rows = []
    for action, objects in (
        ("created", session.new),
        ("changed", session.dirty),
        ("deleted", session.deleted),
    ):
        for obj in objects:
            office_of = AUDITED.get(type(obj))
            if office_of is None:
                continue
            fields = _fields(obj, before=action != "created", after=action != "deleted")
            if not fields:
                continue  # only bookkeeping changed (a sign-in)
            rows.append(
                {
                    "at": utc_now(),
                    "actor_id": session.info.get("actor_id"),
                    "office_id": office_of(session, obj),
                    "action": action,
                    "target": type(obj).__tablename__,  # type: ignore[attr-defined]
                    "target_id": obj.id,
                    "target_name": _name(obj),
                    "changes": fields,
                }
            )
    if rows:
        session.connection().execute(insert(AuditEntry), rows)
