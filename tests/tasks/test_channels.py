"""Every household reachable: each message on the household's first channel that can carry it,
the SMS gateway (a real local HTTP server), calls and letters as tasks, failures per channel.

Deliveries run the product's own ``deliver`` in the test process against the real SMTP server
and the real gateway; one test runs a real worker end to end.
"""

import io
import re
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import select

from core import sms
from core.clock import berlin, utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import CaseRead, Reminder
from models.enums import Channel, ReminderKind, ReminderStatus
from tests.helpers import in_hours, step
from tests.services import wait_for
from tests.web.conftest import PASSWORD
from web.app import create_app
from workflows.engine import reminders
from workflows.messaging import household_mail, i18n
from workflows.messaging.delivery import deliver

MOBILE = "0151 23456789"
LANDLINE = "0231 123456"


def registration_reminder(case_id: int) -> int:
    """The household's registration reminder, queued now (as the due sweep does when due)."""
    with unit_of_work() as session:
        reminders.dispatch_due(session, utc_now() + timedelta(days=30), get_settings())
        reminder = session.exec(
            select(Reminder).where(
                Reminder.case_id == case_id, Reminder.kind == ReminderKind.REGISTRATION_DEADLINE
            )
        ).one()
        return int(reminder.id)  # type: ignore[arg-type]


def state(reminder_id: int) -> Reminder:
    with unit_of_work() as session:
        reminder = session.get(Reminder, reminder_id)
        assert reminder is not None
        session.expunge(reminder)
        return reminder


def signed_in(world) -> TestClient:  # type: ignore[no-untyped-def]
    from core.passwords import hash_password
    from models import Staff

    with unit_of_work() as session:
        for staff_id in (world.caseworker_id, world.supervisor_id):
            session.get(Staff, staff_id).password_hash = hash_password(PASSWORD)  # type: ignore[union-attr]
    client = TestClient(create_app())
    return client


def login(client: TestClient, email: str) -> None:
    page = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)[1]  # type: ignore[index]
    answer = client.post("/login", data={"email": email, "password": PASSWORD, "csrf_token": token})
    assert answer.status_code in (200, 303), answer.text


def csrf(client: TestClient, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)[1]  # type: ignore[index]


def test_without_email_or_mobile_the_deadline_becomes_a_call_not_a_failure(world, smtp):
    """Given a household with a landline and no email, when its registration reminder is due,
    then nothing is sent and nothing fails: the caseworker finds "Haushalt anrufen: Erinnerung an
    die Anmeldefrist dd.mm." on the case and the list with the Arabic text to read out and the
    German below; the supervisors' dashboard counts 0 failures and 1 call; "Erledigt" marks the
    message as delivered by phone."""
    case_id = world.open_case(email=None, phone=LANDLINE, contact_channels=["email", "phone"])
    reminder_id = registration_reminder(case_id)

    assert deliver(reminder_id).status == "task"
    assert smtp.messages == []
    task = state(reminder_id)
    assert (task.status, task.channel) == (ReminderStatus.TASK, Channel.PHONE)

    client = signed_in(world)
    login(client, "lea.brandt@lokal-willkommen.example")
    page = client.get(f"/cases/{case_id}").text
    with unit_of_work() as session:
        from models import CaseStep

        due = session.get(CaseStep, task.step_id).due_at  # type: ignore[union-attr]
    last_day = berlin(due - timedelta(seconds=1))  # type: ignore[operator]
    assert f"Haushalt anrufen: Erinnerung an die Anmeldefrist {last_day:%d.%m.}" in page
    assert 'lang="ar" dir="rtl"' in page and "يرجى" in page  # the Arabic text to read out
    assert f"Bitte melden Sie sich bis zum {last_day:%d.%m.%Y}" in page  # and the German
    listing = client.get("/aufgaben").text
    assert f"LW-{case_id:06d}" in listing and "Haushalt anrufen" in listing
    work_list = client.get("/cases").text  # the case's row says a call waits
    assert f'href="/cases/{case_id}#aufgaben" class="badge notice task-badge"' in work_list

    client.cookies.clear()
    login(client, "jonas.albers@lokal-willkommen.example")
    dashboard = client.get("/dashboard").text
    assert re.search(r'id="failed-count">0<', dashboard)
    assert re.search(r'id="task-count"><a [^>]*>1<', dashboard)

    client.cookies.clear()
    login(client, "lea.brandt@lokal-willkommen.example")
    token = csrf(client, f"/cases/{case_id}")
    done = client.post(
        f"/cases/{case_id}/nachrichten/{reminder_id}",
        data={"outcome": "done", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303
    finished = state(reminder_id)
    assert finished.status == ReminderStatus.SENT and finished.handled_by_id == world.caseworker_id
    assert "Haushalt anrufen" not in client.get(f"/cases/{case_id}").text
    again = client.post(
        f"/cases/{case_id}/nachrichten/{reminder_id}",
        data={"outcome": "done", "csrf_token": token},
        follow_redirects=True,
    )
    assert "schon erledigt" in again.text  # a second click (another tab) changes nothing


def test_sms_first_goes_to_the_gateway_and_delivery_is_reported(world, smtp, sms_gateway):
    """Given a household that prefers SMS and has a mobile number, when its reminder is due,
    then the gateway receives one message to the E.164 number in Arabic within two UCS-2
    segments, no email is sent, and a signed delivery report marks it delivered; a report
    with a wrong signature is refused and changes nothing."""
    case_id = world.open_case(phone=MOBILE, contact_channels=["sms", "email"])
    reminder_id = registration_reminder(case_id)

    assert deliver(reminder_id).status == "sent"
    assert smtp.messages == []
    ((sid, form),) = sms_gateway.sent.items()
    assert form["To"] == "+4915123456789"
    assert "يرجى" in form["Body"]
    length = sms.measure(form["Body"])
    assert length.encoding == "UCS-2" and length.segments <= 2
    assert form["StatusCallback"].endswith("/sms/status")
    sent = state(reminder_id)
    assert (sent.status, sent.channel, sent.provider_ref) == (ReminderStatus.SENT, "sms", sid)

    client = TestClient(create_app())
    forged = client.post(
        "/sms/status",
        data={"MessageSid": sid, "MessageStatus": "undelivered"},
        headers={"X-Twilio-Signature": "Zm9yZ2Vk"},
    )
    assert forged.status_code == 403 and state(reminder_id).status == ReminderStatus.SENT
    assert sms_gateway.report(client, sid, "delivered").status_code == 204
    assert state(reminder_id).delivered_at is not None


def test_a_refused_sms_goes_on_to_the_next_channel_and_counts_as_an_sms_failure(
    world, smtp, sms_gateway, caplog
):
    """Given a household whose order is SMS, then email, when the gateway refuses the number
    for good, then the message is queued again and sent by email; the dashboard shows one
    failure, on the SMS channel, with the message now sent by email."""
    case_id = world.open_case(phone=MOBILE, contact_channels=["sms", "email"])
    reminder_id = registration_reminder(case_id)
    sms_gateway.mode = "reject"

    with caplog.at_level("INFO"):
        assert deliver(reminder_id).status == "next channel"
    assert "21211" in caplog.text and "4915123456789" not in caplog.text  # codes, no number
    assert state(reminder_id).failed_channels == "sms"
    assert deliver(reminder_id).status == "sent"
    (mail,) = smtp.messages
    assert mail["To"] == "familie.haddad@household.example"
    assert state(reminder_id).channel == Channel.EMAIL

    client = signed_in(world)
    login(client, "jonas.albers@lokal-willkommen.example")
    dashboard = client.get("/dashboard").text
    assert re.search(r'id="failed-count">1<', dashboard)
    assert "SMS 1" in dashboard  # failures per channel
    assert "Invalid" in dashboard and "gesendet (E-Mail)" in dashboard


def test_an_undelivered_report_hands_the_message_to_the_next_channel(world, sms_gateway):
    """Given an SMS the gateway accepted, when it later reports it undelivered, then the message
    goes on: with only a landline left, a call on the caseworker's list."""
    case_id = world.open_case(email=None, phone=MOBILE, contact_channels=["sms"])
    reminder_id = registration_reminder(case_id)
    assert deliver(reminder_id).status == "sent"
    (sid,) = sms_gateway.sent

    client = TestClient(create_app())
    assert sms_gateway.report(client, sid, "undelivered", "30003").status_code == 204
    assert deliver(reminder_id).status == "task"
    moved_on = state(reminder_id)
    assert (moved_on.status, moved_on.channel) == (ReminderStatus.TASK, Channel.PHONE)
    assert moved_on.failed_channels == "sms" and "30003" in (moved_on.last_error or "")
    # The same report again (gateways repeat them) changes nothing.
    assert sms_gateway.report(client, sid, "undelivered", "30003").status_code == 204
    assert state(reminder_id).status == ReminderStatus.TASK


def test_a_gateway_that_hangs_is_retried_and_the_message_sent_once(world, sms_gateway):
    """Given a gateway that does not answer within the timeout, when the reminder is delivered,
    then the attempt is recorded with a pause before the retry; the retry (same Idempotency-Key)
    is accepted, and the gateway holds the message once."""
    case_id = world.open_case(email=None, phone=MOBILE, contact_channels=["sms"])
    reminder_id = registration_reminder(case_id)
    sms_gateway.mode = "hang"

    outcome = deliver(reminder_id)
    assert outcome.status == "retry" and outcome.retry_in
    assert "Zeitüberschreitung" in (state(reminder_id).last_error or "")
    sms_gateway.mode = "accept"
    assert deliver(reminder_id).status == "sent"
    keys = {r["headers"].get("Idempotency-Key") for r in sms_gateway.requests}
    assert keys == {f"reminder-{reminder_id}"} and len(sms_gateway.requests) == 2
    assert len(sms_gateway.sent) == 1  # the timed-out one and the retry are one message


def test_a_mailbox_that_refuses_sends_the_message_on_by_sms(world, smtp, sms_gateway):
    """Given a household whose mail server refuses the address for good (550), when its
    reminder is delivered, then it goes on by SMS; the failure is counted on email."""
    case_id = world.open_case(phone=MOBILE, contact_channels=["email", "sms"])
    smtp.inbox.refuse.add("familie.haddad@household.example")
    reminder_id = registration_reminder(case_id)

    assert deliver(reminder_id).status == "next channel"
    assert deliver(reminder_id).status == "sent"
    sent = state(reminder_id)
    assert (sent.channel, sent.failed_channels) == ("sms", "email")
    assert smtp.messages == [] and len(sms_gateway.sent) == 1


def test_a_letter_task_for_a_visit_today_is_in_the_days_letters(world, smtp):
    """Given a household that prefers letters, when its registration reminder is due, then it
    becomes a letter to print; with its welcome visit today, it is in "Briefe für heute". The
    case's letter and the day's batch are one-page PDFs whose text, read back, is Arabic with
    the deadline's date, the German translation below, and the office's letterhead."""
    case_id = world.open_case(email=None, phone=None, contact_channels=["letter"])
    reminder_id = registration_reminder(case_id)
    assert deliver(reminder_id).status == "task"
    assert state(reminder_id).channel == Channel.LETTER

    client = signed_in(world)
    login(client, "lea.brandt@lokal-willkommen.example")
    assert "Briefe für heute" in client.get("/aufgaben").text
    none_today = client.get("/aufgaben/briefe-heute.pdf", follow_redirects=True)
    assert "keine Briefe" in none_today.text  # no visit today yet: said so, no empty PDF

    one = client.get(f"/cases/{case_id}/nachrichten/{reminder_id}/brief.pdf")
    assert one.status_code == 200 and one.headers["content-type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(one.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    with unit_of_work() as session:
        from models import CaseStep

        due = session.get(CaseStep, state(reminder_id).step_id).due_at  # type: ignore[union-attr]
    last_day = berlin(due - timedelta(seconds=1))  # type: ignore[operator]
    assert f"{last_day:%d.%m.%Y}" in text
    assert f"Dortmund, {berlin(utc_now()):%d.%m.%Y}" in text  # the letter's date
    assert "Eving/Scharnhorst" in text and "Familie Haddad" in text
    assert "deutsche übersetzung" in text.lower() and "Bürgeramt" in text
    assert re.search("[\u0600-\u06ff]{3}", text)  # Arabic letters, not boxes or question marks
    only_arabic = client.get(f"/cases/{case_id}/nachrichten/{reminder_id}/brief.pdf?deutsch=0")
    assert (
        "Deutsche Übersetzung"
        not in PdfReader(io.BytesIO(only_arabic.content)).pages[0].extract_text()
    )

    starts = in_hours(3)
    if berlin(starts).date() != berlin(utc_now()).date():
        starts = in_hours(0.2)  # late in the evening: still today in Berlin
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=starts)
    batch = client.get("/aufgaben/briefe-heute.pdf")
    assert batch.status_code == 200 and batch.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(batch.content)).pages
    assert len(pages) == 1 and f"{last_day:%d.%m.%Y}" in pages[0].extract_text()
    with unit_of_work() as session:  # each printed letter is a reading of the case
        printed = session.exec(select(CaseRead.what).where(CaseRead.case_id == case_id)).all()
    assert printed.count("letter") == 3


@pytest.mark.slow
def test_a_real_worker_texts_the_welcome_to_a_household_without_email(
    world, sms_gateway, start_worker
):
    """Given a running worker and a household with a mobile number and no email, when its case
    is opened, then the worker sends the consultation-hours welcome as an SMS through the
    gateway, in Arabic, and records it as sent by SMS with the gateway's id."""
    start_worker()
    case_id = world.open_case(email=None, phone=MOBILE, contact_channels=[])
    wait_for(lambda: sms_gateway.sent, 30, what="an SMS at the gateway")
    ((sid, form),) = sms_gateway.sent.items()
    assert form["To"] == "+4915123456789" and re.search("[\u0600-\u06ff]", form["Body"])

    def recorded() -> bool:
        with unit_of_work() as session:
            found = session.exec(
                select(Reminder).where(
                    Reminder.case_id == case_id, Reminder.kind == ReminderKind.CONSULTATION_INFO
                )
            ).one()
            return found.status == ReminderStatus.SENT and found.provider_ref == sid

    wait_for(recorded, 20, what="the SMS recorded as sent")


@pytest.mark.parametrize("kind", household_mail.HOUSEHOLD_KINDS)
@pytest.mark.parametrize("language", i18n.SUPPORTED)
def test_every_household_message_fits_two_segments_in_every_language(kind, language):
    """Every household message in every language, with a long place name and the office's
    number, is a text message of at most two segments that keeps its first line (the
    subject: what and when)."""
    from types import SimpleNamespace

    office = SimpleNamespace(
        name="Innenstadt-Nord",
        address="Mallinckrodtstraße 56, 44147 Dortmund",
        phone="0231 50-12345",
        email="nord@lokal-willkommen.example",
    )
    moment = utc_now() + timedelta(days=9)

    def context(lang: str) -> dict:
        return {
            "kind": "consultation",
            "when": i18n.moment(moment, lang),
            "location": "Stadtteilzentrum Nordmarkt, Mallinckrodtstraße 210, 44147 Dortmund",
            "step": "energy",
            "deadline": i18n.moment(moment, lang),
            "due": i18n.moment(moment, lang),
            "moved_in": "01.12.2026",
            "hours": [
                {
                    "weekday": i18n.weekday_name(0, lang),
                    "start": "10:00",
                    "end": "12:00",
                    "place": None,
                    "languages": "",
                }
            ],
        }

    text = household_mail.render_sms(kind, language, office, context)  # type: ignore[arg-type]
    assert sms.measure(text).segments <= 2, text
    assert office.phone in text
    if kind != ReminderKind.CONSULTATION_INFO:
        assert f"{berlin(moment):%d.%m.%Y}" in text or "…" in text, text


def test_segments_are_counted_as_phones_count_them():
    """GSM-7 text: 160 septets in one segment, 153 per part, € counts two; anything else UCS-2:
    70 code units alone, 67 per part, an emoji two."""
    assert sms.measure("a" * 160) == sms.Length("GSM-7", 160, 1)
    assert sms.measure("a" * 161).segments == 2
    assert sms.measure("€" * 80) == sms.Length("GSM-7", 160, 1)
    assert sms.measure("ب" * 70) == sms.Length("UCS-2", 70, 1)
    assert sms.measure("ب" * 71).segments == 2
    assert sms.measure("ب" * 134).segments == 2 and sms.measure("ب" * 135).segments == 3
    assert sms.measure("😀" * 35).units == 70


@pytest.mark.parametrize("language", [lang for lang in i18n.SUPPORTED if lang != "de"])
def test_every_household_message_is_a_one_page_letter_in_every_language(language):
    """Every household message in ``language`` with its German translation below, laid out as
    a letter, is one A4 page whose text, read back, holds the office, the address, the date,
    for appointments the time and place, and letters of the household's script."""
    from types import SimpleNamespace

    from workflows.messaging import letters

    office = SimpleNamespace(
        name="Innenstadt-Nord",
        address="Mallinckrodtstraße 56, 44147 Dortmund",
        phone="0231 50-12345",
        email="nord@lokal-willkommen.example",
    )
    household = SimpleNamespace(
        family_name="Haddad", street="Bornstraße 140", postal_code="44145", city="Dortmund"
    )
    moment = utc_now() + timedelta(days=9)
    place = "Stadtteilzentrum Nordmarkt, Mallinckrodtstraße 210, 44147 Dortmund"

    def context(lang: str) -> dict:
        return {
            "kind": "consultation",
            "when": i18n.moment(moment, lang),
            "location": place,
            "answer_link": "http://127.0.0.1:8000/t/AbCdEfGhIjKlMnOp",
            "step": "energy",
            "deadline": i18n.moment(moment, lang),
            "due": i18n.moment(moment, lang),
            "moved_in": "01.12.2026",
            "hours": [
                {
                    "weekday": i18n.weekday_name(day, lang),
                    "start": "10:00",
                    "end": "12:00",
                    "place": None,
                    "languages": "Arabisch, Deutsch",
                }
                for day in (0, 2, 4)
            ],
        }

    documents = [
        letters.document(
            office,  # type: ignore[arg-type]
            household,  # type: ignore[arg-type]
            household_mail.sections(kind, (language, "de"), office, context, medium="letter"),  # type: ignore[arg-type]
            utc_now(),
        )
        for kind in household_mail.HOUSEHOLD_KINDS
    ]
    pages = PdfReader(io.BytesIO(letters.pdf(documents))).pages
    assert len(pages) == len(household_mail.HOUSEHOLD_KINDS)  # each letter on one page
    script = {"ar": "[\u0600-\u06ff]", "fa": "[\u0600-\u06ff]", "uk": "[\u0400-\u04ff]",
              "ru": "[\u0400-\u04ff]", "tr": "[ğışİ]", "en": "[A-Za-z]"}[language]  # fmt: skip
    for kind, page in zip(household_mail.HOUSEHOLD_KINDS, pages, strict=True):
        text = page.extract_text()
        assert "Innenstadt-Nord" in text and "Bornstraße 140" in text, kind
        assert f"Dortmund, {berlin(utc_now()):%d.%m.%Y}" in text, kind
        assert re.search(script, text), (kind, language)
        if kind in household_mail.APPOINTMENT_KINDS:
            assert f"{berlin(moment):%H:%M}" in text and "Nordmarkt" in text, kind
        if kind in household_mail.ANSWERABLE_KINDS:
            assert "/t/AbCdEfGhIjKlMnOp" in text, kind


def test_the_contact_person_gets_the_message_by_email_in_two_languages(world, smtp):
    """Given a household reached through its contact person (a volunteer with an email
    address), when its reminder is due, then the volunteer receives it, Arabic and German."""
    case_id = world.open_case(
        email=None, phone=None, contact_channels=["helper"],
        helper_name="Frau Yilmaz", helper_email="patin@helper.example",
    )  # fmt: skip
    reminder_id = registration_reminder(case_id)
    assert deliver(reminder_id).status == "sent"
    (mail,) = smtp.messages
    assert mail["To"] == "patin@helper.example"
    assert mail["Content-Language"] == "ar, de"
    body = mail.get_body(("plain",)).get_content()
    assert "يرجى" in body and "Bitte melden Sie sich" in body
    assert state(reminder_id).channel == Channel.HELPER


def test_a_contact_person_without_email_is_a_call_naming_them(world):
    """Given a household reached through a volunteer who has only a phone, when its reminder
    is due, then the caseworker is asked to call the volunteer, by name and number."""
    from workflows.messaging import by_hand

    case_id = world.open_case(
        email=None, phone=None, contact_channels=["helper"],
        helper_name="Herr Nasser", helper_phone="0231 445566",
    )  # fmt: skip
    reminder_id = registration_reminder(case_id)
    assert deliver(reminder_id).status == "task"
    with unit_of_work() as session:
        (task,) = by_hand.open_tasks(session, case_id=case_id)
    assert task.title.startswith("Vertrauensperson anrufen: Erinnerung an die Anmeldefrist")
    assert (task.contact, task.phone) == ("Herr Nasser", "0231 445566")


def test_a_sent_household_message_can_be_printed_from_the_timeline(world, smtp):
    """Given a household message sent by email, the case's timeline offers it as a letter, and
    the link gives its one-page PDF; a staff message offers none."""
    case_id = world.open_case()
    reminder_id = registration_reminder(case_id)
    assert deliver(reminder_id).status == "sent"
    client = signed_in(world)
    login(client, "lea.brandt@lokal-willkommen.example")
    page = client.get(f"/cases/{case_id}").text
    path = f"/cases/{case_id}/nachrichten/{reminder_id}/brief.pdf"
    assert f'href="{path}"' in page
    letter = client.get(path)
    assert letter.status_code == 200 and len(PdfReader(io.BytesIO(letter.content)).pages) == 1
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(50))
    with unit_of_work() as session:
        staff_message = session.exec(
            select(Reminder).where(Reminder.case_id == case_id, Reminder.kind == ReminderKind.VISIT)
        ).one()  # the caseworker's own reminder of the visit
    page = client.get(f"/cases/{case_id}").text
    assert "Erinnerung an den Hausbesuch" in page
    assert f"nachrichten/{staff_message.id}/brief.pdf" not in page
    refused = client.get(f"/cases/{case_id}/nachrichten/999999/brief.pdf")
    assert refused.status_code == 404
