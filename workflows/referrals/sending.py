"""Sending a referral: to the partner the caseworker chose (or the one suggested), with a
message, for a step of the case or for any category the household consented to.

The referral email goes out at once; unanswered, the partner is reminded once and later the
caseworker hears of it. Whatever ends a running referral (a decline, the step closed, the case
closed, consent withdrawn) asks the partner to delete what it received (``withdraw``).
"""

from datetime import datetime, timedelta

from sqlmodel import Session

from core import limits
from core.config import Settings
from models import Case, Referral
from models.enums import (
    PARTNER_CATEGORY_LABELS,
    PartnerCategory,
    Recipient,
    ReferralStatus,
    ReminderKind,
)
from workflows import consent
from workflows.engine import reminders
from workflows.engine.changes import changing
from workflows.engine.errors import InvalidInput


def schedule_mails(
    session: Session, case: Case, referral: Referral, now: datetime, settings: Settings
) -> None:
    """The referral email now; a reminder to the partner and word to the caseworker later."""
    reminders.schedule(
        session, case, ReminderKind.REFERRAL, Recipient.PARTNER, now, now,
        referral_id=referral.id,
    )  # fmt: skip
    # Cancelled as soon as the referral is answered or ends (reminders.why_obsolete).
    ask_again = now + timedelta(days=settings.referral_reminder_after_days)
    give_up = ask_again + timedelta(days=settings.referral_escalation_after_days)
    for kind, recipient, due in (
        (ReminderKind.REFERRAL_REMINDER, Recipient.PARTNER, ask_again),
        (ReminderKind.REFERRAL_UNANSWERED, Recipient.CASEWORKER, give_up),
    ):
        reminders.schedule(session, case, kind, recipient, due, now, referral_id=referral.id)


def withdraw(session: Session, case: Case, referral: Referral, now: datetime) -> None:
    """End a running referral: the partner is asked to delete the household's data."""
    referral.status = ReferralStatus.WITHDRAWN
    session.flush()
    reminders.schedule(
        session, case, ReminderKind.REFERRAL_WITHDRAWN, Recipient.PARTNER, now, now,
        referral_id=referral.id,
    )  # fmt: skip


REFER_TRIGGER = "refer"


def refer(
    session: Session,
    case_id: int,
    category: PartnerCategory,
    *,
    actor_id: int | None,
    partner_id: int | None = None,
    message: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Referral:
    """Refer the household to a partner of any category it consented to, outside the steps
    (a language course, a counselling service): the suggested partner or the one chosen."""
    message = (message or "").strip() or None
    if message is not None and len(message) > limits.NOTE:
        raise InvalidInput({"message": f"Höchstens {limits.NOTE} Zeichen."})
    label = PARTNER_CATEGORY_LABELS[category]
    with changing(
        session, case_id, actor_id=actor_id, expected_version=expected_version, now=now
    ) as change:
        facts, case = change.facts, change.case
        if change.workflow.is_closed(case.state):
            raise InvalidInput({"partner_category": "Der Fall ist abgeschlossen."})
        if category not in facts.consented_categories:
            why = consent.missing(facts.consents.get(category), category, facts.today)
            raise InvalidInput({"partner_category": why or ""})
        fitting = facts.partners_for(category)
        if not fitting:
            raise InvalidInput(
                {"partner_id": f"Kein aktiver Partner '{label}' für den Bezirk hinterlegt."}
            )
        partner = (
            fitting[0]
            if partner_id is None
            else next((p for p in fitting if p.id == partner_id), None)
        )
        if partner is None:
            raise InvalidInput({"partner_id": "Dieser Partner passt nicht (Art, Bezirk, aktiv)."})
        referral = Referral(
            case_id=case_id,
            step_id=None,
            partner_id=partner.id,  # type: ignore[arg-type]
            message=message,
            created_by_id=actor_id,
            created_at=change.writer.now,
        )
        session.add(referral)
        session.flush()
        schedule_mails(session, case, referral, change.writer.now, facts.settings)
        change.record(REFER_TRIGGER, f"Weitervermittelt an {partner.name} ({label})")
    return referral
