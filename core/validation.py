"""Request validation errors in German, one message per field, for the pages and the API."""

from collections.abc import Mapping, Sequence
from typing import Any

_MESSAGES = {
    "missing": "Pflichtangabe fehlt.",
    "int_parsing": "Bitte eine ganze Zahl angeben.",
    "int_type": "Bitte eine ganze Zahl angeben.",
    "int_from_float": "Bitte eine ganze Zahl angeben.",
    "float_parsing": "Bitte eine Zahl angeben.",
    "greater_than_equal": "Mindestens {ge}.",
    "greater_than": "Größer als {gt} angeben.",
    "less_than_equal": "Höchstens {le}.",
    "less_than": "Kleiner als {lt} angeben.",
    "string_too_short": "Bitte ausfüllen (mindestens {min_length} Zeichen).",
    "string_too_long": "Höchstens {max_length} Zeichen.",
    "string_type": "Bitte Text angeben.",
    "string_pattern_mismatch": "Das Format stimmt nicht.",
    "too_short": "Mindestens {min_length} Einträge.",
    "too_long": "Höchstens {max_length} Einträge.",
    "list_type": "Bitte eine Liste angeben.",
    "date_parsing": "Bitte ein Datum wie 2026-12-01 angeben.",
    "date_from_datetime_parsing": "Bitte ein Datum wie 2026-12-01 angeben.",
    "date_from_datetime_inexact": "Bitte ein Datum ohne Uhrzeit angeben.",
    "date_type": "Bitte ein Datum wie 2026-12-01 angeben.",
    "datetime_parsing": "Bitte Datum und Uhrzeit wie 2026-12-01T10:00:00+01:00 angeben.",
    "datetime_from_date_parsing": "Bitte Datum und Uhrzeit wie 2026-12-01T10:00:00+01:00 angeben.",
    "datetime_type": "Bitte Datum und Uhrzeit wie 2026-12-01T10:00:00+01:00 angeben.",
    "timezone_aware": "Bitte mit Zeitzone angeben, z. B. 2026-12-01T10:00:00+01:00.",
    "enum": "Unbekannter Wert; erlaubt: {expected}.",
    "literal_error": "Unbekannter Wert; erlaubt: {expected}.",
    "bool_parsing": "Bitte true oder false angeben.",
    "bool_type": "Bitte true oder false angeben.",
    "json_invalid": "Kein gültiges JSON.",
    "json_type": "Kein gültiges JSON.",
    "model_attributes_type": "Bitte ein JSON-Objekt senden.",
    "dict_type": "Bitte ein JSON-Objekt senden.",
    "model_type": "Bitte ein JSON-Objekt senden.",
    "extra_forbidden": "Unbekanntes Feld.",
}


def message(error: Mapping[str, Any]) -> str:
    """One pydantic error as German words for the person who typed the value."""
    kind = str(error.get("type", ""))
    if kind == "value_error":
        text = str(error.get("msg", "")).removeprefix("Value error, ")
        if "email address" in text:  # email-validator speaks English
            return "Keine gültige E-Mail-Adresse."
        return text if text and text[0].isupper() else "Ungültige Angabe."
    template = _MESSAGES.get(kind)
    if template is None:
        return "Ungültige Angabe."
    try:
        return template.format(**error.get("ctx", {}))
    except (KeyError, IndexError):
        return template.split(";")[0].split("{")[0].strip() or "Ungültige Angabe."


def field_name(location: Sequence[Any]) -> str:
    """``("body", "members", 0, "birth_date")`` → ``members.0.birth_date``."""
    parts = location[1:] if location and location[0] in ("body", "query", "path") else location
    return ".".join(str(part) for part in parts) or "body"


def by_field(errors: Sequence[Mapping[str, Any]]) -> dict[str, str]:
    """Every error at its field, in German; the first one per field wins."""
    found: dict[str, str] = {}
    for error in errors:
        found.setdefault(field_name(tuple(error.get("loc", ()))), message(error))
    return found


def in_path(errors: Sequence[Mapping[str, Any]]) -> bool:
    """A malformed id in the address names nothing there is: the page is "not found"."""
    return any(tuple(error.get("loc", ()))[:1] == ("path",) for error in errors)
