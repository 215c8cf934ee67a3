"""What a household's fields may hold: one definition for intake, edits and the API.

Every rule says in German what is wrong; the patterns also go into the OpenAPI document.
"""

from datetime import date, timedelta
from typing import Annotated

from pydantic import AfterValidator, BeforeValidator, EmailStr, Field, StringConstraints

from core import limits
from core.clock import berlin, utc_now


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


def _no_number(value: object) -> object:
    # JSON numbers would pass as days since 1970: a date is written as a date.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError("Bitte ein Datum wie 2026-12-01 angeben.")
    return value


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
