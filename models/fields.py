"""Field helpers so every model declares times and JSON the same way."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, String
from sqlmodel import Field

from core.clock import utc_now
from core.types import UTCDateTime


def utc_field(
    *,
    nullable: bool = False,
    index: bool = False,
    default_now: bool = False,
    info: dict[str, Any] | None = None,
) -> Any:
    """An aware-UTC datetime column."""
    factory: Callable[[], datetime] | None = utc_now if default_now else None
    column: Column[datetime] = Column(
        UTCDateTime(), nullable=nullable, index=index, info=info or {}
    )
    if factory is not None:
        return Field(default_factory=factory, sa_column=column)
    return Field(default=None, sa_column=column)


# The JSON columns hold lists of codes (languages, channels, shared fields) or ids: no personal
# data (models.personal).
def json_list_field() -> Any:
    return Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, info={"personal": None})
    )


def json_dict_field() -> Any:
    return Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, info={"personal": None})
    )


def enum_field(default: Any = ..., *, index: bool = False) -> Any:
    """A vocabulary value (a StrEnum) stored as a plain string, so new values need no migration."""
    return Field(
        default=default,
        sa_type=String(40),
        index=index,
        sa_column_kwargs={"info": {"personal": None}},  # a code (models.personal)
    )
