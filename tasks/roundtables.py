"""Tasks of the round tables: the daily sweep for overdue actions (one reminder each, once),
and the calendar invitations of a meeting (one task per guest, each version once)."""

import logging

from celery import Task

from core import mail
from core.celery_app import app
from core.clock import berlin, utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import RoundTable
from workflows.roundtables import invitations, items

log = logging.getLogger(__name__)
RETRY_SECONDS = 300


@app.task(name="roundtables.remind_overdue_actions")
def remind_overdue_actions() -> int:
    """Fan out one reminder task per overdue action whose owner has not been reminded."""
    now = utc_now()
    with unit_of_work() as session:
        due = items.overdue(session, berlin(now).date(), now)
    for item_id in due:
        remind_action.delay(item_id=item_id)
    return len(due)


@app.task(name="roundtables.remind_action", bind=True, max_retries=12)
def remind_action(self: Task, item_id: int) -> str:
    """Remind the owner of one overdue action, once; a failed send is tried again later."""
    settings, now = get_settings(), utc_now()
    with unit_of_work() as session:
        if not items.claim(session, item_id, now):
            return "skipped"
        message = items.reminder(session, item_id, settings)
        if message is None:
            items.settle(session, item_id, now, sent=True)  # nobody to write to: not again
            return "no address"
    try:
        mail.send(message, settings)
    except mail.MailError as exc:
        # Refused for good (an address that does not exist): not again; otherwise later.
        with unit_of_work() as session:
            items.settle(session, item_id, now, sent=exc.permanent)
        log.warning("round table action %s: reminder failed: %s", item_id, exc)
        if exc.permanent:
            return "refused"
        raise self.retry(countdown=RETRY_SECONDS) from None
    with unit_of_work() as session:
        items.settle(session, item_id, now, sent=True)
    return "sent"


@app.task(name="roundtables.send_invitations")
def send_invitations(round_table_id: int) -> int:
    """One invitation task per guest who has not had this version of the meeting."""
    with unit_of_work() as session:
        meeting = session.get(RoundTable, round_table_id)
        guest_ids = invitations.due(session, meeting) if meeting else []
    for guest_id in guest_ids:
        send_invitation.delay(guest_id=guest_id)
    return len(guest_ids)


@app.task(name="roundtables.send_invitation", bind=True, max_retries=12)
def send_invitation(self: Task, guest_id: int) -> str:
    """Send one guest the meeting as it is now (invitation, update or cancellation), once."""
    settings, now = get_settings(), utc_now()
    with unit_of_work() as session:
        before, claimed = invitations.claim(session, guest_id, now)
        if claimed < 0:
            return "skipped"
        message = invitations.message(session, guest_id, settings, now)
        if message is None:
            return "no address"
    try:
        mail.send(message, settings)
    except mail.MailError as exc:
        # Given back either way: the page shows the guest as not invited (yet).
        with unit_of_work() as session:
            invitations.give_back(session, guest_id, before)
        log.warning("round table guest %s: invitation failed: %s", guest_id, exc)
        if exc.permanent:  # the address is refused for good: trying again cannot help
            return "refused"
        raise self.retry(countdown=RETRY_SECONDS) from None
    return "sent"
