"""Sending one SMS through an HTTP gateway, configured from the settings; counting segments.

The adapter speaks the Messages API that Twilio made common (and that many gateways copy): a
form-encoded ``POST {base}/2010-04-01/Accounts/{account}/Messages.json`` with HTTP basic auth,
answered ``201`` with the message's ``sid``; delivery reports come back later as a signed
form POST to the ``StatusCallback`` URL (``verify_report``). Each send carries an
``Idempotency-Key`` derived from the message, so a gateway that honours it sends a message
retried after a timeout only once.
"""

import base64
import hashlib
import hmac
import math
from dataclasses import dataclass
from typing import Any

import httpx2 as httpx
import phonenumbers

from core.config import Settings

# GSM 03.38: the basic character set (one septet each) and its extension (two: escape + char).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
_GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
MAX_SEGMENTS = 2


@dataclass(frozen=True)
class Length:
    """How a text travels: ``encoding`` ("GSM-7" or "UCS-2"), its ``units`` (septets or UTF-16
    code units) and the ``segments`` it takes."""

    encoding: str
    units: int
    segments: int


def measure(text: str) -> Length:
    """The encoding a phone network uses for ``text`` and how many segments it takes: 160
    septets alone or 153 per part; in UCS-2 (any character outside GSM 03.38, such as Arabic
    or Cyrillic) 70 code units alone or 67 per part, a character beyond the BMP counting two."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENDED for c in text):
        units = sum(2 if c in _GSM_EXTENDED else 1 for c in text)
        single, part, encoding = 160, 153, "GSM-7"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part, encoding = 70, 67, "UCS-2"
    segments = 1 if units <= single else math.ceil(units / part)
    return Length(encoding, units, segments)


def mobile_number(raw: str | None, region: str = "DE") -> str | None:
    """``raw`` as an E.164 mobile number (``+4915112345678``), or None when it is not one a
    text message can reach (a landline, or not a valid number)."""
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    kind = phonenumbers.number_type(number)
    mobile = (
        phonenumbers.PhoneNumberType.MOBILE,
        phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
    )
    if kind not in mobile:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class SmsError(Exception):
    """Sending failed; ``permanent`` when trying again cannot help (the gateway refused it)."""

    def __init__(self, message: str, *, permanent: bool = False, summary: str = "") -> None:
        super().__init__(message)
        self.permanent = permanent
        # For logs: the status and error code only. The gateway's own words may quote the
        # number ("The 'To' number +49… is not valid"); they are kept for staff on the message.
        self.summary = summary or message


def configured(settings: Settings) -> bool:
    return bool(settings.sms_gateway_url and settings.sms_account and settings.sms_token)


def status_callback(settings: Settings) -> str:
    return f"{settings.public_base_url.rstrip('/')}/sms/status"


def send(to: str, text: str, settings: Settings, *, key: str) -> str:
    """Hand ``text`` for ``to`` (E.164) to the gateway; returns its id of the message, or
    raises :class:`SmsError`. ``key`` is the same on every attempt of one message."""
    if not configured(settings):
        raise SmsError("Kein SMS-Gateway eingerichtet.", permanent=True)
    assert settings.sms_gateway_url and settings.sms_account and settings.sms_token
    base = settings.sms_gateway_url.rstrip("/")
    url = f"{base}/2010-04-01/Accounts/{settings.sms_account}/Messages.json"
    form = {"To": to, "From": settings.sms_from, "Body": text}
    form["StatusCallback"] = status_callback(settings)
    try:
        response = httpx.post(
            url,
            data=form,
            auth=(settings.sms_account, settings.sms_token.get_secret_value()),
            headers={"Idempotency-Key": key},
            timeout=settings.sms_timeout_seconds,
        )
    except httpx.TimeoutException as exc:
        raise SmsError("SMS-Gateway antwortet nicht (Zeitüberschreitung)") from exc
    except httpx.HTTPError as exc:
        raise SmsError(f"SMS-Gateway nicht erreichbar ({type(exc).__name__})") from exc
    if response.status_code in (200, 201):
        sid = _json(response).get("sid")
        if not isinstance(sid, str) or not sid or len(sid) > 64:
            raise SmsError("SMS-Gateway: Antwort ohne gültige Nachrichten-ID")
        return sid
    reason = _json(response).get("message") or response.reason_phrase
    code = _json(response).get("code")
    detail = f"SMS-Gateway {response.status_code}" + (f" (Fehler {code})" if code else "")
    # The gateway refused this message for good (a bad number, a blocked text): 4xx but not
    # "too many requests" or an auth/config problem that an operator can fix meanwhile.
    permanent = 400 <= response.status_code < 500 and response.status_code not in (
        401,
        403,
        408,
        429,
    )
    raise SmsError(f"{detail}: {str(reason)[:200]}", permanent=permanent, summary=detail)


def _json(response: Any) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def signature(token: str, url: str, form: dict[str, str]) -> str:
    """The gateway's signature of a report: HMAC-SHA1 over the URL and the sorted fields."""
    payload = url + "".join(f"{k}{form[k]}" for k in sorted(form))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def verify_report(settings: Settings, url: str, form: dict[str, str], given: str | None) -> bool:
    """Whether a delivery report really comes from the gateway (signed with our token)."""
    if not settings.sms_token or not given:
        return False
    expected = signature(settings.sms_token.get_secret_value(), url, form)
    return hmac.compare_digest(expected, given)
