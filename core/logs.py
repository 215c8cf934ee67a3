"""How every process logs: readable text for people (``make run``), or one JSON object per line
for a log collector (``WILLKOMMEN_LOG_FORMAT=json``, as docker-compose.yml sets it).

A JSON line carries the time, level, logger and message, and the ids a call passes as
``extra={"case_id": …, "reminder_id": …}`` as fields of their own, so a collector can find every
line about a case without parsing text. Log calls name ids only, never a person (tests check
the delivery logs for the households' names and addresses).
"""

import logging
import sys
from typing import TextIO

from pythonjsonlogger.json import JsonFormatter

from core.config import Settings

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = ["asctime", "levelname", "name", "message"]
# Libraries that log every callback or request at INFO: only their warnings.
QUIET = ("transitions", "httpx2", "httpx")
SERVERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


def formatter(settings: Settings) -> logging.Formatter:
    if settings.log_format == "json":
        return JsonFormatter(
            JSON_FIELDS,
            rename_fields=RENAMED,
            datefmt="%Y-%m-%dT%H:%M:%S%z",
            json_ensure_ascii=False,
        )
    return logging.Formatter(TEXT_FORMAT)


def configure(
    settings: Settings, stream: TextIO | None = None, level: int | str | None = None
) -> None:
    """One handler on the root logger (replacing any earlier one of ours), at ``level`` (a
    command's --loglevel) or the set one."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if getattr(h, "willkommen", False)]:
        root.removeHandler(handler)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.willkommen = True  # type: ignore[attr-defined]
    handler.setFormatter(formatter(settings))
    root.addHandler(handler)
    root.setLevel(level or settings.log_level)
    for chatty in QUIET:
        logging.getLogger(chatty).setLevel(logging.WARNING)
    for name in SERVERS:  # uvicorn's own lines in the same format, through the root handler
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
