"""Delivering one reminder: claim it, send it, record the outcome. Safe to run twice."""

import logging
from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from core import mail
from core.clock import utc_now
from core.config import Settings, get_settings
from core.db import persist, unit_of_work
from workflows.engine import reminders
from workflows.messaging.compose import Undeliverable, compose
from workflows.oversight import escalations

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    status: str  # "sent", "skipped" (moot or taken by another delivery), "retry", "failed"
    retry_in: float | None = None
    bundle: list[int] | None = None  # the reminders a bundle still holds (to retry them alone)


def deliver(reminder_id: int, settings: Settings | None = None) -> Outcome:
    """Send the reminder once; SMTP failures are recorded on it with the pause before a retry."""
    settings = settings or get_settings()
    with unit_of_work() as session:
        reminder = reminders.claim(session, reminder_id, utc_now())
        if reminder is None:
            return Outcome("skipped")
        case_id, kind = reminder.case_id, reminder.kind
        try:
            message = compose(session, reminder, settings)
        except Undeliverable as exc:
            reminders.record_failure(
                session, reminder_id, str(exc), utc_now(), settings, permanent=True
            )
            log.warning("reminder %s of case %s: no address on record", reminder_id, case_id)
            return Outcome("failed")
        except SQLAlchemyError:
            raise  # the database, not the message: the task is tried again
        except Exception as exc:  # noqa: BLE001 - a message that cannot be built never will be
            # Shown on the case and the dashboard and never retried: trying again cannot help.
            # Staff read the reason (it may quote data); the log names only the kind of error.
            session.rollback()
            reason = f"Nachricht konnte nicht erstellt werden: {exc}"
            reminders.record_failure(
                session, reminder_id, reason, utc_now(), settings, permanent=True
            )
            log.error(
                "reminder %s of case %s: not built (%s)", reminder_id, case_id, type(exc).__name__
            )
            return Outcome("failed")
    try:
        mail.send(message, settings)
    except mail.MailError as exc:
        error, permanent = str(exc), exc.permanent
        pause = persist(
            lambda session: reminders.record_failure(
                session, reminder_id, error, utc_now(), settings, permanent=permanent
            )
        )
        log.warning(
            "reminder %s of case %s: sending failed (%s); retry in %s s",
            reminder_id, case_id, exc, pause,
        )  # fmt: skip
        return Outcome("failed" if pause is None else "retry", pause)
    # The mail server has it: the mark must survive a dropped database connection, or the
    # reminder would be offered again after the lease and sent twice.
    persist(lambda session: reminders.mark_sent(session, reminder_id, utc_now()))
    log.info("reminder %s (%s) of case %s sent", reminder_id, kind, case_id)
    return Outcome("sent")


def deliver_bundle(reminder_ids: list[int], settings: Settings | None = None) -> Outcome:
    """Send these escalations as one mail (they share their recipients); each is claimed
    first, so one taken by another delivery or moot meanwhile is left out, and recorded as
    sent or failed with the others."""
    settings = settings or get_settings()
    with unit_of_work() as session:
        now = utc_now()
        claimed = [r for rid in reminder_ids if (r := reminders.claim(session, rid, now))]
        if not claimed:
            return Outcome("skipped")
        ids = [r.id for r in claimed if r.id is not None]
        try:
            message = escalations.compose(session, claimed, settings)
        except Undeliverable as exc:
            for rid in ids:
                reminders.record_failure(session, rid, str(exc), now, settings, permanent=True)
            log.warning("escalations %s: no address on record", ids)
            return Outcome("failed")
    try:
        mail.send(message, settings)
    except mail.MailError as exc:
        error, permanent = str(exc), exc.permanent

        def record(session: Session) -> float | None:
            pauses = [
                reminders.record_failure(
                    session, rid, error, utc_now(), settings, permanent=permanent
                )
                for rid in ids
            ]
            return None if None in pauses else max(p for p in pauses if p is not None)

        pause = persist(record)
        log.warning("escalations %s: sending failed (%s); retry in %s s", ids, exc, pause)
        return Outcome("failed" if pause is None else "retry", pause, bundle=ids)

    def sent(session: Session) -> None:
        for rid in ids:
            reminders.mark_sent(session, rid, utc_now())

    persist(sent)
    log.info("escalations %s sent in one mail", ids)
    return Outcome("sent")
