"""Intake through the web form: a household that has just moved in becomes a case.

Posted as the browser posts the form (field names ``members.N.field``); outcomes are read back
from the database and from the page shown next.
"""

import html
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import SQLModel, col, select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Case, CaseEvent, CaseStep, Household, HouseholdMember, OutboxMessage, Reminder
from tests.web.conftest import csrf, login
from tests.web.test_cases import unlabelled


def today() -> date:
    return berlin(utc_now()).date()


def born(years: int) -> str:
    return date(today().year - years, 1, 1).isoformat()


def form(**changes: object) -> dict[str, object]:
    """A complete, valid intake as the form sends it; row 1 left empty (ignored)."""
    data: dict[str, object] = {
        "family_name": "Haddad",
        "street": "Evinger Straße 12",
        "postal_code": "44339",
        "district": "Eving",
        "moved_in_on": (today() - timedelta(days=2)).isoformat(),
        "languages": ["ar", "de"],
        "languages_other": "prs",
        "contact_channels": ["phone", "", "letter", "pigeon"],
        "email": "",
        "phone": "0231 123456",
        "expected_birth_on": "",
        "sub_location_id": "",
        "transit_ticket": "1",
        "members.0.given_name": "Amal",
        "members.0.family_name": "",
        "members.0.birth_date": born(38),
        "members.0.is_contact": "1",
        "members.0.able_to_work": "1",
        "members.1.given_name": "",
        "members.1.family_name": "",
        "members.1.birth_date": "",
        "members.2.given_name": "Omar",
        "members.2.family_name": "Haddad-Nouri",
        "members.2.birth_date": born(8),
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def submit(client, data: dict[str, object]):
    return client.post("/intake", data={**data, "csrf_token": csrf(client, "/intake")})


def count(model: type[SQLModel]) -> int:
    with unit_of_work() as session:
        return session.exec(select(func.count()).select_from(model)).one()


NOTHING_SAVED = (Household, HouseholdMember, Case, CaseStep, CaseEvent, Reminder, OutboxMessage)


def assert_nothing_saved() -> None:
    assert {m.__name__: count(m) for m in NOTHING_SAVED} == {m.__name__: 0 for m in NOTHING_SAVED}


def error_at(response, field_id: str) -> str:
    """The message shown at the field with this id (and the field points to it)."""
    match = re.search(
        rf'<small id="{re.escape(field_id)}-error" class="field-error">(.*?)</small>', response.text
    )
    assert match, f"no message at {field_id}"
    assert f'aria-describedby="{field_id}-error"' in response.text
    return html.unescape(match.group(1))


def value_of(response, field_id: str) -> str:
    match = re.search(rf'id="{re.escape(field_id)}" name="[^"]+" value="([^"]*)"', response.text)
    assert match, f"no field {field_id}"
    return html.unescape(match.group(1))


def selected_in(response, select_id: str) -> str:
    match = re.search(rf'<select id="{select_id}".*?</select>', response.text, re.S)
    assert match, f"no select {select_id}"
    chosen = re.search(r'<option value="([^"]*)" selected>', match.group(0))
    return chosen.group(1) if chosen else ""


@pytest.mark.parametrize("ranking", [["ar", "de"], ["de", "ar"]])
def test_the_languages_keep_the_order_chosen_and_the_first_supported_one_is_used(
    web_world, client, ranking
):
    """A household that speaks Arabic and some German hears in Arabic when Arabic is ranked
    first (not German because German comes first in some list), and the case page says so."""
    login(client, web_world.emails["caseworker"])
    response = submit(client, form(languages=ranking, languages_other="ku"))
    assert response.status_code == 303
    with unit_of_work() as session:
        assert session.exec(select(Household.languages)).one() == [*ranking, "ku"]
    page = client.get(response.headers["location"]).text
    name = {"ar": "Arabisch", "de": "Deutsch"}[ranking[0]]
    assert f"Nachrichten auf {name}</small>" in page


def test_a_valid_intake_opens_the_case_in_the_right_office_and_shows_it(web_world, client):
    """Given a caseworker of Eving/Scharnhorst, when she registers a household in Eving with a
    parent and a school-age child (an empty row in between), then household, two members and
    the case are saved in her office, assigned to her, with the school and ticket steps open,
    and she lands on the new case page."""
    login(client, web_world.emails["caseworker"])

    response = submit(client, form())

    assert response.status_code == 303
    with unit_of_work() as session:
        household = session.exec(select(Household)).one()
        case = session.exec(select(Case)).one()
        members = session.exec(select(HouseholdMember).order_by(col(HouseholdMember.id))).all()
        steps = {s.kind: s.state for s in session.exec(select(CaseStep))}
        opened = session.exec(select(CaseEvent).where(CaseEvent.trigger == "open_case")).one()
    assert response.headers["location"] == f"/cases/{case.id}"
    assert household.office_id == case.office_id == web_world.office_id
    assert household.languages == ["ar", "de", "prs"]
    # In the order chosen; an empty choice skipped; "pigeon" is no channel offered.
    assert household.contact_channels == ["phone", "letter"]
    assert household.email is None
    assert [(m.given_name, m.family_name) for m in members] == [
        ("Amal", "Haddad"),  # left empty: the household's name
        ("Omar", "Haddad-Nouri"),
    ]
    assert members[0].is_contact and members[0].able_to_work and not members[1].in_school
    assert steps["school"] == steps["transit_ticket"] == steps["job_search"] == "open"
    assert case.assignee_id == opened.actor_id == web_world.caseworker_id
    page = client.get(response.headers["location"])
    assert f"Haushalt Haddad aufgenommen: Fall {case.number}." in html.unescape(page.text)


def test_invalid_input_comes_back_at_the_fields_with_what_was_typed_and_saves_nothing(
    web_world, client
):
    """Given a caseworker, when the postal code is not Dortmund's and the child's birth date
    lies in the future, then the form comes back (422) with a German message at each of the two
    fields, everything typed still there, and nothing saved."""
    login(client, web_world.emails["caseworker"])
    future = (today() + timedelta(days=30)).isoformat()

    response = submit(client, form(postal_code="12345", **{"members.2.birth_date": future}))

    assert response.status_code == 422
    assert "Dortmunder Postleitzahl" in error_at(response, "postal_code")
    assert "Zukunft" in error_at(response, "members-2-birth_date")  # row 2 as on the screen
    assert value_of(response, "postal_code") == "12345"
    assert value_of(response, "family_name") == "Haddad"
    assert value_of(response, "members-2-given_name") == "Omar"
    assert value_of(response, "members-2-birth_date") == future
    assert selected_in(response, "language-1") == "ar"  # the ranking as chosen
    assert selected_in(response, "language-2") == "de"
    assert value_of(response, "languages_other") == "prs"
    assert (
        'id="members-0-is_contact" name="members.0.is_contact" value="1" checked' in response.text
    )
    assert "Es wurde nichts gespeichert." in response.text
    assert_nothing_saved()


def test_a_household_without_members_is_refused(web_world, client):
    """Given a caseworker, when every member row is left empty, then the form says a member is
    needed and nothing is saved."""
    login(client, web_world.emails["caseworker"])
    data = {k: v for k, v in form().items() if not k.startswith("members.")}

    response = submit(client, data)

    assert response.status_code == 422
    assert "mindestens ein Haushaltsmitglied" in html.unescape(response.text)
    assert_nothing_saved()


def test_a_caseworker_cannot_open_a_case_for_another_offices_district(web_world, client):
    """Given a caseworker of Eving/Scharnhorst, when she registers a household in
    Lütgendortmund, then the district field says which office serves it and nothing is saved;
    the head of the social welfare office (no office of her own) may register it."""
    login(client, web_world.emails["caseworker"])
    elsewhere = form(district="Lütgendortmund", postal_code="44388")

    refused = submit(client, elsewhere)

    assert refused.status_code == 422
    assert "Büro Lütgendortmund" in error_at(refused, "district")
    assert 'value="Lütgendortmund" selected' in html.unescape(refused.text)
    assert_nothing_saved()
    client.post("/logout", data={"csrf_token": csrf(client, "/intake")})
    login(client, web_world.emails["head"])
    accepted = submit(client, elsewhere)
    assert accepted.status_code == 303
    with unit_of_work() as session:
        assert session.exec(select(Case)).one().office_id == web_world.other_office_id


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"members.abc.given_name": "x", "members.999.given_name": "y", "languages": "Deutsch"},
        {
            "family_name": "x" * 5000,
            "district": "Atlantis",
            "sub_location_id": "-1",
            "moved_in_on": "gestern",
            "email": "kein@",
            "members.0.birth_date": "1.1.2000",
        },
    ],
)
def test_empty_or_garbage_input_gets_the_form_with_messages_never_an_error_page(
    web_world, client, data
):
    """Given a caseworker, when the form arrives empty or full of nonsense, then the form comes
    back with messages (422), not a server error, and nothing is saved."""
    login(client, web_world.emails["caseworker"])

    response = submit(client, data)

    assert response.status_code == 422
    assert "Bitte die markierten Angaben prüfen" in html.unescape(response.text)
    assert "Value error" not in response.text and "Field required" not in response.text
    assert_nothing_saved()


def test_an_empty_form_names_each_missing_field_in_german(web_world, client):
    """Given a caseworker, when she submits the form without filling anything in, then each
    required field says what is missing."""
    login(client, web_world.emails["caseworker"])

    response = submit(client, {})

    assert response.status_code == 422
    assert error_at(response, "family_name") == "Bitte den Familiennamen angeben."
    assert error_at(response, "postal_code") == "Bitte die Postleitzahl angeben."
    assert error_at(response, "district") == "Bitte den Stadtbezirk wählen."
    assert error_at(response, "moved_in_on") == "Bitte das Einzugsdatum angeben."
    assert "Bitte mindestens eine Sprache angeben." in html.unescape(response.text)


def test_the_add_member_row_for_htmx_has_the_next_numbers(web_world, client):
    """Given the intake form, when HTMX asks for row 4, then it gets labelled fields named
    members.4.* and an "add" button that will ask for row 5 next."""
    login(client, web_world.emails["caseworker"])

    row = client.get("/intake/member-row?index=4", headers={"HX-Request": "true"})

    assert row.status_code == 200
    for name in ("given_name", "family_name", "birth_date", "is_contact", "in_school"):
        assert f'name="members.4.{name}"' in row.text
        assert f'<label for="members-4-{name}">' in row.text
    assert "Person 5" in row.text
    assert 'hx-get="/intake/member-row?index=5"' in row.text and 'hx-swap-oob="true"' in row.text
    assert client.get("/intake/member-row?index=abc").status_code == 200


def test_without_javascript_add_member_shows_one_more_row_and_saves_nothing(web_world, client):
    """Given a filled form, when "add a person" is pressed without JavaScript, then the same
    form comes back with a fourth, empty row and the typed values, and nothing is saved."""
    login(client, web_world.emails["caseworker"])

    response = submit(client, form(action="add_member"))

    assert response.status_code == 200
    assert 'name="members.3.given_name"' in response.text
    assert value_of(response, "members-2-given_name") == "Omar"
    assert_nothing_saved()


def test_the_form_is_labelled_and_needs_the_csrf_token(web_world, client):
    """Given the intake form, then every field has a label; when it is posted without the CSRF
    token, then 403 and nothing is saved."""
    login(client, web_world.emails["caseworker"])

    page = client.get("/intake")

    assert page.status_code == 200 and unlabelled(page.text) == []
    assert page.text.count('class="member-row"') == 3
    assert client.post("/intake", data=form()).status_code == 403
    assert_nothing_saved()
