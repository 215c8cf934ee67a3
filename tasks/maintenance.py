"""Housekeeping: the retention job that anonymises closed cases, the audit trail's own, and the
bookkeeping that would otherwise grow for ever (relayed outbox rows, old digest records)."""

import logging
from datetime import timedelta

from core.celery_app import app
from core.clock import berlin, utc_now
from core.config import get_settings
from core.db import unit_of_work
from workflows.audit import retention as audit_retention
from workflows.engine import outbox
from workflows.oversight import digest
from workflows.privacy import guests, retention, visitors

log = logging.getLogger(__name__)


@app.task(name="maintenance.anonymise_closed_cases")
def anonymise_closed_cases() -> int:
    """Fan out one anonymisation task per closed case past the retention period."""
    settings = get_settings()
    with unit_of_work() as session:
        case_ids = retention.cases_due_for_anonymisation(
            session, utc_now(), settings.retention_days
        )
    for case_id in case_ids:
        anonymise_case.delay(case_id)
    return len(case_ids)


@app.task(name="maintenance.anonymise_case")
def anonymise_case(case_id: int) -> bool:
    """Anonymise one closed case's household (re-checked here; a second run changes nothing)."""
    with unit_of_work() as session:
        done = retention.anonymise_case(session, case_id, utc_now(), get_settings().retention_days)
    if done:
        log.info("case %s anonymised", case_id, extra={"case_id": case_id})
    return done


@app.task(name="maintenance.erase_visitors")
def erase_visitors() -> int:
    """Erase people without a case who have not come for ``visitor_retention_days``."""
    settings, now = get_settings(), utc_now()
    last_day = berlin(now).date() - timedelta(days=settings.visitor_retention_days)
    with unit_of_work() as session:
        erased = visitors.erase_forgotten(session, now, last_day)
    log.info("%s people without a case erased (not seen since %s)", erased, last_day)
    return erased


@app.task(name="maintenance.erase_round_table_guests")
def erase_round_table_guests() -> int:
    """Erase the names and addresses of round-table guests ``guest_retention_days`` after."""
    settings, now = get_settings(), utc_now()
    with unit_of_work() as session:
        erased = guests.erase_past(session, now - timedelta(days=settings.guest_retention_days))
    log.info("%s round-table guests erased", erased)
    return erased


@app.task(name="maintenance.purge_audit_trail")
def purge_audit_trail() -> dict[str, int]:
    """Delete audit entries and case readings past their retention period."""
    with unit_of_work() as session:
        gone = audit_retention.purge(session, utc_now(), get_settings())
    log.info("audit trail: %s changes and %s readings past their period deleted",
             gone["changes"], gone["reads"])  # fmt: skip
    return gone


@app.task(name="maintenance.prune_bookkeeping")
def prune_bookkeeping() -> dict[str, int]:
    """Delete outbox rows relayed more than ``outbox_keep_days`` ago and digest records older
    than ``digest_keep_days``; what is not relayed yet is never touched."""
    settings, now = get_settings(), utc_now()
    relayed = outbox.prune(now - timedelta(days=settings.outbox_keep_days))
    with unit_of_work() as session:
        digests = digest.prune(
            session, berlin(now).date() - timedelta(days=settings.digest_keep_days)
        )
    log.info("bookkeeping: %s relayed outbox rows and %s digest records deleted", relayed, digests)
    return {"outbox": relayed, "digests": digests}
