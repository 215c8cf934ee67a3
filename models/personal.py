"""Which columns hold personal data, declared on each model's own fields, and how erasing them
works. The one place anonymisation, erasure on request and the tests read it from.

``Field(..., sa_column_kwargs=personal(Erase.MARK))`` marks a column as personal;
``Field(..., sa_column_kwargs=not_personal())`` a text column that holds codes or fixed texts.
Vocabulary columns (``enum_field``) and the JSON code lists are not personal by construction.
``workflows.privacy.personal_data`` finds every table that belongs to a household (through its
foreign keys) and erases what is marked; ``tests/workflows/privacy`` fails when a text column of
such a table is declared neither way, so a new free-text column cannot slip past anonymisation.
"""

from enum import StrEnum
from typing import Any

from sqlalchemy import Column

KEY = "personal"


class Erase(StrEnum):
    NULL = "null"  # emptied (a column that may be empty)
    MARK = "mark"  # replaced by "anonymisiert" (a required text that lists show)
    BLANK = "blank"  # replaced by "" (a required text nobody reads once anonymised)
    YEAR = "year"  # a date cut to 1 January of its year: ages for statistics stay


# What MARK writes.
ANONYMISED = "anonymisiert"


def personal(how: Erase, **sa_column_kwargs: Any) -> dict[str, Any]:
    """``sa_column_kwargs`` for ``Field``: this column holds personal data, erased ``how``."""
    return {**sa_column_kwargs, "info": {KEY: how}}


def not_personal(*, secret: bool = False, **sa_column_kwargs: Any) -> dict[str, Any]:
    """``sa_column_kwargs`` for ``Field``: a text column with codes or fixed texts only;
    ``secret``: part of a link that works like a password, left out of the household's copy of
    its data (``workflows.privacy.access``)."""
    return {**sa_column_kwargs, "info": {KEY: None, "export": not secret}}


def exported(column: Column[Any]) -> bool:
    return bool(column.info.get("export", True))


def declared(column: Column[Any]) -> bool:
    return KEY in column.info


def erase_how(column: Column[Any]) -> Erase | None:
    """How this column is erased; None when it holds no personal data (or is not declared)."""
    value = column.info.get(KEY)
    return Erase(value) if value else None
