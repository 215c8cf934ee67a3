"""A household's way from intake to closure, with a real worker, Redis and SMTP server."""

import pytest
from sqlmodel import select

from core.db import unit_of_work
from models import Case, Referral
from models.enums import PartnerCategory
from tests.helpers import in_hours, pass_time, reminder_statuses, run_sweep, signed, step
from tests.services import wait_for
from workflows import consent
from workflows.referrals import answers
from workflows.referrals.links import Action

pytestmark = pytest.mark.slow

HOUSEHOLD = "familie.haddad@household.example"


def subjects(messages) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m["Subject"]) for m in messages]


def household_mail(smtp, count: int):  # type: ignore[no-untyped-def]
    """The first ``count`` emails to the household (it hears in Arabic, its first language)."""
    mine = lambda: [m for m in smtp.messages if m["To"] == HOUSEHOLD]  # noqa: E731
    return wait_for(lambda: len(mine()) >= count and mine(), what=f"{count} household email(s)")


def staff_mail(smtp, count: int):  # type: ignore[no-untyped-def]
    """The first ``count`` emails to staff and partners, in the order they arrived."""
    theirs = lambda: [m for m in smtp.messages if m["To"] != HOUSEHOLD]  # noqa: E731
    return wait_for(lambda: len(theirs()) >= count and theirs(), what=f"{count} staff email(s)")


def test_journey_from_intake_to_closure_sends_each_email_once(world, smtp, start_worker):
    """Given a household with a school child that moved in two days ago,
    when staff run its case through every stage while weeks pass,
    then exactly the expected emails reach caseworker, partner, household and supervisor."""
    start_worker()
    case_id = world.open_case()
    cw, sup = world.caseworker_id, world.supervisor_id
    welcome = household_mail(smtp, 1)[0]  # where and when the office helps, in Arabic
    assert welcome["Content-Language"] == "ar"

    # Welcome visit in 3 hours: the caseworker's reminder (24 h before) is due at once, and the
    # household gets its invitation.
    step(case_id, "schedule_welcome_visit", cw, at=in_hours(3))
    visit_mail = staff_mail(smtp, 1)[0]
    assert visit_mail["To"] == "lea.brandt@lokal-willkommen.example"
    assert "Willkommensbesuch" in visit_mail["Subject"]
    assert "Evinger Straße 12" in visit_mail.get_content()
    assert "زيارة ترحيب" in household_mail(smtp, 2)[1]["Subject"]  # welcome visit

    # With consent for energy advice, the referral goes to the partner at once.
    with unit_of_work() as session:
        household_id = session.get(Case, case_id).household_id
        consent.grant(
            session, household_id, PartnerCategory.ENERGY_ADVICE, actor_id=cw, evidence=signed()
        )
    step(case_id, "refer_energy", cw)
    referral = staff_mail(smtp, 2)[1]
    assert referral["To"] == "stromspar@partner.example"
    assert "Amal Haddad" in referral.get_content()
    with unit_of_work() as session:  # the partner accepts (its link is tested over HTTP)
        referral_id = session.exec(select(Referral.id)).one()
        answers.answer(session, referral_id, Action.ACCEPT)
    step(case_id, "record_welcome_visit", cw, confirm=True)

    # Nine days later the household is reminded of the legal registration deadline.
    pass_time(9)
    run_sweep()
    registration = household_mail(smtp, 3)[2]
    assert registration["Subject"].startswith("يرجى تسجيل سكنكم حتى")
    assert "Bundesmeldegesetz" in registration.get_body(("plain",)).get_content()

    step(case_id, "complete_registration", cw)
    step(case_id, "complete_energy", cw)

    # The school enrolment is still open four weeks after moving in: the supervisor hears of it.
    pass_time(28)
    run_sweep()
    overdue = staff_mail(smtp, 3)[2]
    assert overdue["To"] == "jonas.albers@lokal-willkommen.example"
    assert subjects([overdue]) == [f"Überfällig: Einschulung im Fall LW-{case_id:06d}"]
    assert "Haddad" not in overdue.get_content()  # supervisors get the case number only

    case = step(case_id, "complete_school", cw)
    assert case.state == "follow_up_due"
    step(case_id, "schedule_follow_up", cw, at=in_hours(5))
    follow_up = staff_mail(smtp, 4)[3]
    assert "Nachbesuch" in follow_up["Subject"]
    assert "زيارة متابعة" in household_mail(smtp, 4)[3]["Subject"]  # follow-up visit
    closed = step(case_id, "complete_follow_up", cw, confirm=True)
    assert closed.state == "closed"

    # Weeks pass after closing: nothing else is sent, every pending reminder was cancelled.
    pass_time(60)
    run_sweep()
    with pytest.raises(AssertionError):
        smtp.wait_for_messages(9, timeout=3)
    statuses = reminder_statuses(case_id)
    assert statuses["visit"] == ["sent", "sent"]
    assert statuses["referral"] == ["sent"]
    assert statuses["registration_deadline"] == ["sent"]
    assert statuses["consultation_info"] == ["sent"]
    assert statuses["appointment_invitation"] == ["sent", "sent"]
    assert statuses["step_reminder"] == ["cancelled"]  # the energy step was with the partner
    assert statuses["referral_reminder"] == statuses["referral_unanswered"] == ["cancelled"]
    assert "scheduled" not in {s for values in statuses.values() for s in values}
    assert "queued" not in {s for values in statuses.values() for s in values}
    _ = sup
