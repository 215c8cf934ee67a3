"""The daily look at every open case: steps that now apply because time passed."""

import logging

from core.celery_app import app
from core.clock import utc_now
from core.db import unit_of_work
from workflows.casework import ageing

log = logging.getLogger(__name__)


@app.task(name="casework.look_at_open_cases")
def look_at_open_cases() -> int:
    """Fan out the open cases in batches of ids (beat: every morning)."""
    after, batches = 0, 0
    while True:
        with unit_of_work() as session:
            case_ids = ageing.open_case_ids(session, after)
        if not case_ids:
            return batches
        look_at_cases.delay(case_ids)
        after, batches = case_ids[-1], batches + 1


@app.task(name="casework.look_at_cases")
def look_at_cases(case_ids: list[int]) -> int:
    """Look at each case again, each in its own transaction; returns how many steps opened."""
    now, opened = utc_now(), 0
    for case_id in case_ids:
        found = ageing.look_at(case_id, now)
        opened += len(found.opened)
    if opened:
        log.info("daily look: %s step(s) opened in %s case(s)", opened, len(case_ids))
    return opened
