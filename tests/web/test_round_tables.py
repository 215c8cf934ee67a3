"""Round tables in the staff pages: the supervisor plans one for Eving (a district the office
does not serve is refused at its field), invites a colleague and a guest by email (queued for
the worker through the outbox), records an action and a decision; the next meeting lists the
open action; another office does not find the meeting; the minutes are printed as a PDF without
any household (SQLite and PostgreSQL)."""

import io
from datetime import timedelta

from pypdf import PdfReader
from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import CaseObstacle, ObstacleKind, OutboxMessage, RoundTable, RoundTableGuest
from tests.web.conftest import csrf, login
from tests.web.test_api import token_for
from tests.web.test_cases import flashes, follow, text
from tests.workflows.roundtables.conftest import held_earlier, plan
from workflows.roundtables import items, meetings


def post(client, path: str, data: dict, page: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf(client, page)})


def test_a_round_table_is_planned_invited_and_followed_up(web_world, client):
    login(client, web_world.emails["supervisor"])
    day = (berlin(utc_now()) + timedelta(days=10)).date().isoformat()
    meeting = {"title": "Runder Tisch Eving", "district": "Eving", "day": day, "time": "17:00",
               "place": "Bezirksverwaltung Eving", "agenda": "Kita-Plätze\nSchulwege"}  # fmt: skip
    wrong = post(client, "/runde-tische", {**meeting, "district": "Hörde"}, "/runde-tische")
    assert wrong.status_code == 422 and "Das Büro ist für diese Stadtbezirke da" in text(wrong)
    page = follow(client, post(client, "/runde-tische", meeting, "/runde-tische"))
    assert flashes(page) == ["Runder Tisch geplant: Gäste eintragen und einladen."]
    with unit_of_work() as session:
        (made,) = session.exec(select(RoundTable)).all()
    assert (made.agenda, berlin(made.starts_at).strftime("%H:%M")) == (
        ["Kita-Plätze", "Schulwege"],
        "17:00",
    )
    here = f"/runde-tische/{made.id}"
    follow(client, post(client, f"{here}/gaeste", {"staff_id": str(web_world.caseworker_id)}, here))
    guest = {
        "name": "Frau Bezirksbürgermeisterin",
        "email": "bv@eving.example",
        "organisation": "BV Eving",
    }
    follow(client, post(client, f"{here}/gaeste", guest, here))
    invited = follow(client, post(client, f"{here}/einladen", {}, here))
    assert flashes(invited) == ["2 Einladungen gehen hinaus (mit Kalendereintrag)."]
    with unit_of_work() as session:
        queued = session.exec(
            select(OutboxMessage).where(OutboxMessage.task == "roundtables.send_invitations")
        ).all()
        assert [q.arguments for q in queued] == [{"round_table_id": made.id}]  # ids only
        assert len(session.exec(select(RoundTableGuest)).all()) == 2

    due = (berlin(utc_now()) + timedelta(days=20)).date().isoformat()
    lea = f"staff:{web_world.caseworker_id}"
    action = {"kind": "action", "text": "Liste freier Kita-Plätze", "owner": lea, "due_on": due}
    assert flashes(follow(client, post(client, f"{here}/punkte", action, here))) == ["Eingetragen."]
    no_owner = follow(client, post(client, f"{here}/punkte", {**action, "owner": ""}, here))
    assert "genau eine verantwortliche Person" in flashes(no_owner)[0]
    decision = {"kind": "decision", "text": "Sprechstunde in der Kita Sonnenschein"}
    assert flashes(follow(client, post(client, f"{here}/punkte", decision, here))) == [
        "Eingetragen."
    ]
    early = follow(client, post(client, f"{here}/protokoll", {"minutes": "Vorab"}, here))
    assert "Das Protokoll folgt" in flashes(early)[0]

    held_earlier(made.id, 2)  # type: ignore[arg-type]
    follow(
        client, post(client, f"{here}/protokoll", {"minutes": "Drei Kitas bieten Plätze an."}, here)
    )
    shown = text(client.get(here))
    assert "Drei Kitas bieten Plätze an." in shown and "stattgefunden" in shown
    nxt = follow(
        client,
        post(client, "/runde-tische", {**meeting, "title": "Zweites Treffen"}, "/runde-tische"),
    )
    assert "Liste freier Kita-Plätze — Lea Brandt" in text(nxt)  # open from the meeting before

    client.post("/logout", data={"csrf_token": csrf(client, "/runde-tische")})
    login(client, web_world.emails["other_supervisor"])
    assert client.get(here).status_code == 404
    assert post(client, f"{here}/einladen", {}, "/runde-tische").status_code == 404


def test_the_minutes_are_handed_out_as_a_pdf_without_households(web_world, client):
    """A held meeting's minutes as a PDF (page and API): guests with their organisation, the
    minutes, the action with its owner, the district's obstacle figure with 3 cases as "< 5",
    no household's name; another office's supervisor does not find it."""
    meeting_id = plan(web_world)
    names = ("Haddad", "Nouri", "Sadiq")
    cases = [web_world.open_case(family_name=name) for name in names]
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        guest = meetings.GuestIn(
            name="Frau Aksoy", email="bv@eving.example", organisation="BV Eving"
        )
        meetings.add_guest(session, meeting, guest)  # type: ignore[arg-type]
        items.add(session, meeting, items.ItemIn(  # type: ignore[arg-type]
            kind="action", text="Liste freier Kita-Plätze", owner_staff_id=web_world.caseworker_id,
            due_on=berlin(utc_now()).date() + timedelta(days=14),
        ))  # fmt: skip
        kita = ObstacleKind(office_id=web_world.office_id, code="kita", label="Kein Kita-Platz",
                            area="kita")  # fmt: skip
        session.add(kita)
        session.flush()
        for case_id in cases:
            noted = utc_now() - timedelta(days=9)
            session.add(CaseObstacle(case_id=case_id, kind_id=kita.id, noted_at=noted))
    held_earlier(meeting_id, 2)
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        minutes = meetings.MinutesIn(minutes="Drei Kitas bieten Plätze an.")
        meetings.record_minutes(session, meeting, minutes)  # type: ignore[arg-type]

    login(client, web_world.emails["supervisor"])
    assert "/protokoll.pdf" in client.get(f"/runde-tische/{meeting_id}").text
    page = client.get(f"/runde-tische/{meeting_id}/protokoll.pdf")
    api = client.get(
        f"/api/round-tables/{meeting_id}/minutes.pdf", headers=token_for(web_world, "supervisor")
    )
    for answer in (page, api):
        assert answer.status_code == 200 and answer.headers["content-type"] == "application/pdf"
        printed = " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(answer.content)).pages
        )
        printed = " ".join(printed.split())
        assert "Protokoll: Runder Tisch Eving" in printed
        assert "Frau Aksoy BV Eving" in printed
        assert "Drei Kitas bieten Plätze an." in printed
        assert "Liste freier Kita-Plätze Lea Brandt" in printed
        assert "Kein Kita-Platz < 5 < 5" in printed  # three cases, all open: a small cell
        assert not any(name in printed for name in names)

    other = client.__class__(client.app, base_url="http://testserver", follow_redirects=False)
    login(other, web_world.emails["other_supervisor"])
    assert other.get(f"/runde-tische/{meeting_id}/protokoll.pdf").status_code == 404


def test_staff_postpone_drop_and_reopen_an_action_by_its_definitions_buttons(web_world, client):
    """Given an action of last month's meeting, when the supervisor postpones it on the page,
    drops it without and then with a reason, and reopens it through the API, then each change
    is refused or made as the round-table action workflow says, and the page reads its history;
    another office's supervisor does not find it."""
    meeting_id = plan(web_world)
    with unit_of_work() as session:
        meeting = session.get(RoundTable, meeting_id)
        item = items.add(session, meeting, items.ItemIn(  # type: ignore[arg-type]
            kind="action", text="Liste freier Kita-Plätze", owner_staff_id=web_world.caseworker_id,
            due_on=berlin(utc_now()).date() + timedelta(days=3),
        ))  # fmt: skip
        item_id = item.id
    held_earlier(meeting_id, 30)
    login(client, web_world.emails["supervisor"])
    here, change = (
        f"/runde-tische/{meeting_id}",
        f"/runde-tische/{meeting_id}/punkte/{item_id}/aendern",
    )
    page = text(client.get(here))
    for label in ("erledigt", "verschieben (neues Datum)", "verwerfen (mit Grund)"):
        assert f">{label}</" in page, label
    later = (berlin(utc_now()) + timedelta(days=30)).date()
    moved = follow(
        client, post(client, change, {"trigger": "postpone", "on": later.isoformat()}, here)
    )
    assert flashes(moved) == [f"Aufgabe offen, neues Datum {later.strftime('%d.%m.%Y')}."]
    assert f"bis {later.strftime('%d.%m.%Y')}" in text(moved)
    bare = follow(client, post(client, change, {"trigger": "drop", "note": ""}, here))
    assert flashes(bare) == ["Nicht geändert: Bitte einen Grund angeben (mindestens drei Zeichen)."]
    bad_day = follow(client, post(client, change, {"trigger": "postpone", "on": "31.02."}, here))
    assert flashes(bad_day) == ["Nicht geändert: Kein gültiges Datum."]
    dropped = follow(
        client, post(client, change, {"trigger": "drop", "note": "Die Kitas melden selbst"}, here)
    )
    assert flashes(dropped) == ["Aufgabe verworfen."]
    shown = text(dropped)
    assert "Jonas Albers: verwerfen (mit Grund) – Die Kitas melden selbst" in shown
    assert f"Jonas Albers: verschieben (neues Datum) auf {later.strftime('%d.%m.%Y')}" in shown
    assert ">wieder öffnen (mit Grund)</" in shown and ">erledigt</" not in shown

    supervisor = token_for(web_world, "supervisor")
    api = f"/api/round-table-items/{item_id}/changes"
    twice = client.post(api, json={"trigger": "drop", "note": "noch mal"}, headers=supervisor)
    assert twice.status_code == 422 and "schon verworfen" in twice.text
    reopened = client.post(
        api, json={"trigger": "reopen", "note": "Doch nötig"}, headers=supervisor
    )
    assert reopened.status_code == 200 and reopened.json()["state"] == "open"
    unknown = client.post(api, json={"trigger": "explode"}, headers=supervisor)
    assert unknown.status_code == 422
    other = client.post(
        api, json={"trigger": "complete"}, headers=token_for(web_world, "other_supervisor")
    )
    assert other.status_code == 404
