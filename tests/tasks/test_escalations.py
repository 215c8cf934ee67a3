"""Escalations reach the supervisors bundled: one mail per sweep, each case linked."""

import pytest
from sqlmodel import select

from core.db import unit_of_work
from models import Reminder
from models.enums import Recipient, ReminderStatus
from tests.helpers import pass_time, run_sweep
from tests.services import wait_for

pytestmark = pytest.mark.slow
SUPERVISOR = "jonas.albers@lokal-willkommen.example"


def escalations() -> list[Reminder]:
    with unit_of_work() as session:
        query = select(Reminder).where(Reminder.recipient == Recipient.SUPERVISORS)
        return list(session.exec(query))


def test_a_sweep_sends_one_mail_per_supervisor_with_every_case_linked(world, smtp, start_worker):
    start_worker()
    first = world.open_case()
    second = world.open_case(family_name="Petrenko", email=None, languages=["uk"])
    pass_time(30)  # registration, energy, school and the welcome visit: late in both cases
    run_sweep()
    sent = wait_for(
        lambda: all(r.status == ReminderStatus.SENT for r in escalations()) and escalations(),
        what="every escalation sent",
    )
    to_supervisor = [m for m in smtp.messages if m["To"] == SUPERVISOR]
    assert len(to_supervisor) == 1, [m["Subject"] for m in to_supervisor]
    mail = to_supervisor[0]
    body = mail.get_content()
    cases = {first, second}
    assert mail["Subject"] == f"Überfällig: {len(sent)} Fristen in 2 Fällen (Eving/Scharnhorst)"
    for case_id in cases:
        assert f"LW-{case_id:06d} – zuständig: Lea Brandt" in body
        assert f"http://127.0.0.1:8000/cases/{case_id}" in body
    assert body.count("Anmeldung beim Bürgeramt – fällig war") == 2
    assert "gesetzliche Frist" in body
    assert "Willkommensbesuch – hätte bis" in body
    assert "Haddad" not in body and "Petrenko" not in body  # case numbers, never names
    assert mail["Date"] is not None

    # Each was sent once: the next sweep finds none of them to send again.
    assert all(r.attempts == 1 for r in escalations())


def test_a_bundle_that_cannot_be_sent_is_retried_and_then_failed_on_each_reminder(
    world, start_worker
):
    start_worker()  # no SMTP server listens
    world.open_case()
    pass_time(30)
    run_sweep()
    failed = wait_for(
        lambda: all(r.status == ReminderStatus.FAILED for r in escalations()) and escalations(),
        what="every escalation failed after its retries",
        timeout=40,
    )
    assert all(r.attempts == 3 and r.last_error for r in failed)
