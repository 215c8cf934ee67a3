"""Checks shared by the directory's forms: each problem reported at its field, in German."""

import re

from email_validator import EmailNotValidError, validate_email

from core import limits
from models.enums import District
from workflows.engine.errors import InvalidInput

DISTRICTS = [district.value for district in District]

CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PHONE = re.compile(r"^\+?[0-9 /()-]{5,30}$")


class FieldErrors(dict[str, str]):
    """Problems by field; ``check`` raises them all at once as ``InvalidInput``."""

    def required(self, field: str, value: str, max_length: int, what: str) -> str:
        value = value.strip()
        if not value:
            self[field] = f"Bitte {what} angeben."
        elif len(value) > max_length:
            self[field] = f"Höchstens {max_length} Zeichen."
        elif not limits.single_line(value):
            # Names and addresses end up in email headers: a line break there could add one.
            self[field] = "Bitte in einer Zeile, ohne Zeilenumbruch oder Steuerzeichen."
        return value

    def email(self, field: str, value: str) -> str:
        value = value.strip().lower()
        if len(value) > limits.EMAIL:
            self[field] = f"Höchstens {limits.EMAIL} Zeichen."
            return value
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            self[field] = "Keine gültige E-Mail-Adresse."
        return value

    def phone(self, field: str, value: str) -> str | None:
        value = value.strip()
        if value and not _PHONE.match(value):
            self[field] = "Keine gültige Telefonnummer (Ziffern, Leerzeichen, + / ( ) -)."
        return value or None

    def districts(self, field: str, values: list[str]) -> list[str]:
        unknown = [value for value in values if value not in DISTRICTS]
        if unknown:
            self[field] = f"Unbekannter Bezirk: {', '.join(unknown)}."
        return [district for district in DISTRICTS if district in values]  # canonical order

    def check(self) -> None:
        if self:
            raise InvalidInput(dict(self))
