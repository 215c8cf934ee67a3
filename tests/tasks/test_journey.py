"""A household's way from intake to closure, with a real worker, Redis and SMTP server."""

import pytest

from core.db import unit_of_work
from models import Case
from models.enums import PartnerCategory
from tests.helpers import in_hours, pass_time, reminder_statuses, run_sweep, step
from workflows import consent

pytestmark = pytest.mark.slow


def subjects(messages) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m["Subject"]) for m in messages]


def test_journey_from_intake_to_closure_sends_each_email_once(world, smtp, start_worker):
    """Given a household with a school child that moved in two days ago,
    when staff run its case through every stage while weeks pass,
    then exactly the expected emails reach caseworker, partner, household and supervisor."""
    start_worker()
    case_id = world.open_case()
    cw, sup = world.caseworker_id, world.supervisor_id

    # Welcome visit in 3 hours: the caseworker's reminder (24 h before) is due at once.
    step(case_id, "schedule_welcome_visit", cw, at=in_hours(3))
    visit_mail = smtp.wait_for_messages(1)[0]
    assert visit_mail["To"] == "lea.brandt@lokal-willkommen.example"
    assert "Willkommensbesuch" in visit_mail["Subject"]
    assert "Evinger Straße 12" in visit_mail.get_content()

    # With consent for energy advice, the referral goes to the partner at once.
    with unit_of_work() as session:
        household_id = session.get(Case, case_id).household_id
        consent.grant(session, household_id, PartnerCategory.ENERGY_ADVICE, actor_id=cw)
    step(case_id, "refer_energy", cw)
    referral = smtp.wait_for_messages(2)[1]
    assert referral["To"] == "stromspar@partner.example"
    assert "Amal Haddad" in referral.get_content()
    step(case_id, "record_welcome_visit", cw)

    # Nine days later the household is reminded of the legal registration deadline.
    pass_time(9)
    run_sweep()
    registration = smtp.wait_for_messages(3)[2]
    assert registration["To"] == "familie.haddad@household.example"
    assert registration["Subject"].startswith("Bitte melden Sie Ihre Wohnung bis zum")
    assert "Bundesmeldegesetz" in registration.get_content()

    step(case_id, "complete_registration", cw)
    step(case_id, "complete_energy", cw)

    # The school enrolment is still open four weeks after moving in: the supervisor hears of it.
    pass_time(28)
    run_sweep()
    overdue = smtp.wait_for_messages(4)[3]
    assert overdue["To"] == "jonas.albers@lokal-willkommen.example"
    assert subjects([overdue]) == [f"Überfällig: Einschulung im Fall LW-{case_id:06d}"]
    assert "Haddad" not in overdue.get_content()  # supervisors get the case number only

    case = step(case_id, "complete_school", cw)
    assert case.state == "follow_up_due"
    step(case_id, "schedule_follow_up", cw, at=in_hours(5))
    follow_up = smtp.wait_for_messages(5)[4]
    assert "Nachbesuch" in follow_up["Subject"]
    closed = step(case_id, "complete_follow_up", cw)
    assert closed.state == "closed"

    # Weeks pass after closing: nothing else is sent, every pending reminder was cancelled.
    pass_time(60)
    run_sweep()
    with pytest.raises(AssertionError):
        smtp.wait_for_messages(6, timeout=3)
    statuses = reminder_statuses(case_id)
    assert statuses["visit"] == ["sent", "sent"]
    assert statuses["referral"] == ["sent"]
    assert statuses["registration_deadline"] == ["sent"]
    assert "scheduled" not in {s for values in statuses.values() for s in values}
    assert "queued" not in {s for values in statuses.values() for s in values}
    _ = sup
