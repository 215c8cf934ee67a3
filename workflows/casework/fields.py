"""What a household's fields may hold: one definition for intake, edits and the API.

Every rule says in German what is wrong; the patterns also go into the OpenAPI document.
"""

import re
from datetime import date, timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, StringConstraints

from core import limits, sms
from core.clock import berlin, utc_now
from models.enums import Channel


def today() -> date:
    return berlin(utc_now()).date()


def _single_line(value: str) -> str:
    # Names go into email headers and letters: a line break there is never meant.
    if not limits.single_line(value):
        raise ValueError("Bitte in einer Zeile, ohne Zeilenumbruch oder Steuerzeichen.")
    return value


def _ranked(codes: list[str]) -> list[str]:
    """Languages in the order the household prefers them, each once."""
    if len(set(codes)) != len(codes):
        raise ValueError("Jede Sprache bitte nur einmal angeben.")
    return codes


def _channel_words(value: object) -> object:
    # "visit" (reached at the home visits) was a channel before the order mattered: the letter
    # handed over there.
    if isinstance(value, list):
        return ["letter" if item == "visit" else item for item in value]
    return value


def _each_once(channels: list[Channel]) -> list[Channel]:
    if len(set(channels)) != len(channels):
        raise ValueError("Jeden Kontaktweg bitte nur einmal angeben.")
    return channels


# When a household has said nothing: what its contact details allow, in this order.
DEFAULT_ORDER = (Channel.EMAIL, Channel.SMS, Channel.LETTER, Channel.PHONE)


def default_channels(email: str | None, phone: str | None) -> list[str]:
    """The order for a household that was not asked: email and SMS where its details allow,
    then a letter, then a call."""
    present = {Channel.LETTER, Channel.PHONE}
    if email:
        present.add(Channel.EMAIL)
    if sms.mobile_number(phone):
        present.add(Channel.SMS)
    return [str(c) for c in DEFAULT_ORDER if c in present]


def _no_number(value: object) -> object:
    # JSON numbers (and digits in a query, "0") would pass as seconds since 1970: a date is
    # written as a date.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("Bitte ein Datum wie 2026-12-01 angeben.")
    if isinstance(value, str) and value and not _ISO_DAY.fullmatch(value):
        raise ValueError("Bitte ein Datum wie 2026-12-01 angeben.")
    return value


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


# A calendar day, as ISO text ("2026-12-01") or a date; never a number.
Day = Annotated[date, BeforeValidator(_no_number)]

# The pattern goes into the OpenAPI document; the validator says what is wrong in words.
ONE_LINE = Field(json_schema_extra={"pattern": limits.LINE_PATTERN})
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=limits.NAME),
    AfterValidator(_single_line),
    ONE_LINE,
]
Street = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=limits.STREET),
    AfterValidator(_single_line),
    ONE_LINE,
]
PostalCode = Annotated[str, StringConstraints(pattern=r"^44\d{3}$")]
Language = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}$")]
# Preferred first: household messages go out in the first one they exist in.
Languages = Annotated[list[Language], Field(min_length=1, max_length=8), AfterValidator(_ranked)]
# How the household is reached, preferred first (models.enums.Channel); empty: the default
# order its contact details allow (workflows.messaging.channels.default_channels).
Channels = Annotated[
    list[Channel],
    BeforeValidator(_channel_words),
    Field(max_length=len(Channel)),
    AfterValidator(_each_once),
]
Email = Annotated[EmailStr, Field(max_length=limits.EMAIL)]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9 /()-]{5,30}$")]
Id = Annotated[int, Field(ge=1, le=limits.MAX_ID)]


def plausible_birth_date(value: date) -> date:
    if value > today() or value.year < 1900:
        raise ValueError("Geburtsdatum liegt in der Zukunft oder ist unplausibel.")
    return value


def plausible_move_in(value: date) -> date:
    now = today()
    if value > now + timedelta(days=60) or value < now - timedelta(days=5 * 365):
        raise ValueError("Einzugsdatum ist unplausibel.")
    return value


def plausible_expected_birth(value: date | None) -> date | None:
    now = today()
    if value is not None and not now - timedelta(days=366) <= value <= now + timedelta(days=300):
        raise ValueError("Geburtstermin ist unplausibel (höchstens ein Jahr entfernt).")
    return value
