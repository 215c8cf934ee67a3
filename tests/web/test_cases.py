"""The case list and the case page as caseworkers use them, over HTTP, on SQLite and PostgreSQL.

Every change is made by posting the page's forms; outcomes are read back from the database and
from the pages a person would see next.
"""

import html
import re
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, select

from core.clock import BERLIN, berlin, utc_now
from core.db import unit_of_work
from models import Appointment, Case, CaseEvent, CaseStep, Consent, SubLocation
from models.enums import PartnerCategory
from tests.helpers import in_hours, signed, step
from tests.web.conftest import csrf, login
from workflows import consent

# ---------------------------------------------------------------------------------------------
# Helpers


def today() -> date:
    return berlin(utc_now()).date()


def born(years: int) -> str:
    """A birth date that makes someone ``years`` old today."""
    return date(today().year - years, 1, 1).isoformat()


def days_ago(days: int) -> str:
    return (today() - timedelta(days=days)).isoformat()


def text(response) -> str:
    """The page as a person reads it (entities decoded)."""
    return html.unescape(response.text)


def follow(client, response):
    assert response.status_code == 303, response.text
    return client.get(response.headers["location"])


def flashes(response) -> list[str]:
    return [
        html.unescape(m)
        for m in re.findall(r'class="flash flash-\w+"[^>]*>(.*?)</p>', response.text)
    ]


def families(response) -> list[str]:
    """The family names in the list, top to bottom."""
    return re.findall(r'class="case-link"><strong>(.*?)</strong>', response.text)


def version_on_page(response) -> str:
    match = re.search(r'name="version" value="(\d+)"', response.text)
    assert match, "no action form on the page"
    return match.group(1)


def post_form(client, path: str, data: dict, page: str):
    """Post ``data`` like the form on ``page`` does (with its CSRF token)."""
    return client.post(path, data={**data, "csrf_token": csrf(client, page)})


def load(model: type[SQLModel], **where):
    with unit_of_work() as session:
        query = select(model)
        for name, value in where.items():
            query = query.where(getattr(model, name) == value)
        return list(session.exec(query))


def count(model: type[SQLModel]) -> int:
    with unit_of_work() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def case_row(case_id: int) -> Case:
    return load(Case, id=case_id)[0]


def step_row(case_id: int, kind: str) -> CaseStep:
    return load(CaseStep, case_id=case_id, kind=kind)[0]


class _Fields(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str | None] = []
        self.labelled: set[str] = set()
        self.aria: set[str | None] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "label" and a.get("for"):
            self.labelled.add(a["for"] or "")
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit"):
            self.ids.append(a.get("id"))
            if a.get("aria-label"):
                self.aria.add(a.get("id"))


def unlabelled(page: str) -> list[str | None]:
    """Form fields without a <label for> (or aria-label)."""
    parser = _Fields()
    parser.feed(page)
    return [
        i for i in parser.ids if i is None or (i not in parser.labelled and i not in parser.aria)
    ]


# ---------------------------------------------------------------------------------------------
# The list


def test_list_shows_the_offices_cases_only_most_urgent_first(web_world, client):
    """Given cases of three Eving households that moved in on different days and one of
    Lütgendortmund, when an Eving caseworker opens the list, then she sees the Eving cases,
    the one due first on top; the head of the social welfare office sees all four."""
    web_world.open_case(family_name="Haddad", moved_in_on=days_ago(2))
    web_world.open_case(family_name="Yilmaz", moved_in_on=days_ago(10))
    web_world.open_case(family_name="Petrenko", moved_in_on=days_ago(5))
    web_world.open_case(
        web_world.ids["other_caseworker"],
        family_name="Osei",
        district="Lütgendortmund",
        postal_code="44388",
    )
    login(client, web_world.emails["caseworker"])

    response = client.get("/cases")

    assert response.status_code == 200
    assert families(response) == ["Yilmaz", "Petrenko", "Haddad"]
    client.post("/logout", data={"csrf_token": csrf(client, "/cases")})
    login(client, web_world.emails["head"])
    everything = client.get("/cases")
    assert sorted(families(everything)) == ["Haddad", "Osei", "Petrenko", "Yilmaz"]
    assert "Lütgendortmund" in text(everything)  # the office column appears across offices


def test_overdue_cases_stand_out(web_world, client):
    """Given a household that moved in three weeks ago (registration deadline passed) and one
    that moved in yesterday, when the list is shown, then only the first row is marked overdue,
    in words as well as colour."""
    web_world.open_case(family_name="Spät", moved_in_on=days_ago(21))
    web_world.open_case(family_name="Frisch", moved_in_on=days_ago(1))
    login(client, web_world.emails["caseworker"])

    rows = client.get("/cases").text.split("<tr")[2:]  # the body rows

    late = next(r for r in rows if "Spät" in r)
    fresh = next(r for r in rows if "Frisch" in r)
    assert 'class="overdue-row"' in late and "überfällig" in late
    assert "overdue" not in fresh and "überfällig" not in fresh


def test_list_filters_by_state_step_overdue_assignee_and_sub_location(web_world, client):
    """Given cases in different states, with different open steps, assignees and sub-locations,
    when each filter is applied, then only the matching cases are listed."""
    with unit_of_work() as session:
        place = SubLocation(
            office_id=web_world.office_id, name="Lanstrop", address="Lanstroper Str. 1"
        )
        session.add(place)
        session.flush()
        place_id = place.id
    visited = web_world.open_case(family_name="Besucht")
    step(visited, "schedule_welcome_visit", web_world.caseworker_id, at=in_hours(48))
    web_world.open_case(family_name="Ticket", requested_steps=["transit_ticket"])
    web_world.open_case(family_name="Spät", moved_in_on=days_ago(21))
    web_world.open_case(family_name="Chefsache", assignee_id=web_world.supervisor_id)
    web_world.open_case(family_name="Lanstrop", sub_location_id=place_id)
    login(client, web_world.emails["caseworker"])

    def listed(query: str) -> list[str]:
        return families(client.get(f"/cases?{query}"))

    assert listed("state=welcome_visit_scheduled") == ["Besucht"]
    assert listed("step=transit_ticket") == ["Ticket"]
    assert listed("overdue=1") == ["Spät"]
    assert listed(f"assignee={web_world.supervisor_id}") == ["Chefsache"]
    assert listed(f"sub_location={place_id}") == ["Lanstrop"]
    assert listed("state=closed") == []
    assert len(listed("state=nonsense&step=&assignee=abc&page=x")) == 5  # ignored, not an error


def test_search_by_family_name_or_case_number(web_world, client):
    """Given three households, when the list is searched by part of a name (any case) or by a
    case number as people quote it (LW-000002, lw-2), then the matching case is found."""
    web_world.open_case(family_name="Haddad")
    second = web_world.open_case(family_name="Yilmaz")
    web_world.open_case(family_name="Petrenko")
    number = f"LW-{second:06d}"
    login(client, web_world.emails["caseworker"])

    assert families(client.get("/cases?q=yilm")) == ["Yilmaz"]
    assert families(client.get(f"/cases?q={number}")) == ["Yilmaz"]
    assert families(client.get(f"/cases?q=lw-{second}")) == ["Yilmaz"]
    assert "Keine Fälle gefunden" in text(client.get("/cases?q=Nobody"))


def test_pagination_25_per_page(web_world, client):
    """Given 30 open cases, when the list is paged, then page 1 has 25, page 2 the other 5, and
    page 1 links to page 2."""
    for i in range(30):
        web_world.open_case(family_name=f"Familie{i:02d}")
    login(client, web_world.emails["caseworker"])

    first = client.get("/cases")
    second = client.get("/cases?page=2")

    assert len(families(first)) == 25 and len(families(second)) == 5
    assert set(families(first)).isdisjoint(families(second))
    assert 'href="/cases?page=2"' in first.text and "Seite 2 von 2" in text(second)


def test_htmx_filter_request_gets_only_the_results(web_world, client):
    """Given the list, when the filter form sends an HTMX request, then only the results part
    comes back (no page around it), and the answer varies by that header."""
    web_world.open_case(family_name="Haddad")
    login(client, web_world.emails["caseworker"])

    part = client.get("/cases?q=Had", headers={"HX-Request": "true"})

    assert part.status_code == 200 and families(part) == ["Haddad"]
    assert part.text.lstrip().startswith('<section id="results"')
    assert "<html" not in part.text and "<form" not in part.text
    assert "HX-Request" in part.headers["vary"]


# ---------------------------------------------------------------------------------------------
# The case page


def test_case_page_shows_household_steps_diagram_buttons_refusals_and_history(web_world, client):
    """Given a household with a parent, an 8-year-old and a 3-year-old, when the case page is
    opened, then it shows the members with the steps that apply to them, each open step with its
    due date (the registration's legal deadline marked), the case's track in plain German (its
    current station, each step with its deadline; no state diagram for a caseworker), a button
    for each allowed trigger, the refused ones with their reason (no button), and the history."""
    members = [
        {"given_name": "Amal", "family_name": "Haddad", "birth_date": born(38), "is_contact": True},
        {"given_name": "Omar", "family_name": "Haddad", "birth_date": born(8)},
        {"given_name": "Lina", "family_name": "Haddad", "birth_date": born(3)},
    ]
    moved_in = today() - timedelta(days=2)
    case_id = web_world.open_case(members=members, moved_in_on=moved_in.isoformat())
    login(client, web_world.emails["caseworker"])

    response = client.get(f"/cases/{case_id}")
    page = text(response)

    assert response.status_code == 200
    assert f"LW-{case_id:06d}" in page and "Familie Haddad" in page and "Version 1" in page
    assert "Evinger Straße 12, 44339 Dortmund" in page and "Eving/Scharnhorst" in page
    member_items = page.split('<ul class="members">')[1].split("</ul>")[0].split("<li>")
    omar = next(item for item in member_items if "Omar" in item)
    lina = next(item for item in member_items if "Lina" in item)
    amal = next(item for item in member_items if "Amal" in item)
    assert "8 Jahre" in omar and "Einschulung: offen" in omar and "Kindergarten" not in omar
    assert "Kindergartenplatz: offen" in lina and "Einschulung" not in lina
    assert "Ansprechperson" in amal and "badge" not in amal
    registration = page.split("Anmeldung beim Bürgeramt</th>")[1].split("</tr>")[0]
    assert (moved_in + timedelta(days=14)).strftime("%d.%m.%Y") in registration
    assert "gesetzliche Frist" in registration
    track = page.split('id="track"')[1].split("</ol>")[0]
    assert 'class="station current" aria-current="step"' in track
    current = track.split('class="station current"')[1].split("</li>")[0]
    assert "Aufgenommen" in current and "Willkommensbesuch fällig bis" in current
    lines = page.split('id="track-steps"')[1].split("</ul>")[0]
    due = (moved_in + timedelta(days=14)).strftime("%d.%m.%Y")
    assert f"<strong>Anmeldung beim Bürgeramt</strong>: offen – fällig bis {due}" in lines
    assert '<pre class="mermaid">' not in page and "mermaid-11.17.2" not in page
    assert 'value="schedule_welcome_visit"' in page and 'value="complete_registration"' in page
    assert "Einwilligung des Haushalts zur Weitergabe an 'Energieberatung' fehlt." in page
    assert 'value="refer_energy"' not in page  # refused: a reason, not a dead button
    assert "Fall eröffnet" in page and "Lea Brandt" in page
    assert unlabelled(response.text) == []


def test_scheduling_the_welcome_visit_through_the_page(web_world, client):
    """Given a new case, when the caseworker enters tomorrow 10:00 (Berlin) and saves, then the
    case is in "Willkommensbesuch geplant", the visit is booked for 10:00 Berlin time, and the
    history names her as the one who did it."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    page = client.get(f"/cases/{case_id}")
    tomorrow = today() + timedelta(days=1)

    response = post_form(
        client,
        f"/cases/{case_id}/advance",
        {
            "trigger": "schedule_welcome_visit",
            "version": version_on_page(page),
            "at": f"{tomorrow.isoformat()}T10:00",
        },
        f"/cases/{case_id}",
    )

    assert response.headers["location"] == f"/cases/{case_id}"
    after = follow(client, response)
    assert "Gespeichert: Willkommensbesuch planen." in flashes(after)
    assert case_row(case_id).state == "welcome_visit_scheduled"
    visit = load(Appointment, case_id=case_id)[0]
    expected = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=BERLIN)
    assert visit.starts_at == expected.astimezone(UTC)
    event = load(CaseEvent, case_id=case_id, trigger="schedule_welcome_visit")[0]
    assert event.actor_id == web_world.caseworker_id
    history = text(after).split('id="verlauf"')[1]
    assert "Willkommensbesuch planen" in history and "Lea Brandt" in history


def test_a_stale_page_gets_a_conflict_message_and_changes_nothing(web_world, client):
    """Given a caseworker's case page at version 1, when a colleague completes the registration
    meanwhile and she then presses "energy: done", then she is told the case changed, and the
    energy step stays open."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    seen = version_on_page(client.get(f"/cases/{case_id}"))
    step(case_id, "complete_registration", web_world.supervisor_id)  # the colleague
    version = case_row(case_id).version

    response = post_form(
        client,
        f"/cases/{case_id}/advance",
        {"trigger": "complete_energy", "version": seen},
        f"/cases/{case_id}",
    )

    after = follow(client, response)
    assert any("inzwischen von jemand anderem geändert" in m for m in flashes(after))
    assert step_row(case_id, "energy").state == "open"
    assert case_row(case_id).version == version


@pytest.mark.parametrize(
    ("at", "message"),
    [
        ("2020-01-01T10:00", "Der Termin muss in der Zukunft liegen."),
        ("", "Bitte Datum und Uhrzeit des Termins angeben."),
        ("morgen früh", "Datum und Uhrzeit sind ungültig."),
    ],
)
def test_a_refused_visit_says_why_and_changes_nothing(web_world, client, at, message):
    """Given a new case, when the welcome visit is scheduled in the past, without a time or with
    an unreadable one, then the page says why and the case stays where it was."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])

    response = post_form(
        client,
        f"/cases/{case_id}/advance",
        {"trigger": "schedule_welcome_visit", "version": "1", "at": at},
        f"/cases/{case_id}",
    )

    assert any(message in m for m in flashes(follow(client, response)))
    assert case_row(case_id).state == "intake" and case_row(case_id).version == 1


@pytest.mark.parametrize(
    ("trigger", "message"),
    [
        ("fly_to_the_moon", "nicht möglich"),
        ("record_welcome_visit", "„Willkommensbesuch erfolgt“ ist im aktuellen Zustand"),
        ("", "Bitte eine Aktion wählen."),
    ],
)
def test_a_trigger_not_offered_now_is_refused_with_a_message(web_world, client, trigger, message):
    """Given a new case, when an unknown, empty or not-yet-possible trigger is posted, then the
    page says it is not possible now (no error page) and nothing changes."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])

    response = post_form(
        client, f"/cases/{case_id}/advance", {"trigger": trigger}, f"/cases/{case_id}"
    )

    assert any(message in m for m in flashes(follow(client, response)))
    assert case_row(case_id).version == 1


def test_waiving_a_step_needs_a_reason_which_the_page_then_shows(web_world, client):
    """Given an open energy step, when it is waived without a reason, then that is refused; with
    a reason it is waived and the steps table shows the reason."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    path = f"/cases/{case_id}/advance"

    refused = post_form(client, path, {"trigger": "waive_energy", "note": " "}, f"/cases/{case_id}")
    assert any("Bitte einen Grund angeben." in m for m in flashes(follow(client, refused)))
    assert step_row(case_id, "energy").state == "open"

    done = post_form(
        client,
        path,
        {"trigger": "waive_energy", "note": "Vertrag vom Vormieter übernommen"},
        f"/cases/{case_id}",
    )
    after = text(follow(client, done))
    assert step_row(case_id, "energy").state == "waived"
    assert step_row(case_id, "energy").waive_reason == "Vertrag vom Vormieter übernommen"
    steps_table = after.split('id="schritte"')[1].split("</section>")[0]
    assert "Grund: Vertrag vom Vormieter übernommen" in steps_table


def test_a_note_appears_in_the_timeline_without_changing_the_version(web_world, client):
    """Given a case, when a note is saved, then it is in the timeline with its author and the
    case version is unchanged; an empty note is refused with a message."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    note = "Telefonat mit Frau Haddad: Termin beim Bürgeramt am Montag."

    response = post_form(client, f"/cases/{case_id}/notes", {"note": note}, f"/cases/{case_id}")

    after = follow(client, response)
    history = text(after).split('id="verlauf"')[1]
    assert note in history and "Notiz" in history and "Lea Brandt" in history
    assert case_row(case_id).version == 1
    empty = post_form(client, f"/cases/{case_id}/notes", {"note": "  "}, f"/cases/{case_id}")
    assert any("Bitte einen Text" in m for m in flashes(follow(client, empty)))
    assert len(load(CaseEvent, case_id=case_id, trigger="add_note")) == 1


# ---------------------------------------------------------------------------------------------
# Access and CSRF


def _posts(case_id: int) -> list[tuple[str, dict]]:
    return [
        (f"/cases/{case_id}/advance", {"trigger": "complete_registration", "version": "1"}),
        (f"/cases/{case_id}/notes", {"note": "Hallo"}),
        (f"/cases/{case_id}/einwilligungen/energy_advice", {"shared_fields": "name"}),
        (f"/cases/{case_id}/consents/energy_advice/withdraw", {}),
    ]


def test_another_offices_case_is_not_found_for_reading_and_every_change(web_world, client):
    """Given a case of the Eving office, when a Lütgendortmund caseworker opens it or posts any
    of its forms, then every answer is 404 and nothing changes; unknown numbers are 404 too."""
    case_id = web_world.open_case()
    with unit_of_work() as session:  # so that "withdraw" would have something to do
        household_id = case_row(case_id).household_id
        consent.grant(
            session,
            household_id,
            PartnerCategory.ENERGY_ADVICE,
            actor_id=web_world.caseworker_id,
            evidence=signed(),
        )
    events = count(CaseEvent)
    login(client, web_world.emails["other_caseworker"])
    token = csrf(client, "/cases")

    assert client.get(f"/cases/{case_id}").status_code == 404
    for path, data in _posts(case_id):
        assert client.post(path, data={**data, "csrf_token": token}).status_code == 404, path
    assert client.get("/cases/999999").status_code == 404
    assert client.get("/cases/99999999999999999999").status_code == 404
    assert count(CaseEvent) == events and case_row(case_id).version == 1
    assert load(Consent)[0].withdrawn_at is None


def test_every_change_without_the_csrf_token_is_refused(web_world, client):
    """Given a signed-in caseworker on her own case, when any of its forms is posted without
    (or with a forged) CSRF token, then 403 and nothing changes."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    events = count(CaseEvent)

    for path, data in _posts(case_id):
        assert client.post(path, data=data).status_code == 403, path
        assert client.post(path, data={**data, "csrf_token": "forged"}).status_code == 403, path
    assert count(CaseEvent) == events and case_row(case_id).version == 1


def test_case_pages_are_for_caseworkers_and_supervisors_only(web_world, client):
    """Given an administrator (manages accounts, not cases), when she opens the case list, then
    403; a visitor who is not signed in is sent to sign in."""
    assert client.get("/cases").headers["location"].startswith("/login")
    login(client, web_world.emails["admin"])
    assert client.get("/cases").status_code == 403
