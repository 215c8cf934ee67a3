"""Anonymisation reaches every place casework writes free text about a household."""

from datetime import date, timedelta

from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Agreement, Case, CaseNotice, CaseStep, Partner, Referral, VisitRecord
from models.enums import PartnerCategory
from tests.helpers import in_hours, signed, step
from workflows import consent
from workflows.appointments import visits
from workflows.casework import household as edits
from workflows.casework.intake import MemberIn
from workflows.privacy import retention
from workflows.referrals import answers, sending


def today() -> date:
    """Today in Berlin, asked when needed (a module constant goes stale across midnight)."""
    return berlin(utc_now()).date()


def test_visit_records_agreements_notices_and_referral_texts_are_anonymised(world):
    case_id = world.open_case()
    cw = world.caseworker_id
    with unit_of_work() as session:
        edits.add_member(
            session, case_id, MemberIn(given_name="Lina", family_name="Haddad", birth_date=today()),
            actor_id=cw,
        )  # fmt: skip
    step(case_id, "schedule_welcome_visit", cw, at=in_hours(2))
    record = visits.VisitRecordIn(
        participants="Amal Haddad, Omar", topics="Omar braucht Brille", confirm_early=True,
        interpreter_name="Herr Nasser",
        agreements=[
            visits.AgreementIn(what="Amal ruft Augenarzt an", owner="Amal", due_on=today())
        ],
    )  # fmt: skip
    with unit_of_work() as session:
        visits.record_visit(session, case_id, "record_welcome_visit", record, actor_id=cw)
    with unit_of_work() as session:
        session.add(Partner(name="Sprachschule", category=PartnerCategory.LANGUAGE_COURSE,
                            email="s@p.example"))  # fmt: skip
        household_id = session.get(Case, case_id).household_id
        consent.grant(
            session, household_id, PartnerCategory.LANGUAGE_COURSE, actor_id=cw, evidence=signed()
        )
    with unit_of_work() as session:
        referral = sending.refer(
            session, case_id, PartnerCategory.LANGUAGE_COURSE, actor_id=cw,
            message="Amal möchte vormittags",
        )  # fmt: skip
        answers.report(session, referral.id, answers.Outcome.DONE, "Amal ist im Kurs")  # type: ignore[arg-type]
    step(case_id, "close_case", cw, note="Familie verzogen")
    with unit_of_work() as session:
        session.get(Case, case_id).closed_at = utc_now() - timedelta(days=800)

    with unit_of_work() as session:
        assert retention.anonymise_case(session, case_id, utc_now(), 730)

    with unit_of_work() as session:
        texts = [
            *(v.participants + v.topics + (v.interpreter_name or "")
              for v in session.exec(select(VisitRecord))),
            *(a.what + a.owner for a in session.exec(select(Agreement))),
            *(n.text for n in session.exec(select(CaseNotice))),
            *((r.message or "") + (r.report_note or "") for r in session.exec(select(Referral))),
            *((s.waive_reason or "") + (s.hold_reason or "")
              for s in session.exec(select(CaseStep))),
        ]  # fmt: skip
    assert texts, "nothing was written to check"
    for name in ("Amal", "Omar", "Lina", "Nasser", "Brille", "vormittags"):
        assert not any(name in text for text in texts), name


def test_the_contact_person_the_households_own_words_and_the_sms_id_are_removed(world, smtp):
    """Given a household with a contact person that answered its invitation with a note and got
    an SMS, when its closed case is anonymised, then the contact person's name, number and
    address, the household's note and the gateway's message id are gone."""
    from fastapi.testclient import TestClient

    from models import AppointmentAnswer, Household, Reminder
    from models.enums import ReminderKind
    from web.app import create_app
    from workflows.messaging.delivery import deliver

    case_id = world.open_case(
        helper_name="Frau Yilmaz (Patin)", helper_phone="0231 778899",
        helper_email="patin@helper.example",
    )  # fmt: skip
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(50))
    with unit_of_work() as session:
        invitation = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.APPOINTMENT_INVITATION)
        ).one()
    assert deliver(invitation.id).status == "sent"  # type: ignore[arg-type]
    with unit_of_work() as session:
        token = session.exec(select(AppointmentAnswer)).one().token
        session.get(Reminder, invitation.id).provider_ref = "SM-gateway-id"  # type: ignore[union-attr]
    answered = TestClient(create_app()).post(
        f"/t/{token}", data={"answer": "other_date", "note": "Nur Dienstag, Amal arbeitet"}
    )
    assert answered.status_code == 200
    step(case_id, "close_case", world.caseworker_id, note="verzogen")
    with unit_of_work() as session:
        session.get(Case, case_id).closed_at = utc_now() - timedelta(days=800)
    with unit_of_work() as session:
        assert retention.anonymise_case(session, case_id, utc_now(), 730)

    with unit_of_work() as session:
        household = session.get(Household, session.get(Case, case_id).household_id)
        assert (household.helper_name, household.helper_phone, household.helper_email) == (
            None, None, None,
        )  # fmt: skip
        assert session.exec(select(AppointmentAnswer)).one().note is None
        assert session.get(Reminder, invitation.id).provider_ref is None
