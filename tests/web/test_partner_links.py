"""Partners answer a referral through the signed links in its email, without an account.

Over HTTP with Starlette's TestClient against the real app and database (SQLite, PostgreSQL).
"""

import re
import time

import pytest
from itsdangerous import TimestampSigner
from sqlmodel import select

from core.config import get_settings
from core.db import unit_of_work
from models import Case, CaseEvent, CaseStep, Referral, Reminder
from models.enums import PartnerCategory, ReferralStatus, ReminderKind, ReminderStatus
from tests.helpers import signed, step
from workflows import consent
from workflows.casework.timeline import timeline
from workflows.referrals import links
from workflows.referrals.links import Action

PARTNER_NAME = "Caritas Stromspar-Check"


@pytest.fixture
def referred(web_world) -> int:
    """A case whose energy step was referred to the energy-advice partner; its case id."""
    case_id = web_world.open_case()
    with unit_of_work() as session:
        household_id = session.get(Case, case_id).household_id
        consent.grant(
            session,
            household_id,
            PartnerCategory.ENERGY_ADVICE,
            actor_id=web_world.caseworker_id,
            evidence=signed(),
        )
    step(case_id, "refer_energy", web_world.caseworker_id)
    return case_id


def the_referral(case_id: int) -> Referral:
    with unit_of_work() as session:
        return session.exec(select(Referral).where(Referral.case_id == case_id)).one()


def link(referral: Referral, action: Action) -> str:
    """The path of the partner's link, as the referral email carries it."""
    return "/" + links.url(get_settings(), referral, action).split("/", 3)[3]


def energy_state(case_id: int) -> str:
    with unit_of_work() as session:
        query = select(CaseStep).where(CaseStep.case_id == case_id, CaseStep.kind == "energy")
        return session.exec(query).one().state


def partner_reminders(case_id: int) -> dict[str, str]:
    with unit_of_work() as session:
        rows = session.exec(select(Reminder).where(Reminder.case_id == case_id)).all()
    chasing = (ReminderKind.REFERRAL_REMINDER, ReminderKind.REFERRAL_UNANSWERED)
    return {r.kind: r.status for r in rows if r.kind in chasing}


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text))


def test_accept_link_shows_the_referral_then_accepts_it_once(referred, client):
    """Given a referral sent to the partner, when the partner opens the accept link, then the
    page shows case number, topic and office and changes nothing; when it confirms, then the
    referral is accepted, the partner's reminders are off, the timeline shows the answer, and
    no session cookie was ever set."""
    referral = the_referral(referred)
    page = client.get(link(referral, Action.ACCEPT))
    assert page.status_code == 200
    assert f"LW-{referred:06d}" in page.text and "Strom- und Gasvertrag" in page.text
    assert "eving@lokal-willkommen.example" in page.text
    assert page.headers["cache-control"] == "no-store"
    assert the_referral(referred).status == ReferralStatus.SENT  # a GET changes nothing

    answered = client.post(link(referral, Action.ACCEPT))
    assert answered.status_code == 200
    assert "angenommen" in text_of(answered)
    after = the_referral(referred)
    assert after.status == ReferralStatus.ACCEPTED and after.answered_at is not None
    assert energy_state(referred) == "referred"
    assert set(partner_reminders(referred).values()) == {ReminderStatus.CANCELLED}
    with unit_of_work() as session:
        answers = [e for e in timeline(session, referred) if e.kind == "answer"]
    assert [(a.title, a.status) for a in answers] == [(f"Antwort von {PARTNER_NAME}", "accepted")]
    assert "set-cookie" not in page.headers and "set-cookie" not in answered.headers


def test_decline_with_reason_puts_the_step_back_to_open_through_the_engine(referred, client):
    """Given a referral, when the partner declines with a reason, then the referral is declined
    with the reason, the energy step is open again, and the case history names the partner."""
    referral = the_referral(referred)
    form = client.get(link(referral, Action.DECLINE))
    assert form.status_code == 200 and 'name="reason"' in form.text
    answered = client.post(
        link(referral, Action.DECLINE), data={"reason": "Keine Termine bis März frei"}
    )
    assert answered.status_code == 200 and "abgelehnt" in text_of(answered)
    after = the_referral(referred)
    assert after.status == ReferralStatus.DECLINED
    assert after.answer_note == "Keine Termine bis März frei"
    assert energy_state(referred) == "open"
    with unit_of_work() as session:
        event = session.exec(
            select(CaseEvent).where(CaseEvent.trigger == "end_referral_energy")
        ).one()
        entries = timeline(session, referred)
    assert event.actor_id is None  # the partner, not a member of staff
    assert event.note == f"Abgelehnt von {PARTNER_NAME}: Keine Termine bis März frei"
    assert (event.from_state, event.to_state) == ("referred", "open")
    answer = next(e for e in entries if e.kind == "answer")
    assert answer.partner.startswith(PARTNER_NAME) and answer.text == "Keine Termine bis März frei"
    assert set(partner_reminders(referred).values()) == {ReminderStatus.CANCELLED}


def test_a_used_link_is_refused_both_links_are_dead(referred, client):
    """Given a referral the partner has accepted, when the accept or the decline link is used
    again, then a clear page says it was answered already (409) and nothing changes (the
    report link still works: the outcome comes later)."""
    referral = the_referral(referred)
    assert client.post(link(referral, Action.ACCEPT)).status_code == 200
    for action in (Action.ACCEPT, Action.DECLINE):
        for method in (client.get, client.post):
            again = method(link(referral, action))
            assert again.status_code == 409, (action, method)
            assert "bereits angenommen" in again.text
    assert the_referral(referred).status == ReferralStatus.ACCEPTED
    assert energy_state(referred) == "referred"


def test_tampered_link_is_refused(referred, client):
    """Given a link with one character changed, when it is opened or posted, then it is refused
    as invalid (400) and the referral is untouched."""
    path = link(the_referral(referred), Action.ACCEPT)
    position = len(path) - 5
    flipped = "A" if path[position] != "A" else "B"
    tampered = path[:position] + flipped + path[position + 1 :]
    for method in (client.get, client.post):
        refused = method(tampered)
        assert refused.status_code == 400
        assert "Link ungültig" in refused.text
    assert the_referral(referred).status == ReferralStatus.SENT


class SignedLongAgo(TimestampSigner):
    def get_timestamp(self) -> int:
        days = get_settings().referral_link_max_age_days + 1
        return int(time.time() - days * 86400)


def test_expired_link_is_refused(referred, client):
    """Given a link signed longer ago than links live, when it is used, then it is refused as
    expired (410) and the referral is untouched."""
    referral = the_referral(referred)
    serializer = links.serializer(get_settings(), signer=SignedLongAgo)
    token = serializer.dumps(links.payload(referral, Action.ACCEPT))
    for method in (client.get, client.post):
        refused = method(f"{links.PATH}/{token}")
        assert refused.status_code == 410
        assert "abgelaufen" in refused.text
    assert the_referral(referred).status == ReferralStatus.SENT


def test_link_for_another_case_is_refused(referred, web_world, client):
    """Given a correctly signed link naming this referral but another case, when it is used,
    then it is refused (400), and neither case changes."""
    other_case = web_world.open_case(family_name="Petrenko")
    referral = the_referral(referred)
    forged = {**links.payload(referral, Action.DECLINE), "c": other_case}
    token = links.serializer(get_settings()).dumps(forged)
    refused = client.post(f"{links.PATH}/{token}", data={"reason": "x"})
    assert refused.status_code == 400
    assert "passt nicht" in refused.text
    assert the_referral(referred).status == ReferralStatus.SENT
    assert energy_state(referred) == "referred"


def test_a_new_referral_does_not_take_an_old_link(referred, web_world, client):
    """Given a declined referral and the step referred again, when the old referral's link is
    used, then it is refused: each referral has its own links."""
    first = the_referral(referred)
    client.post(link(first, Action.DECLINE))
    step(referred, "refer_energy", web_world.caseworker_id)
    with unit_of_work() as session:
        query = select(Referral).where(Referral.case_id == referred, Referral.id != first.id)
        second = session.exec(query).one()
    assert second.link_nonce != first.link_nonce
    assert client.post(link(first, Action.ACCEPT)).status_code == 409
    assert client.post(link(second, Action.ACCEPT)).status_code == 200
