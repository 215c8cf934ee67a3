"""A referral's loop closed: the partner's answer through its signed link, consent withdrawn.

The referral's status is written with a guarded update (``WHERE status = 'sent'``), so of two
answers at once exactly one counts. When the step must go back to open, that goes through the
engine (``end_referral_<step>``), the one writer of a case; the partner acts as "nobody on
staff" (``actor_id=None``) and is named in the history entry's note.
"""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlmodel import Session, col, select

from core.clock import utc_now
from models import Case, CaseEvent, CaseStep, Partner, Referral
from models.enums import RUNNING_REFERRAL_STATUSES, ReferralStatus
from workflows.casework.notices import notify
from workflows.engine import advance, reminders
from workflows.move_in.states import StepState
from workflows.referrals import sending
from workflows.referrals.links import Action, AlreadyAnswered

MAX_REASON_LENGTH = 1000


def _take(session: Session, referral_id: int, status: ReferralStatus, **values: object) -> bool:
    """Move a referral from ``sent`` to ``status``; False if someone else got there first."""
    result = session.execute(
        update(Referral)
        .where(col(Referral.id) == referral_id, col(Referral.status) == ReferralStatus.SENT)
        .values(status=status, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1  # type: ignore[attr-defined]


def answer(
    session: Session,
    referral_id: int,
    action: Action,
    reason: str | None = None,
    *,
    now: datetime | None = None,
) -> Referral:
    """Record the partner's answer; a decline puts the step back to open, through the engine."""
    now = now or utc_now()
    note = (reason or "").strip()[:MAX_REASON_LENGTH] or None
    status = ReferralStatus.ACCEPTED if action == Action.ACCEPT else ReferralStatus.DECLINED
    if not _take(session, referral_id, status, answered_at=now, answer_note=note):
        raise AlreadyAnswered("Diese Weitervermittlung wurde bereits beantwortet.")
    referral = session.get(Referral, referral_id, populate_existing=True)
    assert referral is not None
    case = session.get(Case, referral.case_id)
    assert case is not None
    if status == ReferralStatus.DECLINED:
        partner = session.get(Partner, referral.partner_id)
        said = f"Abgelehnt von {partner.name if partner else 'Partner'}"
        _end_referral(session, referral, f"{said}: {note}" if note else said, None, now)
    else:
        reminders.cancel_obsolete(session, case, referral_id=referral.id)
    session.flush()
    return referral


def _end_referral(
    session: Session, referral: Referral, note: str, actor_id: int | None, now: datetime
) -> None:
    step = session.get(CaseStep, referral.step_id)
    if step is not None and step.state == StepState.REFERRED:
        trigger = f"end_referral_{step.kind}"
        advance(session, referral.case_id, trigger, actor_id=actor_id, note=note, now=now)


class Outcome(StrEnum):
    DONE = "done"  # erledigt
    NOT_REACHED = "not_reached"  # the household could not be reached


REPORT_TRIGGER = "partner_report"
OUTCOME_WORDS = {Outcome.DONE: "erledigt", Outcome.NOT_REACHED: "Haushalt nicht erreicht"}


def report(
    session: Session,
    referral_id: int,
    outcome: Outcome,
    note: str | None = None,
    *,
    now: datetime | None = None,
) -> Referral:
    """The partner reports how the referral ended, once; on the timeline and the caseworker's
    list. Not reached: a step referred goes back to open (through the engine)."""
    now = now or utc_now()
    text = (note or "").strip()[:MAX_REASON_LENGTH] or None
    status = ReferralStatus.DONE if outcome == Outcome.DONE else ReferralStatus.NOT_REACHED
    result = session.execute(
        update(Referral)
        .where(col(Referral.id) == referral_id, col(Referral.status).in_(RUNNING_REFERRAL_STATUSES))
        .values(status=status, reported_at=now, report_note=text)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise AlreadyAnswered("Für diese Weitervermittlung wurde bereits ein Ergebnis gemeldet.")
    referral = session.get(Referral, referral_id, populate_existing=True)
    assert referral is not None
    case = session.get(Case, referral.case_id)
    partner = session.get(Partner, referral.partner_id)
    assert case is not None and partner is not None
    said = f"{partner.name} meldet: {OUTCOME_WORDS[outcome]}" + (f" – {text}" if text else "")
    session.add(
        CaseEvent(case_id=case.id, at=now, actor_id=None, trigger=REPORT_TRIGGER, note=said)  # type: ignore[arg-type]
    )
    step = session.get(CaseStep, referral.step_id) if referral.step_id else None
    hint = ""
    if step is not None and outcome == Outcome.DONE:
        hint = " Bitte den Schritt prüfen und abschließen."
    elif outcome == Outcome.NOT_REACHED:
        hint = " Bitte Kontakt aufnehmen oder anders vermitteln."
    notify(session, case.id, f"report:{referral.id}", said + "." + hint, now)  # type: ignore[arg-type]
    if step is not None and outcome == Outcome.NOT_REACHED and step.state == StepState.REFERRED:
        _end_referral(session, referral, said, None, now)
    reminders.cancel_obsolete(session, case, referral_id=referral.id)
    session.flush()
    return referral


def withdraw_for_consent(
    session: Session, household_id: int, category: str, *, actor_id: int, now: datetime
) -> list[int]:
    """Consent withdrawn: each running referral of the category ends through the engine (the
    partner is asked to delete the data, the step is open again); returns their ids."""
    query = (
        select(Referral)
        .join(Case, col(Case.id) == Referral.case_id)
        .join(Partner, col(Partner.id) == Referral.partner_id)
        .where(
            Case.household_id == household_id,
            Partner.category == category,
            col(Referral.status).in_(RUNNING_REFERRAL_STATUSES),
        )
    )
    ended = []
    for referral in list(session.exec(query)):
        step = session.get(CaseStep, referral.step_id) if referral.step_id else None
        if step is not None and step.state == StepState.REFERRED:
            _end_referral(session, referral, "Einwilligung widerrufen", actor_id, now)
        else:  # a referral without a step: withdrawn, the partner asked to delete the data
            case = session.get(Case, referral.case_id)
            assert case is not None
            sending.withdraw(session, case, referral, now)
        ended.append(referral.id or 0)
    return ended
