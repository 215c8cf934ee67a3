"""celery beat with a heartbeat: every tick touches ``<data_dir>/beat.heartbeat``, so a health
check (``python -m core.beat --check``) can tell a running beat from one that hangs or died.

The schedule's state lives in the data folder too (not in /tmp), unless ``--schedule`` names
another file. Configured for every beat as ``beat_scheduler`` (``core.celery_app``).
"""

import argparse
import sys
import time
from pathlib import Path
from typing import Any

from celery.beat import PersistentScheduler

from core.config import Settings, get_settings

DEFAULT_SCHEDULE = "celerybeat-schedule"  # celery beat's own default for --schedule
# A beat ticks at least every 15 s here (the outbox relay's interval); four missed ticks and
# more is not a slow beat any more.
MAX_AGE_SECONDS = 120


def heartbeat_path(settings: Settings) -> Path:
    return settings.data_dir.resolve() / "beat.heartbeat"


class HeartbeatScheduler(PersistentScheduler):
    """celery's persistent scheduler, which also says on every tick that it is alive."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        settings = get_settings()
        if kwargs.get("schedule_filename", DEFAULT_SCHEDULE) == DEFAULT_SCHEDULE:
            settings.data_dir.mkdir(parents=True, exist_ok=True)
            kwargs["schedule_filename"] = str(settings.data_dir.resolve() / DEFAULT_SCHEDULE)
        self.heartbeat = heartbeat_path(settings)
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        self.heartbeat.parent.mkdir(parents=True, exist_ok=True)
        self.heartbeat.touch()
        return float(super().tick(*args, **kwargs))


def age(settings: Settings) -> float | None:
    """Seconds since the beat's last tick, or None if it never ticked here."""
    try:
        return time.time() - heartbeat_path(settings).stat().st_mtime
    except FileNotFoundError:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description="Is celery beat ticking? (exit 0: yes)")
    parser.add_argument("--check", action="store_true", help="exit 1 when it is not")
    parser.add_argument("--max-age", type=float, default=MAX_AGE_SECONDS)
    options = parser.parse_args()
    seconds = age(get_settings())
    alive = seconds is not None and seconds <= options.max_age
    said = "never ticked" if seconds is None else f"last tick {seconds:.0f} s ago"
    print(f"beat: {said}")
    sys.exit(0 if alive or not options.check else 1)


if __name__ == "__main__":
    main()
