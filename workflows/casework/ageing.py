"""Time changes what applies: every morning each open case is looked at again.

A child turns 1, 6 or 18, a baby turns one, the expected birth date passes: nothing about the
household was edited, yet a step now applies or no longer does. The daily look runs the same
comparison as an edit (``eligibility.look_again``) on each open case, one case per transaction,
and tells the caseworker once (notices are keyed by what and the day).
"""

from datetime import datetime

from sqlmodel import Session, col, select

from core.db import unit_of_work
from models import Case
from workflows.casework import eligibility
from workflows.engine.changes import changing

BATCH = 200


def open_case_ids(session: Session, after_id: int = 0, limit: int = BATCH) -> list[int]:
    """The next open cases by id after ``after_id`` (the daily job walks them in batches)."""
    query = select(Case.id).where(col(Case.id) > after_id, col(Case.closed_at).is_(None))
    return [
        case_id for case_id in session.exec(query.order_by(col(Case.id)).limit(limit)) if case_id
    ]


def look_at(case_id: int, now: datetime) -> eligibility.Found:
    """One case, in its own transaction, as the system (no staff member)."""
    with unit_of_work() as session, changing(session, case_id, actor_id=None, now=now) as change:
        found = eligibility.look_again(change, why="Neuer Stand")
        eligibility.birth_overdue(change)
    return found
