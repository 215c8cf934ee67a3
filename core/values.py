"""Values as JSON holds them (the audit trail's before/after, a household's copy of its data)."""

import base64
from datetime import date, datetime, time
from enum import Enum
from typing import Any


def plain(value: Any) -> Any:
    """Enums by their value, dates and times in ISO 8601, bytes (a signed form) in base64;
    everything else as it is."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value
