"""Households answer an appointment without an account: "the date suits us", or "please
another date" with a word on when.

The invitation and the update of a visit or consultation (email, SMS, letter) carry a short
link ``/t/<token>``: a random token (96 bits) made for this version of the appointment (its
``sequence``) when the first message of that version is composed. It is the credential, like
the partners' signed links, and short enough for a text message. It works once (the first
answer wins; a second is refused), expires when the appointment starts, is moved (a new
version, a new link) or is called off, and opening it changes nothing: the answer is a POST.
The answer lands on the timeline and, as a notice, on the caseworker's list.
"""

import secrets
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from core.clock import berlin
from core.config import Settings
from models import Appointment, AppointmentAnswer, Case, CaseEvent, Household, Office
from models.enums import AppointmentKind, AppointmentStatus
from workflows.casework.notices import notify

TRIGGER = "household_answer"
PATH = "/t/"
MAX_NOTE = 500
TOKEN_BYTES = 12  # 16 characters in the link


class Answer(StrEnum):
    CONFIRMED = "confirmed"
    OTHER_DATE = "other_date"


KIND_WORDS = {
    AppointmentKind.WELCOME_VISIT: "Willkommensbesuch",
    AppointmentKind.FOLLOW_UP_VISIT: "Nachbesuch",
    AppointmentKind.CONSULTATION: "Termin in der Sprechstunde",
}


class LinkRefused(Exception):
    """A link that cannot be used (``reason``: "unknown", "gone", "answered")."""

    def __init__(self, reason: str, target: "Target | None" = None) -> None:
        super().__init__(reason)
        self.reason, self.target = reason, target


STATUS = {"unknown": 404, "gone": 410, "answered": 409}


@dataclass(frozen=True)
class Target:
    link: AppointmentAnswer
    appointment: Appointment
    case: Case
    household: Household
    office: Office


def url(settings: Settings, token: str) -> str:
    return f"{settings.public_base_url.rstrip('/')}{PATH}{token}"


def link_for(session: Session, appointment: Appointment, settings: Settings) -> str:
    """The answer link of this version of ``appointment``, made on first use."""
    query = select(AppointmentAnswer).where(
        AppointmentAnswer.appointment_id == appointment.id,
        AppointmentAnswer.sequence == appointment.sequence,
    )
    link = session.exec(query).first()
    if link is None:
        link = AppointmentAnswer(
            appointment_id=appointment.id,  # type: ignore[arg-type]
            sequence=appointment.sequence,
            token=secrets.token_urlsafe(TOKEN_BYTES),
        )
        try:
            with session.begin_nested():  # two messages composed at once: one link
                session.add(link)
        except IntegrityError:
            link = session.exec(query).one()
    return url(settings, link.token)


def find(session: Session, token: str, now: datetime, *, for_update: bool = False) -> Target:
    """What the link ``token`` answers; refused when unknown, expired or already used."""
    query = select(AppointmentAnswer).where(col(AppointmentAnswer.token) == token[:32])
    if for_update:
        query = query.with_for_update()
    link = session.exec(query).first()
    if link is None:
        raise LinkRefused("unknown")
    appointment = session.get(Appointment, link.appointment_id)
    assert appointment is not None
    case = session.get(Case, appointment.case_id)
    assert case is not None
    household = session.get(Household, case.household_id)
    office = session.get(Office, case.office_id)
    assert household is not None and office is not None
    target = Target(link, appointment, case, household, office)
    if link.answered_at is not None:
        raise LinkRefused("answered", target)
    if (
        appointment.status != AppointmentStatus.SCHEDULED
        or appointment.sequence != link.sequence
        or appointment.starts_at <= now
        or household.anonymised_at is not None
    ):
        raise LinkRefused("gone", target)
    return target


def answer(session: Session, token: str, given: Answer, note: str | None, now: datetime) -> Target:
    """Record the household's answer, once; on the timeline and the caseworker's list."""
    target = find(session, token, now, for_update=True)
    text = " ".join((note or "").split())[:MAX_NOTE] or None
    if given == Answer.CONFIRMED:
        text = None  # a confirmation needs no words; none are kept
    done = session.execute(
        update(AppointmentAnswer)
        .where(
            col(AppointmentAnswer.id) == target.link.id,
            col(AppointmentAnswer.answered_at).is_(None),
        )
        .values(answered_at=now, answer=str(given), note=text)
        .execution_options(synchronize_session=False)
    )
    if done.rowcount != 1:  # type: ignore[attr-defined]
        raise LinkRefused("answered", target)
    appointment = target.appointment
    what = KIND_WORDS.get(appointment.kind, "Termin")
    when = f"{berlin(appointment.starts_at):%d.%m. %H:%M}"
    if given == Answer.CONFIRMED:
        said = f"Haushalt bestätigt: {what} am {when}"
        hint = ""
    else:
        said = f"Haushalt bittet um einen anderen Termin: {what} am {when}"
        said += f" – „{text}“" if text else ""
        hint = " Bitte einen neuen Termin vereinbaren."
    session.add(
        CaseEvent(case_id=target.case.id, at=now, actor_id=None, trigger=TRIGGER, note=said)  # type: ignore[arg-type]
    )
    notify(session, target.case.id, f"answer:{target.link.id}", said + "." + hint, now)  # type: ignore[arg-type]
    session.flush()
    return target
