"""Production logs are one JSON object per line, with the case and reminder ids as fields of
their own and nothing about the household in them."""

import io
import json
import logging

import pytest

from core import logs
from core.config import Settings
from tests.helpers import in_hours, reminders, step


def test_a_json_line_carries_the_ids_as_fields():
    stream = io.StringIO()
    logs.configure(Settings(log_format="json"), stream=stream)
    try:
        logging.getLogger("workflows.messaging.delivery").info(
            "reminder %s of case %s sent (%s)", 7, 3, "email",
            extra={"case_id": 3, "reminder_id": 7},
        )  # fmt: skip
        logging.getLogger("transitions.core").info("Executed callback 'plan_step'")
    finally:
        logs.configure(Settings())
    (line,) = stream.getvalue().splitlines()  # the state machine's chatter stays out
    entry = json.loads(line)
    assert entry["message"] == "reminder 7 of case 3 sent (email)"
    assert entry["case_id"] == 3 and entry["reminder_id"] == 7
    assert entry["level"] == "INFO" and entry["logger"] == "workflows.messaging.delivery"
    assert entry["time"][:2] == "20"


@pytest.mark.slow
def test_a_worker_logs_json_with_ids_and_no_personal_data(world, smtp, start_worker):
    """Given a worker started with WILLKOMMEN_LOG_FORMAT=json, when a visit reminder goes out,
    then its log has a JSON line naming the reminder and the case by id, and no line anywhere
    names the household, its street or its address."""
    worker = start_worker(WILLKOMMEN_LOG_FORMAT="json")
    case_id = world.open_case()
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(2))
    smtp.wait_for_messages(1)
    (visit,) = [r for r in reminders(case_id) if r.kind == "visit"]
    worker.stop()
    text = worker.logfile.read_text()
    entries = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    sent = [e for e in entries if e.get("reminder_id") == visit.id and "sent" in e["message"]]
    assert sent and sent[0]["case_id"] == case_id
    assert any(e["logger"].startswith("celery") for e in entries)  # Celery's own lines too
    for word in ("Haddad", "Amal", "Evinger", "household.example"):
        assert word not in text
