"""The audit trail's own retention: changes and readings are deleted once they are older than
their period (settings ``audit_retention_days``, ``read_log_retention_days``)."""

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col

from core.config import Settings
from models import AuditEntry, CaseRead


def purge(session: Session, now: datetime, settings: Settings) -> dict[str, int]:
    """Delete what is past its period; returns how many of each went."""
    changes_before = now - timedelta(days=settings.audit_retention_days)
    reads_before = now - timedelta(days=settings.read_log_retention_days)
    changes = session.execute(delete(AuditEntry).where(col(AuditEntry.at) < changes_before))
    reads = session.execute(delete(CaseRead).where(col(CaseRead.at) < reads_before))
    return {"changes": changes.rowcount, "reads": reads.rowcount}  # type: ignore[attr-defined]
