"""Delivering one reminder: claim it, choose its channel, send it, record the outcome. Safe to
run twice."""

import logging
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import bindparam
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, col, select

from core import mail, sms
from core.clock import utc_now
from core.config import Settings, get_settings
from core.db import hold, persist, unit_of_work
from models import Case, Household, Office, Partner, Referral, Reminder, Staff
from models.enums import Channel, Recipient
from workflows.engine import reminders
from workflows.messaging import by_hand, channels
from workflows.messaging.compose import Undeliverable, compose, short_text
from workflows.oversight import escalations

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outcome:
    # "sent", "skipped" (moot or taken by another delivery), "retry", "failed", "task" (the
    # caseworker's now), "next channel" (queued again for the household's next channel)
    status: str
    retry_in: float | None = None
    bundle: list[int] | None = None  # the reminders a bundle still holds (to retry them alone)


# What composing a message reads besides the reminder's own rows (``reminders.claim``): the
# household, the office, the caseworker, a referral's partner; read once, held for the delivery.
_AROUND = (
    select(Household, Office, Staff, Partner)
    .select_from(Case)
    .join(Household, col(Household.id) == Case.household_id)
    .join(Office, col(Office.id) == Case.office_id)
    .outerjoin(Staff, col(Staff.id) == Case.assignee_id)
    .outerjoin(Reminder, col(Reminder.id) == bindparam("reminder_id"))
    .outerjoin(Referral, col(Referral.id) == Reminder.referral_id)
    .outerjoin(Partner, col(Partner.id) == Referral.partner_id)
    .where(col(Case.id) == bindparam("case_id"))
)


def deliver(reminder_id: int, settings: Settings | None = None) -> Outcome:
    """Send the reminder once, on its channel; a failure is recorded on it with the pause
    before a retry. A household message whose channel failed for good goes on to the
    household's next channel; one no worker can send becomes a task for the caseworker."""
    settings = settings or get_settings()
    with unit_of_work() as session:
        now = utc_now()
        reminder = reminders.claim(session, reminder_id, now)
        if reminder is None:
            return Outcome("skipped")
        case_id, kind = reminder.case_id, reminder.kind
        hold(
            session,
            *session.execute(_AROUND, {"case_id": case_id, "reminder_id": reminder_id}).one(),
        )
        try:
            route = _route(session, reminder, settings, now)
        except Undeliverable as exc:
            reminders.record_failure(
                session, reminder_id, str(exc), utc_now(), settings, permanent=True
            )
            log.warning(
                "reminder %s of case %s not sent (no address, or no consent in force)",
                reminder_id, case_id,
                extra={"case_id": case_id, "reminder_id": reminder_id},
            )  # fmt: skip
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
                "reminder %s of case %s: not built (%s)", reminder_id, case_id,
                type(exc).__name__, extra={"case_id": case_id, "reminder_id": reminder_id},
            )  # fmt: skip
            return Outcome("failed")
        if isinstance(route, Channel):  # a call or a letter: the caseworker's list has it now
            by_hand.assign(session, reminder, route)
            log.info(
                "reminder %s of case %s: a task (%s)", reminder_id, case_id, route,
                extra={"case_id": case_id, "reminder_id": reminder_id},
            )  # fmt: skip
            return Outcome("task")
        household = reminder.recipient == Recipient.HOUSEHOLD
    ref: str | None = None
    try:
        if isinstance(route, Text):
            ref = sms.send(route.to, route.text, settings, key=f"reminder-{reminder_id}")
        else:
            mail.send(route.message, settings)
    except (mail.MailError, sms.SmsError) as exc:
        return _failed(reminder_id, case_id, route.channel, exc, household, settings)
    # The mail server has it: the mark must survive a dropped database connection, or the
    # reminder would be offered again after the lease and sent twice.
    persist(
        lambda session: reminders.mark_sent(
            session, reminder_id, utc_now(), channel=route.channel, provider_ref=ref
        )
    )
    log.info(
        "reminder %s (%s) of case %s sent (%s)", reminder_id, kind, case_id, route.channel,
        extra={"case_id": case_id, "reminder_id": reminder_id, "channel": str(route.channel)},
    )  # fmt: skip
    return Outcome("sent")


@dataclass(frozen=True)
class Mail:
    message: EmailMessage
    channel: str = Channel.EMAIL


@dataclass(frozen=True)
class Text:
    to: str  # E.164
    text: str
    channel: str = Channel.SMS


def _route(
    session: Session, reminder: Reminder, settings: Settings, now: datetime
) -> Mail | Text | Channel:
    """What to send and how: an email, a text message, or the channel of a task."""
    if reminder.recipient != Recipient.HOUSEHOLD:
        return Mail(compose(session, reminder, settings))
    case = session.get(Case, reminder.case_id)
    assert case is not None
    household = session.get(Household, case.household_id)
    assert household is not None
    channel = channels.choose(session, reminder, household, now, settings)
    if channel == Channel.EMAIL:
        return Mail(compose(session, reminder, settings))
    if channel == Channel.SMS:
        number = sms.mobile_number(household.phone)
        assert number is not None  # channels.choose asked
        return Text(number, short_text(session, reminder, settings))
    if channel == Channel.HELPER and household.helper_email:
        return Mail(compose(session, reminder, settings, to_helper=True), Channel.HELPER)
    return channel


def _failed(
    reminder_id: int,
    case_id: int,
    channel: str,
    exc: mail.MailError | sms.SmsError,
    household: bool,
    settings: Settings,
) -> Outcome:
    """Record a failed attempt: a pause before the next, or (given up) the household's next
    channel, or for staff and partners a failure shown on the dashboard."""
    error, permanent = f"{channels.label(channel)}: {exc}", exc.permanent

    def record(session: Session) -> tuple[float | None, bool]:
        now = utc_now()
        pause = reminders.record_failure(
            session, reminder_id, error, now, settings, permanent=permanent
        )
        if pause is None and household:
            reminders.fall_back(session, reminder_id, channel, error, now)
            return None, True
        return pause, False

    pause, onwards = persist(record)
    log.warning(
        "reminder %s of case %s: sending failed on %s (%s); %s",
        reminder_id, case_id, channel, getattr(exc, "summary", exc),
        "next channel" if onwards else f"retry in {pause} s" if pause else "given up",
        extra={"case_id": case_id, "reminder_id": reminder_id, "channel": str(channel)},
    )  # fmt: skip
    if onwards:
        return Outcome("next channel")
    return Outcome("failed" if pause is None else "retry", pause)


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
