"""Household and partner emails as a real SMTP server receives them, sent by a real worker.

Calendar invitations across reschedule and cancel, the referral email within the consent, the
partner's links working from the received email, an unanswered referral, consent withdrawn.
"""

from datetime import UTC, datetime, timedelta

import pytest
import vobject
from fastapi.testclient import TestClient
from icalendar import Calendar
from sqlmodel import select

from core.clock import BERLIN
from core.db import unit_of_work
from models import Case, CaseEvent, CaseStep, Consent, Referral, Reminder
from models.enums import PartnerCategory, ReferralStatus, SharedField
from tests.helpers import pass_time, reminder_statuses, run_sweep, signed, step
from tests.services import wait_for
from web.app import create_app
from workflows import consent

pytestmark = pytest.mark.slow

HOUSEHOLD = "familie.haddad@household.example"
PARTNER = "stromspar@partner.example"
CASEWORKER = "lea.brandt@lokal-willkommen.example"


def mail_to(smtp, address: str, count: int, timeout: float = 20):  # type: ignore[no-untyped-def]
    """The first ``count`` emails to ``address``, waiting for them."""
    mine = lambda: [m for m in smtp.messages if m["To"] == address]  # noqa: E731
    return wait_for(lambda: len(mine()) >= count and mine(), timeout, what=f"{count} to {address}")


def calendar_of(message) -> Calendar:  # type: ignore[no-untyped-def]
    """The invitation inline, as mail clients show it: a third alternative beside text and
    HTML with its charset and method, read as text through that charset (an Arabic SUMMARY
    stays Arabic); the same file attached as termin.ics."""
    alternative = next(p for p in message.walk() if p.get_content_type() == "multipart/alternative")
    (part,) = [p for p in alternative.iter_parts() if p.get_content_type() == "text/calendar"]
    assert part.get_content_charset() == "utf-8"
    inline = Calendar.from_ical(part.get_content())
    assert part.get_param("method") == str(inline["METHOD"])
    second = vobject.readOne(part.get_content())  # a second, independent parser agrees
    assert second.vevent.uid.value == str(inline.walk("VEVENT")[0]["UID"])
    assert second.vevent.summary.value == str(inline.walk("VEVENT")[0]["SUMMARY"])
    (attached,) = message.iter_attachments()
    assert attached.get_filename() == "termin.ics"
    assert Calendar.from_ical(attached.get_content()) == inline
    return inline


def on_the_hour(days: int) -> datetime:
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=days)


def household_of(case_id: int) -> int:
    with unit_of_work() as session:
        return session.get(Case, case_id).household_id


def test_visit_invitation_update_and_cancellation_are_one_calendar_entry(world, smtp, start_worker):
    """Given a household that reads Arabic, when its welcome visit is booked, moved and the case
    closed, then it receives an invitation, an update and a cancellation whose .ics parse, share
    one UID with SEQUENCE 0, 1, 2, say REQUEST, REQUEST, CANCEL and carry the visit's time and
    place, organised by the office."""
    start_worker()
    case_id = world.open_case()
    mail_to(smtp, HOUSEHOLD, 1)  # the welcome information at intake
    first, second = on_the_hour(3), on_the_hour(5)
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=first)
    mail_to(smtp, HOUSEHOLD, 2)
    step(case_id, "reschedule_welcome_visit", world.caseworker_id, at=second)
    mail_to(smtp, HOUSEHOLD, 3)
    step(case_id, "close_case", world.caseworker_id, note="Familie nach Bochum verzogen")
    welcome, invitation, update, cancellation = mail_to(smtp, HOUSEHOLD, 4)

    assert welcome["Content-Language"] == "ar" and "lokal willkommen" in welcome["Subject"]
    events = []
    for message, method in ((invitation, "REQUEST"), (update, "REQUEST"), (cancellation, "CANCEL")):
        assert message["Content-Language"] == "ar"
        assert message.get_body(("html",)).get_content().count('dir="rtl"') >= 2
        calendar = calendar_of(message)
        assert str(calendar["METHOD"]) == method
        (event,) = calendar.walk("VEVENT")
        assert "زيارة" in str(event["SUMMARY"])  # Arabic, not replacement characters
        events.append(event)
    assert len({str(e["UID"]) for e in events}) == 1
    assert [int(e["SEQUENCE"]) for e in events] == [0, 1, 2]
    assert [e.decoded("DTSTART") for e in events] == [first, second, second]
    assert [str(e["STATUS"]) for e in events] == ["CONFIRMED", "CONFIRMED", "CANCELLED"]
    for event in events:
        assert str(event["LOCATION"]) == "Evinger Straße 12, 44339 Dortmund"
        assert str(event["ORGANIZER"]) == "mailto:eving@lokal-willkommen.example"
        assert event.decoded("DTEND") - event.decoded("DTSTART") == timedelta(minutes=60)
    assert f"{first.astimezone(BERLIN):%d.%m.%Y}" in invitation["Subject"]
    statuses = reminder_statuses(case_id)
    assert statuses["appointment_reminder"] == ["cancelled", "cancelled"]  # never the day before


def test_referral_email_holds_only_what_the_household_consented_to(world, smtp, start_worker):
    """Given consent to share only the contact's name and the languages with energy advice,
    when the energy step is referred, then the partner's email names the contact and the
    languages and holds none of the household's other data; its accept link works once."""
    start_worker()
    case_id = world.open_case()
    with unit_of_work() as session:
        consent.grant(
            session,
            household_of(case_id),
            PartnerCategory.ENERGY_ADVICE,
            actor_id=world.caseworker_id,
            fields=[SharedField.NAME, SharedField.LANGUAGES],
            evidence=signed(),
        )
    step(case_id, "refer_energy", world.caseworker_id)
    (referral,) = mail_to(smtp, PARTNER, 1)
    body = referral.get_content().replace("\r\n", "\n").split("\n--\n")[0]  # the signature
    assert "Ansprechperson: Amal Haddad" in body and "Sprachen: Arabisch, Deutsch" in body
    withheld = [
        "0231 123456", "familie.haddad", "household.example", "Evinger", "44339", "Omar",
        "1986", "2016", "02.04", "Telefon:", "E-Mail:", "Adresse:", "Haushalt:", "Stadtbezirk",
    ]  # fmt: skip
    assert [value for value in withheld if value in body + str(referral["Subject"])] == [], body

    accept = next(line.split()[-1] for line in body.splitlines() if "Annehmen:" in line)
    path = "/" + accept.split("/", 3)[3]
    with TestClient(create_app()) as client:
        assert client.post(path).status_code == 200
        assert client.post(path).status_code == 409
    with unit_of_work() as session:
        assert session.exec(select(Referral.status)).one() == ReferralStatus.ACCEPTED


def referred_for_energy(world, smtp) -> int:  # type: ignore[no-untyped-def]
    """A new case whose energy step went to the partner (with consent); its email has come."""
    case_id = world.open_case()
    with unit_of_work() as session:
        consent.grant(
            session, household_of(case_id), PartnerCategory.ENERGY_ADVICE,
            actor_id=world.caseworker_id, evidence=signed())  # fmt: skip
    step(case_id, "refer_energy", world.caseworker_id)
    mail_to(smtp, PARTNER, 1)
    return case_id


def test_unanswered_referral_reminds_the_partner_once_then_tells_the_caseworker(
    world, smtp, start_worker
):
    """Given a referral the partner does not answer, when five days pass, then the partner is
    reminded once; three days later the caseworker hears of it; after that nothing more."""
    start_worker()
    case_id = referred_for_energy(world, smtp)

    pass_time(5)
    run_sweep()
    reminder = mail_to(smtp, PARTNER, 2)[1]
    assert (
        reminder["Subject"].strip()
        == f"Erinnerung: Weitervermittlung Strom- und Gasvertrag (LW-{case_id:06d}) noch offen"
    )
    assert "/partner/referrals/" in reminder.get_content()
    assert "Amal" not in reminder.get_content()  # the household's data is not sent again

    pass_time(3)
    run_sweep()
    (told,) = mail_to(smtp, CASEWORKER, 1)
    assert (
        told["Subject"].strip()
        == "Keine Antwort von Caritas Stromspar-Check: Strom- und Gasvertrag im Fall "
        f"LW-{case_id:06d}"
    )

    pass_time(30)
    run_sweep()
    with pytest.raises(AssertionError):
        mail_to(smtp, PARTNER, 3, timeout=3)
    statuses = reminder_statuses(case_id)
    assert statuses["referral_reminder"] == statuses["referral_unanswered"] == ["sent"]
    assert [m["To"] for m in smtp.messages].count(CASEWORKER) == 1


def test_consent_withdrawn_withdraws_the_referral_and_tells_the_partner(world, smtp, start_worker):
    """Given a referral sent with consent, when the household withdraws its consent, then the
    referral is withdrawn, the step is open again, the partner is told to delete the data, and
    the partner is not reminded any more."""
    start_worker()
    case_id = world.open_case()
    household_id = household_of(case_id)
    with unit_of_work() as session:
        consent.grant(
            session,
            household_id,
            PartnerCategory.ENERGY_ADVICE,
            actor_id=world.caseworker_id,
            evidence=signed(),
        )
    step(case_id, "refer_energy", world.caseworker_id)
    mail_to(smtp, PARTNER, 1)
    with unit_of_work() as session:
        consent.withdraw(
            session, household_id, PartnerCategory.ENERGY_ADVICE, actor_id=world.caseworker_id
        )
    withdrawn = mail_to(smtp, PARTNER, 2)[1]
    assert (
        withdrawn["Subject"].strip()
        == f"Weitervermittlung zurückgezogen: Strom- und Gasvertrag (LW-{case_id:06d})"
    )
    text = withdrawn.get_content()
    assert "Einwilligung zur Weitergabe seiner Daten widerrufen" in text and "löschen" in text
    assert "Amal" not in text
    with unit_of_work() as session:
        assert session.exec(select(Referral.status)).one() == ReferralStatus.WITHDRAWN
        energy = session.exec(select(CaseStep).where(CaseStep.kind == "energy")).one()
        assert energy.state == "open"
    pass_time(10)
    run_sweep()
    with pytest.raises(AssertionError):
        mail_to(smtp, PARTNER, 3, timeout=3)
    statuses = reminder_statuses(case_id)
    assert statuses["referral_reminder"] == statuses["referral_unanswered"] == ["cancelled"]


def test_a_queued_referral_email_is_not_sent_once_the_consent_has_expired(
    world, smtp, start_worker
):
    """Given a referral made on the last day of the household's consent, when its email is
    still queued as the day passes (no worker was running), then the worker that picks it up
    sends the partner nothing and records why: the consent ended that day."""
    case_id = world.open_case()
    household_id = household_of(case_id)
    last_day = datetime.now(BERLIN).date()
    with unit_of_work() as session:
        consent.grant(
            session, household_id, PartnerCategory.ENERGY_ADVICE, actor_id=world.caseworker_id,
            evidence=signed(), expires_on=last_day,
        )  # fmt: skip
    step(case_id, "refer_energy", world.caseworker_id)  # the email waits in the queue
    with unit_of_work() as session:  # midnight passes
        given = session.exec(select(Consent)).one()
        given.expires_on = last_day - timedelta(days=1)
    start_worker()
    wait_for(lambda: reminder_statuses(case_id)["referral"] == ["failed"], 20, what="refused")
    assert [m for m in smtp.messages if m["To"] == PARTNER] == []
    with unit_of_work() as session:
        referral_mail = session.exec(
            select(Reminder).where(Reminder.case_id == case_id, Reminder.kind == "referral")
        ).one()
    assert "Energieberatung" in (referral_mail.last_error or "")
    assert "galt bis" in (referral_mail.last_error or "")


def test_closing_the_case_asks_the_partner_to_delete_the_data(world, smtp, start_worker):
    """Given a running referral, when the caseworker closes the case, then the partner gets an
    email over SMTP saying the accompaniment has ended and asking it to delete the household's
    data, naming the case by its number only; the timeline records the withdrawal."""
    start_worker()
    case_id = referred_for_energy(world, smtp)
    step(case_id, "close_case", world.caseworker_id, note="Familie nach Bochum verzogen")
    asked = mail_to(smtp, PARTNER, 2)[1]
    text = asked.get_content()
    assert f"LW-{case_id:06d}" in asked["Subject"]
    assert "Begleitung dieses Haushalts ist abgeschlossen" in text
    assert "Bitte löschen Sie alle Angaben zu diesem Haushalt" in text
    assert "Haddad" not in text and "Amal" not in text and "Bochum" not in text
    with unit_of_work() as session:
        triggers = session.exec(select(CaseEvent.trigger).where(CaseEvent.case_id == case_id))
        assert "waive_energy" in set(triggers)


def test_household_without_a_supported_language_receives_german_then_english(
    world, smtp, start_worker
):
    """Given a household that speaks Tigrinya, when its case is opened, then the email it
    receives holds German first and English second, in text and HTML, each marked."""
    start_worker()
    world.open_case(languages=["ti"])
    (welcome,) = mail_to(smtp, HOUSEHOLD, 1)
    assert welcome["Content-Language"] == "de, en"
    assert welcome["Subject"].strip().startswith("Willkommen! Hier bekommen Sie Hilfe")
    assert " / Welcome! This is where you get help" in welcome["Subject"]
    text = welcome.get_body(("plain",)).get_content()
    assert text.index("Guten Tag,") < text.index("Hello,")
    page = welcome.get_body(("html",)).get_content()
    assert '<html lang="de" dir="ltr">' in page and '<div lang="en" dir="ltr"' in page
