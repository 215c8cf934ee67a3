"""Referrals to any consented category, to the partner chosen, with a message; the partner's
report of the outcome; the partner asked to delete the data when the referral ends."""

import re

import pytest
from sqlmodel import select

from core.config import get_settings
from core.db import unit_of_work
from models import Case, CaseEvent, CaseNotice, Partner, Referral, Reminder
from models.enums import PartnerCategory, ReferralStatus, ReminderKind
from tests.helpers import signed, step
from tests.web.conftest import csrf, login
from tests.web.test_cases import flashes, follow, text
from tests.web.test_partner_links import link
from workflows import consent
from workflows.messaging.compose import compose
from workflows.referrals.links import Action


@pytest.fixture
def courses(web_world) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Two language-course partners for Eving: one of the district, one for the whole city."""
    with unit_of_work() as session:
        district = Partner(
            name="VHS Eving", category=PartnerCategory.LANGUAGE_COURSE, email="vhs@p.example",
            districts=["Eving"], languages=["ar", "de"], capacity_note="Kurs ab Januar",
        )  # fmt: skip
        city = Partner(
            name="Auslandsgesellschaft", category=PartnerCategory.LANGUAGE_COURSE,
            email="ag@p.example", districts=[], languages=["uk"],
        )  # fmt: skip
        elsewhere = Partner(
            name="VHS Lütgendortmund", category=PartnerCategory.LANGUAGE_COURSE,
            email="vhs-ld@p.example", districts=["Lütgendortmund"],
        )  # fmt: skip
        session.add_all([district, city, elsewhere])
        session.flush()
        return {"district": district.id, "city": city.id, "elsewhere": elsewhere.id}  # type: ignore[dict-item]


def consent_to(case_id: int, category: PartnerCategory, actor: int) -> None:
    with unit_of_work() as session:
        household_id = session.get(Case, case_id).household_id
        consent.grant(session, household_id, category, actor_id=actor, evidence=signed())


def refer(client, case_id: int, **fields: str):  # type: ignore[no-untyped-def]
    data = {"partner_category": "language_course", "partner_id": "", "message": "", **fields}
    token = csrf(client, f"/cases/{case_id}")
    return client.post(f"/cases/{case_id}/weitervermitteln", data={**data, "csrf_token": token})


def test_a_referral_without_a_step_goes_to_the_chosen_partner_with_the_message(
    web_world, client, courses
):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    refused = follow(client, refer(client, case_id))
    assert (
        "Einwilligung des Haushalts zur Weitergabe an 'Sprachkurse' fehlt." in flashes(refused)[0]
    )

    consent_to(case_id, PartnerCategory.LANGUAGE_COURSE, web_world.caseworker_id)
    page = client.get(f"/cases/{case_id}").text
    # The household's district partner speaking its first language is suggested first.
    options = re.findall(r'<optgroup label="Sprachkurse">(.*?)</optgroup>', page, re.S)[0]
    assert options.index("VHS Eving") < options.index("Auslandsgesellschaft")
    assert "Kurs ab Januar" in options and "VHS Lütgendortmund" not in options

    foreign = follow(client, refer(client, case_id, partner_id=str(courses["elsewhere"])))
    assert "Dieser Partner passt nicht" in flashes(foreign)[0]
    sent = follow(
        client,
        refer(client, case_id, partner_id=str(courses["city"]), message="Mutter möchte B1-Kurs"),
    )
    assert flashes(sent) == ["Weitervermittelt an Auslandsgesellschaft (Sprachkurse)."]
    assert "Weitervermittlung ohne Schritt" in text(sent)
    with unit_of_work() as session:
        referral = session.exec(select(Referral)).one()
        assert (referral.step_id, referral.partner_id) == (None, courses["city"])
        mail_row = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.REFERRAL)
        ).one()
        mail = compose(session, mail_row, get_settings())
    body = mail.get_content()
    assert mail["To"] == "ag@p.example"
    assert mail["Subject"] == f"Weitervermittlung: Sprachkurse (LW-{case_id:06d})"
    assert "Mutter möchte B1-Kurs" in body and "Ergebnis melden:" in body


def test_the_partner_reports_the_outcome_once_and_the_caseworker_is_told(
    web_world, client, courses
):
    case_id = web_world.open_case()
    consent_to(case_id, PartnerCategory.LANGUAGE_COURSE, web_world.caseworker_id)
    login(client, web_world.emails["caseworker"])
    follow(client, refer(client, case_id))
    with unit_of_work() as session:
        referral = session.exec(select(Referral)).one()
    assert referral.partner_id == courses["district"]  # the suggestion
    report = link(referral, Action.REPORT)
    form = client.get(report)
    assert form.status_code == 200 and "Haushalt nicht erreicht" in form.text
    assert client.post(report, data={"outcome": "maybe"}).status_code == 422
    done = client.post(report, data={"outcome": "not_reached", "reason": "3x angerufen"})
    assert done.status_code == 200 and "Haushalt nicht erreicht" in done.text
    assert client.post(report, data={"outcome": "done"}).status_code == 409  # once
    with unit_of_work() as session:
        ended = session.get(Referral, referral.id)
        assert (ended.status, ended.report_note) == (ReferralStatus.NOT_REACHED, "3x angerufen")
        event = session.exec(select(CaseEvent).where(CaseEvent.trigger == "partner_report")).one()
        assert event.note == "VHS Eving meldet: Haushalt nicht erreicht – 3x angerufen"
        notice = session.exec(select(CaseNotice)).one()
        assert notice.text.startswith("VHS Eving meldet: Haushalt nicht erreicht")
        chasing = session.exec(
            select(Reminder.status).where(Reminder.kind == ReminderKind.REFERRAL_REMINDER)
        ).all()
        assert chasing == ["cancelled"]
    page = client.get(f"/cases/{case_id}")
    assert "nicht erreicht" in text(page) and "3x angerufen" in text(page)


def test_a_step_referral_goes_to_the_partner_chosen_with_a_message(web_world, client):
    case_id = web_world.open_case()
    with unit_of_work() as session:
        other = Partner(
            name="Stadtwerke Energieberatung", category=PartnerCategory.ENERGY_ADVICE,
            email="sw@p.example", districts=["Eving"],
        )  # fmt: skip
        session.add(other)
        session.flush()
        other_id = other.id
    consent_to(case_id, PartnerCategory.ENERGY_ADVICE, web_world.caseworker_id)
    login(client, web_world.emails["caseworker"])
    token = csrf(client, f"/cases/{case_id}")
    response = client.post(
        f"/cases/{case_id}/advance",
        data={"trigger": "refer_energy", "partner_id": str(other_id), "version": "1",
              "message": "Zählerstand liegt vor", "csrf_token": token},
    )  # fmt: skip
    assert flashes(follow(client, response))[0].startswith("Gespeichert")
    with unit_of_work() as session:
        referral = session.exec(select(Referral)).one()
        assert (referral.partner_id, referral.message) == (other_id, "Zählerstand liegt vor")


def test_closing_the_case_asks_every_partner_of_a_running_referral_to_delete_the_data(
    web_world, client, courses
):
    case_id = web_world.open_case()
    consent_to(case_id, PartnerCategory.LANGUAGE_COURSE, web_world.caseworker_id)
    consent_to(case_id, PartnerCategory.ENERGY_ADVICE, web_world.caseworker_id)
    login(client, web_world.emails["caseworker"])
    follow(client, refer(client, case_id))
    step(case_id, "refer_energy", web_world.caseworker_id)
    step(case_id, "close_case", web_world.caseworker_id, note="Familie verzogen, unbekannt")
    with unit_of_work() as session:
        referrals = session.exec(select(Referral)).all()
        assert {r.status for r in referrals} == {ReferralStatus.WITHDRAWN}
        asked = session.exec(
            select(Reminder.referral_id).where(Reminder.kind == ReminderKind.REFERRAL_WITHDRAWN)
        ).all()
    assert sorted(asked) == sorted(r.id for r in referrals)  # each partner, once
    timeline = text(client.get(f"/cases/{case_id}"))
    assert timeline.count("Weitervermittlung zurückgezogen") >= 2


def test_withdrawn_consent_ends_a_referral_without_a_step_too(web_world, client, courses):
    case_id = web_world.open_case()
    consent_to(case_id, PartnerCategory.LANGUAGE_COURSE, web_world.caseworker_id)
    login(client, web_world.emails["caseworker"])
    follow(client, refer(client, case_id))
    with unit_of_work() as session:
        household_id = session.get(Case, case_id).household_id
        consent.withdraw(
            session, household_id, PartnerCategory.LANGUAGE_COURSE,
            actor_id=web_world.caseworker_id,
        )  # fmt: skip
    with unit_of_work() as session:
        assert session.exec(select(Referral.status)).one() == ReferralStatus.WITHDRAWN
        deletion = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.REFERRAL_WITHDRAWN)
        ).one()
        mail = compose(session, deletion, get_settings())
    assert "Bitte löschen Sie alle Angaben" in mail.get_content()
    assert "Einwilligung" in mail.get_content()
