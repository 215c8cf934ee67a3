""" "Meine Termine" in the staff pages and the API: the day and the week, the printed route
sheet (recorded as a read of each case on it), a colleague's agenda for a supervisor only, and
the private calendar address — made and shown once, fetched without login by a calendar
program, replaced, revoked, never in the access log (SQLite and PostgreSQL)."""

import re
from datetime import timedelta

from icalendar import Calendar
from sqlmodel import select

from core.db import unit_of_work
from models import CaseRead
from tests.web.conftest import csrf, login
from tests.web.test_api import token_for
from tests.web.test_cases import flashes, follow, text
from tests.workflows.agenda.conftest import plan_visit
from tests.workflows.consultations.conftest import add_hour, at, next_weekday

ADDRESS = re.compile(r'value="(http://[^"]+/kalender/[^"]+\.ics)"')


def lea_busy(web_world) -> tuple[int, object]:  # type: ignore[no-untyped-def]
    """Lea's next Tuesday: on duty in the office 10–12, the Haddads' welcome visit at 14:00."""
    day = next_weekday(1)
    add_hour(web_world.office_id, weekday=1, starts="10:00", ends="12:00",
             staff_ids=[web_world.caseworker_id])  # fmt: skip
    return plan_visit(web_world, at(day, 14)), day


def test_the_day_shows_duty_and_visit_and_the_route_sheet_is_a_recorded_read(web_world, client):
    """Given Lea's Tuesday, when she opens it, then the duty and the visit with address,
    languages and phone are there; the week shows the same day among seven; the route sheet
    lists the visit and records that she read the case for it."""
    case_id, day = lea_busy(web_world)
    login(client, web_world.emails["caseworker"])
    page = client.get(f"/termine?datum={day.isoformat()}")
    assert page.status_code == 200
    shown = text(page)
    assert "Sprechstunde Büro Eving/Scharnhorst" in shown and "10:00–12:00" in shown
    assert "Willkommensbesuch: Haddad" in shown and "14:00–15:00" in shown
    assert "Evinger Straße 12, 44339 Dortmund" in shown and "Tel. 0231 123456" in shown
    assert "Arabisch" in shown
    assert shown.index("Sprechstunde Büro") < shown.index("Willkommensbesuch: Haddad")
    assert "überschneidet sich" not in shown

    week = text(client.get(f"/termine?datum={day.isoformat()}&ansicht=woche"))
    assert week.count('class="agenda-day') == 7 and "Willkommensbesuch: Haddad" in week

    route = client.get(f"/termine/route?datum={day.isoformat()}")
    assert route.status_code == 200 and route.headers["cache-control"] == "no-store"
    assert "Evinger Straße 12, 44339 Dortmund" in text(route)
    with unit_of_work() as session:
        read = session.exec(select(CaseRead).where(CaseRead.case_id == case_id)).all()
    assert [(r.staff_id, r.what) for r in read] == [(web_world.caseworker_id, "route")]

    empty = text(client.get(f"/termine/route?datum={(day + timedelta(days=1)).isoformat()}"))
    assert "keine Hausbesuche oder Sprechstunden" in empty


def test_a_colleagues_agenda_is_for_the_supervisor_of_their_office(web_world, client):
    _case_id, day = lea_busy(web_world)
    query = f"datum={day.isoformat()}&mitarbeiter={web_world.caseworker_id}"
    login(client, web_world.emails["supervisor"])
    page = client.get(f"/termine?{query}")
    assert page.status_code == 200 and "Termine von Lea Brandt" in text(page)
    assert "Willkommensbesuch: Haddad" in text(page)
    assert 'id="calendar-feed"' not in page.text  # her address is hers to make
    for role in ("other_supervisor", "caseworker"):
        other = client.__class__(client.app, base_url="http://testserver", follow_redirects=False)
        login(other, web_world.emails[role])
        wanted = web_world.ids["supervisor"] if role == "caseworker" else web_world.caseworker_id
        for path in ("/termine", "/termine/route"):
            answer = other.get(f"{path}?datum={day.isoformat()}&mitarbeiter={wanted}")
            assert answer.status_code == 404, (role, path)
    login(client, web_world.emails["admin"])
    assert client.get("/termine").status_code == 403


def test_the_calendar_address_is_shown_once_works_without_login_and_can_be_revoked(
    web_world, client, caplog
):
    """Given Lea's Tuesday, when she makes a calendar address, then the page shows it once;
    a calendar program fetches her duty and visit from it without logging in, with no
    household data; a new address stops the old (404); revoking stops the new; the token is
    never in the access log."""
    case_id, day = lea_busy(web_world)
    login(client, web_world.emails["caseworker"])
    made = client.post("/termine/kalender", data={"csrf_token": csrf(client, "/termine")})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    (address,) = ADDRESS.findall(made.text)
    path = address.removeprefix("http://127.0.0.1:8000")
    assert "seit" in text(client.get("/termine"))

    calendar_program = client.__class__(client.app, base_url="http://testserver")
    with caplog.at_level("INFO", logger="web.app"):
        answer = calendar_program.get(path)
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/calendar")
    events = {str(e["summary"]): e for e in Calendar.from_ical(answer.content).walk("VEVENT")}
    assert f"Willkommensbesuch · Fall {case_id}" in events
    assert "Sprechstunde Büro Eving/Scharnhorst" in events
    assert "Haddad" not in answer.text and "Evinger" not in answer.text
    token = path.removeprefix("/kalender/").removesuffix(".ics")
    assert token not in caplog.text and "GET /kalender/… 200" in caplog.text

    renewed = client.post("/termine/kalender", data={"csrf_token": csrf(client, "/termine")})
    (new_address,) = ADDRESS.findall(renewed.text)
    new_path = new_address.removeprefix("http://127.0.0.1:8000")
    assert calendar_program.get(path).status_code == 404
    assert calendar_program.get(new_path).status_code == 200

    revoked = client.post(
        "/termine/kalender/widerrufen", data={"csrf_token": csrf(client, "/termine")}
    )
    assert "Die Kalender-Adresse gilt nicht mehr." in flashes(follow(client, revoked))
    assert calendar_program.get(new_path).status_code == 404
    assert calendar_program.get("/kalender/erfunden.ics").status_code == 404
    assert calendar_program.get(new_path.removesuffix(".ics")).status_code == 404


def test_the_api_gives_the_agenda_and_manages_the_address(web_world, client):
    case_id, day = lea_busy(web_world)
    lea = token_for(web_world, "caseworker")
    answer = client.get(f"/api/agenda?from={day.isoformat()}&days=1", headers=lea)
    assert answer.status_code == 200, answer.text
    (tuesday,) = answer.json()
    assert [(e["kind"], e["case_id"]) for e in tuesday["entries"]] == [
        ("duty", None), ("visit", case_id),
    ]  # fmt: skip
    visit = tuesday["entries"][1]
    assert (visit["family_name"], visit["phone"]) == ("Haddad", "0231 123456")

    stranger = token_for(web_world, "other_supervisor")
    mine = f"/api/agenda?staff_id={web_world.caseworker_id}"
    assert client.get(mine, headers=stranger).status_code == 404
    assert client.get("/api/agenda?days=63", headers=lea).status_code == 422
    assert client.get("/api/agenda?from=gestern", headers=lea).status_code == 422

    made = client.post("/api/calendar-feed", headers=lea)
    assert made.status_code == 201
    path = made.json()["url"].removeprefix("http://127.0.0.1:8000")
    assert client.get(path).status_code == 200
    assert client.delete("/api/calendar-feed", headers=lea).status_code == 204
    assert client.get(path).status_code == 404
    assert client.delete("/api/calendar-feed", headers=lea).status_code == 404
