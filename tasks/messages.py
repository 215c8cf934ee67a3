"""Tasks that send email."""

import logging

from celery import Task

from core import mail
from core.celery_app import app
from core.clock import utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import Staff
from workflows.messaging import delivery
from workflows.oversight import digest, escalations

log = logging.getLogger(__name__)


@app.task(name="messages.send_reminder", bind=True, max_retries=None)
def send_reminder(self: Task, reminder_id: int) -> str:
    """Send one reminder email; a failed attempt is retried with backoff, then shown as failed."""
    outcome = delivery.deliver(reminder_id)
    if outcome.retry_in is not None:
        raise self.retry(countdown=outcome.retry_in)
    return outcome.status


@app.task(name="messages.send_escalations")
def send_escalations(reminder_ids: list[int]) -> int:
    """A sweep's escalations: one mail per set of supervisors (one task each)."""
    with unit_of_work() as session:
        bundles = escalations.groups(session, reminder_ids)
    for bundle in bundles:
        send_escalation_bundle.delay(bundle)
    return len(bundles)


@app.task(name="messages.send_escalation_bundle", bind=True, max_retries=None)
def send_escalation_bundle(self: Task, reminder_ids: list[int]) -> str:
    """Send one bundle of escalations; a failed attempt is retried with those still in it."""
    outcome = delivery.deliver_bundle(reminder_ids)
    if outcome.retry_in is not None:
        raise self.retry(args=(outcome.bundle,), countdown=outcome.retry_in)
    return outcome.status


@app.task(name="messages.send_digests")
def send_digests() -> int:
    """Fan out one digest task per active supervisor (beat: every morning)."""
    with unit_of_work() as session:
        staff_ids = digest.supervisors(session)
    for staff_id in staff_ids:
        send_digest.delay(staff_id)
    return len(staff_ids)


@app.task(name="messages.send_digest")
def send_digest(staff_id: int) -> str:
    """Send one supervisor today's digest, once; nothing when there is nothing to report."""
    settings, now = get_settings(), utc_now()
    with unit_of_work() as session:
        staff = session.get(Staff, staff_id)
        if staff is None or not staff.active:
            return "skipped"
        content = digest.gather(session, staff, now)
        if not digest.claim(session, staff_id, digest.today(now), now):
            return "skipped"
        if not content.overdue and not content.failed:
            digest.mark(session, staff_id, digest.today(now), "empty")
            return "empty"
        message = digest.compose(staff, content, now, settings)
    try:
        mail.send(message, settings)
    except mail.MailError as exc:
        with unit_of_work() as session:
            digest.mark(session, staff_id, digest.today(now), "failed", str(exc))
        log.warning("digest for staff %s failed: %s", staff_id, exc)
        return "failed"
    with unit_of_work() as session:
        digest.mark(session, staff_id, digest.today(now), "sent")
    return "sent"
