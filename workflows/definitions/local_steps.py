"""The words of the steps offices added in their variants, for pages and mails that name a step
by its kind alone (a list of overdue steps, a history entry, a report row).

A local step's kind carries its office (``o3_stromspar_check``), so one kind has one office's
words. Read from every variant revision once per process, and again when a kind is not known
yet (a variant saved since, by another process); the latest revision's words win.

Read on a connection of its own outside any transaction: a page asking while its own
transaction holds SQLite's write lock must not wait for itself (a plain read under WAL takes
no lock; PostgreSQL reads what is committed).
"""

import json
import re
from threading import Lock

from core.db import forget_on_reset, get_engine

LOCAL_KIND = re.compile(r"^o\d+_[a-z][a-z0-9_]*$")

_labels: dict[str, str] = {}
_lock = Lock()


def local_kind(office_id: int, key: str) -> str:
    """The step kind of an office's own step named ``key``."""
    return f"o{office_id}_{key}"


def is_local(kind: str) -> bool:
    return LOCAL_KIND.match(kind) is not None


def label(kind: str) -> str | None:
    """The words of an office's own step, or None when no variant defines ``kind``."""
    if not is_local(kind):
        return None
    found = _labels.get(kind)
    if found is None:
        _reload()
        found = _labels.get(kind)
    return found


def _reload() -> None:
    with _lock:
        connection = get_engine().raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute("SELECT overrides FROM workflow_variants ORDER BY id")
            rows = cursor.fetchall()
            cursor.close()
        finally:
            connection.close()
        for (overrides,) in rows:
            stored = json.loads(overrides) if isinstance(overrides, str) else overrides
            for step in (stored or {}).get("local_steps", ()):
                _labels[step["kind"]] = step["label"]


def forget() -> None:
    """Read again at the next look-up (a test database emptied)."""
    _labels.clear()


forget_on_reset(forget)
