"""Households answer an appointment through the link in its message, without an account: in
their language, once, never by merely opening the link, and not after the appointment moved."""

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import AppointmentAnswer, CaseEvent, CaseNotice, Reminder
from models.enums import ReminderKind
from tests.helpers import in_hours, step
from web.app import create_app
from workflows.appointments import answers
from workflows.messaging.delivery import deliver

LINK = re.compile(r"http://[^/\s]+(/t/[A-Za-z0-9_-]{16})")


def deliver_kind(case_id: int, kind: ReminderKind) -> int:
    with unit_of_work() as session:
        reminder = session.exec(
            select(Reminder)
            .where(Reminder.case_id == case_id, Reminder.kind == kind)
            .order_by(Reminder.id.desc())  # type: ignore[union-attr]
        ).first()
        assert reminder is not None
        reminder_id = int(reminder.id)  # type: ignore[arg-type]
    assert deliver(reminder_id).status == "sent"
    return reminder_id


def link_in(message) -> str:  # type: ignore[no-untyped-def]
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    (path,) = set(LINK.findall(text))
    assert f'href="http://127.0.0.1:8000{path}"' in html  # a link to click in the HTML part
    return path


def test_the_household_answers_once_in_its_language_and_the_caseworker_hears_of_it(world, smtp):
    """Given an Arabic-speaking household invited to its welcome visit by email, when it opens
    the link, then it sees the visit in Arabic (right to left) and nothing is recorded; when it
    asks for another date with a note, then the answer is on the timeline and a notice names
    it for the caseworker; the same link then only thanks, and a second answer is refused."""
    case_id = world.open_case()
    starts = in_hours(72)
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=starts)
    deliver_kind(case_id, ReminderKind.APPOINTMENT_INVITATION)
    (invitation,) = [m for m in smtp.messages if m["To"] == "familie.haddad@household.example"
                     and "دعوة" in m["Subject"]]  # fmt: skip
    path = link_in(invitation)

    client = TestClient(create_app())
    page = client.get(path)
    assert page.status_code == 200
    assert '<html lang="ar" dir="rtl">' in page.text and "موعدكم" in page.text
    assert f"{berlin(starts):%d.%m.%Y}" in page.text
    assert page.headers["cache-control"] == "no-store"
    with unit_of_work() as session:
        assert session.exec(select(AppointmentAnswer)).one().answered_at is None
    german = client.get(f"{path}?lang=de").text
    assert "Passt Ihnen der Termin?" in german

    answered = client.post(path, data={"answer": "other_date", "note": "Lieber nachmittags"})
    assert answered.status_code == 200 and "سنتواصل معكم" in answered.text
    with unit_of_work() as session:
        event = session.exec(
            select(CaseEvent).where(
                CaseEvent.case_id == case_id, CaseEvent.trigger == answers.TRIGGER
            )
        ).one()
        assert "anderen Termin" in (event.note or "") and "Lieber nachmittags" in (event.note or "")
        notice = session.exec(select(CaseNotice).where(CaseNotice.case_id == case_id)).all()
        assert any("Bitte einen neuen Termin vereinbaren" in n.text for n in notice)

    again = client.post(path, data={"answer": "confirmed"})
    assert again.status_code == 409 and "لقد رددتم من قبل" in again.text
    assert client.get(path).status_code == 409  # opening it again: "you have answered"
    with unit_of_work() as session:
        link = session.exec(select(AppointmentAnswer)).one()
        assert (link.answer, link.note) == ("other_date", "Lieber nachmittags")


def test_a_moved_appointment_gets_a_new_link_and_the_old_one_expires(world, smtp):
    """Given an invitation whose link was not used, when the visit is moved, then the old link
    says it is no longer valid (410) and changes nothing; the update carries a new link that
    confirms the new date; an unknown or altered link is a 404 page, and an empty answer a 422
    that records nothing."""
    case_id = world.open_case()
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(48))
    deliver_kind(case_id, ReminderKind.APPOINTMENT_INVITATION)
    old = link_in(smtp.messages[-1])
    step(case_id, "reschedule_welcome_visit", world.caseworker_id, at=in_hours(96))
    deliver_kind(case_id, ReminderKind.APPOINTMENT_UPDATE)
    new = link_in(smtp.messages[-1])
    assert new != old

    client = TestClient(create_app())
    gone = client.post(old, data={"answer": "confirmed"})
    assert gone.status_code == 410 and "لم يعد صالحًا" in gone.text
    assert client.get(new[:-1] + ("A" if new[-1] != "A" else "B")).status_code == 404
    assert client.post(new, data={"answer": "maybe"}).status_code == 422
    assert client.post(new, data={"answer": "confirmed"}).status_code == 200
    with unit_of_work() as session:
        links = {a.token: a for a in session.exec(select(AppointmentAnswer))}
        assert links[old.rsplit("/", 1)[1]].answered_at is None
        assert links[new.rsplit("/", 1)[1]].answer == "confirmed"


def test_a_link_expires_when_the_appointment_begins(world, smtp):
    """Given an unanswered link, once the appointment has begun the link is refused as gone."""
    case_id = world.open_case()
    starts = in_hours(30)
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=starts)
    deliver_kind(case_id, ReminderKind.APPOINTMENT_INVITATION)
    token = link_in(smtp.messages[-1]).rsplit("/", 1)[1]
    with unit_of_work() as session:
        assert answers.find(session, token, utc_now()).link.token == token
        try:
            answers.find(session, token, starts + timedelta(minutes=1))
        except answers.LinkRefused as refused:
            assert refused.reason == "gone"
        else:
            raise AssertionError("a link after the appointment's start was accepted")


def test_the_text_message_carries_the_answer_link(world, sms_gateway):
    """Given a household reached by SMS, its invitation's text carries the short answer link
    and still fits two segments."""
    from core import sms

    case_id = world.open_case(email=None, phone="0151 23456789", contact_channels=["sms"])
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(50))
    deliver_kind(case_id, ReminderKind.APPOINTMENT_INVITATION)
    body = next(form["Body"] for form in sms_gateway.sent.values() if "/t/" in form["Body"])
    assert LINK.search(body) and sms.measure(body).segments <= 2
