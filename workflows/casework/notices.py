"""Notices for the caseworker: what changed on a case and wants a look, told once.

A notice is written by the change that found something (a household edit, the daily look at
ages, a step whose waiting time is over) in that change's transaction. Its ``key`` names what
it is about, so the same thing found again is not told twice. Notices stay on the case page and
in the work list until someone marks them done; done ones are kept on record.
"""

from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.clock import utc_now
from models import Case, CaseNotice
from workflows.engine.access import may_work_on
from workflows.engine.errors import CaseNotFound, NotFound


class NoticeNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Hinweis nicht gefunden.")


def notify(session: Session, case_id: int, key: str, text: str, now: datetime) -> bool:
    """Tell the caseworker ``text`` unless ``key`` was told on this case already."""
    told = select(CaseNotice.id).where(CaseNotice.case_id == case_id, CaseNotice.key == key)
    if session.exec(told).first() is not None:
        return False
    session.add(CaseNotice(case_id=case_id, key=key[:120], text=text[:500], created_at=now))
    return True


def open_notices(session: Session, case_id: int) -> list[CaseNotice]:
    query = select(CaseNotice).where(
        CaseNotice.case_id == case_id, col(CaseNotice.done_at).is_(None)
    )
    return list(session.exec(query.order_by(col(CaseNotice.created_at), col(CaseNotice.id))))


def open_counts(session: Session, case_ids: list[int]) -> dict[int, int]:
    """How many notices wait on each of these cases (for the work list)."""
    if not case_ids:
        return {}
    query = (
        select(CaseNotice.case_id, func.count())
        .where(col(CaseNotice.case_id).in_(case_ids), col(CaseNotice.done_at).is_(None))
        .group_by(col(CaseNotice.case_id))
    )
    return {case_id: count for case_id, count in session.exec(query)}


def mark_done(
    session: Session, case_id: int, notice_id: int, *, actor_id: int, now: datetime | None = None
) -> CaseNotice:
    """Someone has looked: the notice leaves the lists (and stays on record)."""
    case = session.get(Case, case_id)
    if case is None or not may_work_on(session, actor_id, case.office_id):
        raise CaseNotFound(case_id)
    notice = session.get(CaseNotice, notice_id)
    if notice is None or notice.case_id != case_id:
        raise NoticeNotFound()
    if notice.done_at is None:
        notice.done_at, notice.done_by_id = now or utc_now(), actor_id
        session.flush()
    return notice
