"""Signed links that let a partner accept or decline a referral, and later report how it
ended, without an account.

A link carries the referral's id, its case, the action and the referral's random nonce, signed
with the secret key (itsdangerous). It expires after ``referral_link_max_age_days`` and works
once: as soon as the referral is answered (or withdrawn), its answer links are refused; the
report link works while the referral runs (sent or accepted) and not after the report.
"""

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlmodel import Session

from core.config import Settings
from models import Referral
from models.enums import ReferralStatus

SALT = "lokal-willkommen.referral-answer"
PATH = "/partner/referrals"


class Action(StrEnum):
    ACCEPT = "accept"
    DECLINE = "decline"
    REPORT = "report"  # the outcome, once the partner is through: done, or not reached


# The states in which each link still works: an answer while unanswered, a report while running.
OPEN_FOR = {
    Action.ACCEPT: (ReferralStatus.SENT,),
    Action.DECLINE: (ReferralStatus.SENT,),
    Action.REPORT: (ReferralStatus.SENT, ReferralStatus.ACCEPTED),
}


class LinkRefused(Exception):
    """A link that cannot be used; ``status`` is the HTTP status of the page that says why."""

    status = 400
    title = "Link ungültig"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class LinkTampered(LinkRefused):
    status, title = 400, "Link ungültig"


class LinkExpired(LinkRefused):
    status, title = 410, "Link abgelaufen"


class WrongCase(LinkRefused):
    status, title = 400, "Link passt nicht zur Weitervermittlung"


class AlreadyAnswered(LinkRefused):
    status, title = 409, "Bereits beantwortet"


@dataclass(frozen=True)
class LinkTarget:
    referral: Referral
    action: Action


def serializer(settings: Settings, signer: type[TimestampSigner] = TimestampSigner) -> Any:
    return URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt=SALT, signer=signer)


def payload(referral: Referral, action: Action) -> dict[str, Any]:
    return {"r": referral.id, "c": referral.case_id, "a": str(action), "n": referral.link_nonce}


def url(settings: Settings, referral: Referral, action: Action) -> str:
    """The partner's link for ``action`` on ``referral``, signed now."""
    token = serializer(settings).dumps(payload(referral, action))
    return f"{settings.public_base_url.rstrip('/')}{PATH}/{token}"


def read(session: Session, settings: Settings, token: str) -> LinkTarget:
    """The referral and action a link stands for, or :class:`LinkRefused` saying why not."""
    max_age = int(settings.referral_link_max_age_days * 86400)
    try:
        data = serializer(settings).loads(token, max_age=max_age)
    except SignatureExpired:
        raise LinkExpired(
            "Dieser Link ist abgelaufen. Bitte nutzen Sie den Link aus unserer neuesten E-Mail "
            "oder antworten Sie uns per E-Mail oder Telefon."
        ) from None
    except BadSignature:
        raise LinkTampered(
            "Dieser Link ist ungültig, vielleicht wurde er beim Kopieren verändert. Bitte öffnen "
            "Sie den Link direkt aus der E-Mail."
        ) from None
    if not _well_formed(data):
        raise LinkTampered("Dieser Link ist ungültig.")
    referral = session.get(Referral, data["r"])
    if referral is None or referral.case_id != data["c"] or referral.link_nonce != data["n"]:
        raise WrongCase(
            "Dieser Link gehört zu keiner offenen Weitervermittlung dieses Falls. Bitte "
            "antworten Sie uns per E-Mail oder Telefon."
        )
    action = Action(data["a"])
    if referral.status not in OPEN_FOR[action]:
        raise AlreadyAnswered(_answered_text(referral))
    return LinkTarget(referral, action)


def _well_formed(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and isinstance(data.get("r"), int)
        and isinstance(data.get("c"), int)
        and data.get("a") in {a.value for a in Action}
        and isinstance(data.get("n"), str)
    )


_STATUS_TEXT = {
    ReferralStatus.ACCEPTED: "Sie haben diese Weitervermittlung bereits angenommen.",
    ReferralStatus.DECLINED: "Sie haben diese Weitervermittlung bereits abgelehnt.",
    ReferralStatus.DONE: "Diese Weitervermittlung ist bereits erledigt.",
    ReferralStatus.NOT_REACHED: "Sie haben bereits gemeldet, dass der Haushalt nicht "
    "erreichbar war.",
    ReferralStatus.WITHDRAWN: "Diese Weitervermittlung wurde von uns zurückgezogen.",
}


def _answered_text(referral: Referral) -> str:
    text = _STATUS_TEXT.get(referral.status, "Diese Weitervermittlung ist nicht mehr offen.")
    return f"{text} Der Link gilt nur einmal; es wurde nichts geändert."
