"""An office's month as the report tests count it by hand."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import (
    Appointment,
    Case,
    CaseObstacle,
    CaseStep,
    ConsultationContact,
    Household,
    ObstacleKind,
    Partner,
    Referral,
)
from models.enums import (
    AppointmentKind,
    AppointmentStatus,
    ContactOutcome,
    PartnerCategory,
    ReferralStatus,
)

NAMES = ("Haddad", "Nouri", "Sadiq", "Osman", "Karimi", "Bakr")


@pytest.fixture
def office(world):  # type: ignore[no-untyped-def]
    return world, fill(world)


def fill(world) -> date:  # type: ignore[no-untyped-def]
    """Six households taken in (two people each): five registered, four of them within 14
    days; two welcome visits done; five energy referrals done and one school referral sent;
    six anonymous desk contacts; the Kita obstacle on three cases."""
    cases = [world.open_case(family_name=name) for name in NAMES]
    now = utc_now()
    today = berlin(now).date()
    with unit_of_work() as session:
        school = Partner(name="Schule Eving", category=PartnerCategory.SCHOOL,
                         email="schule@partner.example", districts=[])  # fmt: skip
        kita = ObstacleKind(
            office_id=world.office_id, code="kita", label="Kein Kita-Platz", area="kita"
        )
        session.add_all([school, kita])
        session.flush()
        for n, case_id in enumerate(cases):
            case = session.get(Case, case_id)
            if n < 5:
                step = session.exec(
                    select(CaseStep).where(
                        CaseStep.case_id == case_id, CaseStep.kind == "registration"
                    )
                ).one()
                if n == 4:  # moved in 30 days ago, registered 20 days later
                    session.get(Household, case.household_id).moved_in_on = today - timedelta(
                        days=30
                    )  # type: ignore[union-attr]
                    step.done_on = today - timedelta(days=10)
                else:
                    step.done_on = today
                step.state, step.closed_at = "done", now
                partner = world.partner_id
                session.add(
                    Referral(case_id=case_id, partner_id=partner, status=ReferralStatus.DONE)
                )
            else:
                session.add(
                    Referral(case_id=case_id, partner_id=school.id, status=ReferralStatus.SENT)
                )
            if n < 2:
                session.add(Appointment(case_id=case_id, kind=AppointmentKind.WELCOME_VISIT,
                                        starts_at=now - timedelta(hours=2), location="x",
                                        status=AppointmentStatus.DONE))  # fmt: skip
            if n < 3:
                session.add(
                    CaseObstacle(case_id=case_id, kind_id=kita.id, noted_at=now - timedelta(days=3))
                )
            an_hour_ago = now - timedelta(hours=1)
            contact = ConsultationContact(
                office_id=world.office_id, occurred_at=an_hour_ago, topics=["kita"],
                outcome=ContactOutcome.RESOLVED,
            )  # fmt: skip
            session.add(contact)
    return today
