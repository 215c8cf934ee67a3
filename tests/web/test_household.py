"""The household page: staff correct the household and its members; the case follows."""

import re
from datetime import timedelta

from sqlmodel import col, select

from core.db import unit_of_work
from models import Case, CaseEvent, CaseNotice, CaseStep, Household, HouseholdMember
from tests.web.conftest import csrf, login
from tests.web.test_cases import families, flashes, follow, text, today
from tests.web.test_intake import error_at, selected_in, value_of


def household_form(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "family_name": "Haddad",
        "street": "Evinger Straße 12",
        "postal_code": "44339",
        "district": "Eving",
        "sub_location_id": "",
        "moved_in_on": (today() - timedelta(days=2)).isoformat(),
        "languages": ["ar", "de"],
        "languages_other": "",
        "contact_channels": ["email", "letter", "phone"],  # as the page shows them
        "email": "familie.haddad@household.example",
        "phone": "0231 123456",
        "expected_birth_on": "",
    }
    data.update(changes)
    return data


def post(client, case_id: int, path: str, data: dict) -> object:
    token = csrf(client, f"/cases/{case_id}/haushalt")
    page = client.get(f"/cases/{case_id}/haushalt").text
    version = re.search(r'name="version" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    return client.post(path, data={"version": version, **data, "csrf_token": token})


def household_of(case_id: int) -> Household:
    with unit_of_work() as session:
        return session.get(Household, session.get(Case, case_id).household_id)


def test_the_page_shows_the_household_as_it_is(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    page = client.get(f"/cases/{case_id}/haushalt")
    assert page.status_code == 200
    assert value_of(page, "street") == "Evinger Straße 12"
    assert (selected_in(page, "language-1"), selected_in(page, "language-2")) == ("ar", "de")
    assert "Derzeit: Arabisch." in text(page)
    assert value_of(page, f"member-{member_id(case_id, 'Omar')}-given_name") == "Omar"


def member_id(case_id: int, given_name: str) -> int:
    with unit_of_work() as session:
        household_id = session.get(Case, case_id).household_id
        return session.exec(
            select(HouseholdMember.id).where(
                HouseholdMember.household_id == household_id,
                HouseholdMember.given_name == given_name,
            )
        ).one()


def test_an_edit_is_saved_shown_on_the_history_and_the_language_used_follows(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    response = post(
        client, case_id, f"/cases/{case_id}/haushalt",
        household_form(street="Bergstraße 3", email="neu@household.example",
                       languages=["uk", "", "ar"]),
    )  # fmt: skip
    page = follow(client, response)
    assert flashes(page) == ["Haushalt gespeichert."]
    household = household_of(case_id)
    assert (household.street, household.email) == ("Bergstraße 3", "neu@household.example")
    assert household.languages == ["uk", "ar"]
    assert "Nachrichten auf Ukrainisch" in text(page)
    assert "Haushaltsdaten geändert" in text(page)
    assert "Geändert: Straße, Sprachen, E-Mail" in text(page)


def test_invalid_input_comes_back_at_the_fields_and_nothing_changes(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    response = post(
        client, case_id, f"/cases/{case_id}/haushalt",
        household_form(street="", postal_code="12345", email="kein-at", languages=[""]),
    )  # fmt: skip
    assert response.status_code == 422
    assert "Es wurde nichts gespeichert." in text(response)
    assert error_at(response, "street").startswith("Bitte ausfüllen")
    assert error_at(response, "postal_code") == "Das Format stimmt nicht."
    assert error_at(response, "email") == "Keine gültige E-Mail-Adresse."
    assert error_at(response, "languages") == "Mindestens 1 Einträge."
    assert value_of(response, "postal_code") == "12345"  # what was typed, to correct it
    assert household_of(case_id).postal_code == "44339"
    with unit_of_work() as session:
        assert session.get(Case, case_id).version == 1


def test_a_form_on_an_old_version_saves_nothing(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    follow(
        client, post(client, case_id, f"/cases/{case_id}/haushalt", household_form(phone="0231 2"))
    )
    stale = {**household_form(phone="0231 1"), "version": "1"}  # a colleague saved meanwhile
    response = post(client, case_id, f"/cases/{case_id}/haushalt", stale)
    page = follow(client, response)
    assert "von jemand anderem geändert" in flashes(page)[0]
    assert household_of(case_id).phone == "0231 2"


def test_a_newborn_added_opens_the_birth_step_and_the_notice_waits_until_marked_done(
    web_world, client
):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    newborn = {"given_name": "Lina", "family_name": "Haddad", "birth_date": today().isoformat()}
    page = follow(client, post(client, case_id, f"/cases/{case_id}/mitglieder", newborn))
    assert flashes(page) == ["Person hinzugefügt. Geöffnet: Geburt beurkunden – siehe Hinweise."]
    notice = "Person hinzugefügt: „Geburt beurkunden“ wurde geöffnet – Lina (unter 1 Jahr)."
    assert notice in text(page)
    listed = client.get("/cases?notices=1")
    assert families(listed) == ["Haddad"] and "1 Hinweis" in listed.text
    with unit_of_work() as session:
        notice_id = session.exec(select(CaseNotice.id)).one()
    done = client.post(
        f"/cases/{case_id}/hinweise/{notice_id}/erledigt",
        data={"csrf_token": csrf(client, f"/cases/{case_id}")},
    )
    assert notice not in text(follow(client, done))
    assert families(client.get("/cases?notices=1")) == []
    with unit_of_work() as session:
        kept = session.get(CaseNotice, notice_id)
        assert kept.done_by_id == web_world.caseworker_id  # kept on record


def test_a_member_who_moves_out_needs_a_reason_and_leaves_the_step_flagged(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    omar = member_id(case_id, "Omar")
    refused = post(client, case_id, f"/cases/{case_id}/mitglieder/{omar}/austragen", {"note": ""})
    assert refused.status_code == 422
    assert error_at(refused, f"remove-{omar}-note").startswith("Bitte einen Grund angeben")
    response = post(
        client, case_id, f"/cases/{case_id}/mitglieder/{omar}/austragen",
        {"note": "zieht zum Vater"},
    )  # fmt: skip
    page = follow(client, response)
    assert flashes(page) == [
        "Person ausgetragen. Trifft nicht mehr zu: Einschulung – siehe Hinweise."
    ]
    assert "trifft nicht mehr zu" in text(page)
    with unit_of_work() as session:
        school = session.exec(select(CaseStep).where(CaseStep.kind == "school")).one()
        assert school.state == "open"  # flagged, never closed by itself


def test_a_member_edit_with_an_emptied_name_is_refused_at_the_field(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    omar = member_id(case_id, "Omar")
    response = post(
        client, case_id, f"/cases/{case_id}/mitglieder/{omar}",
        {"given_name": "", "family_name": "Haddad", "birth_date": "2016-09-10"},
    )  # fmt: skip
    assert response.status_code == 422
    assert error_at(response, f"member-{omar}-given_name").startswith("Bitte ausfüllen")
    ok = post(
        client, case_id, f"/cases/{case_id}/mitglieder/{omar}",
        {"given_name": "Omar", "family_name": "Haddad", "birth_date": "2016-09-10",
         "in_school": "1"},
    )  # fmt: skip
    assert "Trifft nicht mehr zu: Einschulung" in flashes(follow(client, ok))[0]


def test_another_offices_household_is_not_found(web_world, client):
    case_id = web_world.open_case()
    login(client, web_world.emails["other_caseworker"])
    token = csrf(client, "/cases")
    omar = member_id(case_id, "Omar")
    for path in (
        f"/cases/{case_id}/haushalt",
        f"/cases/{case_id}/mitglieder",
        f"/cases/{case_id}/mitglieder/{omar}",
        f"/cases/{case_id}/mitglieder/{omar}/austragen",
        f"/cases/{case_id}/hinweise/1/erledigt",
    ):
        assert client.post(path, data={"csrf_token": token, "note": "x"}).status_code == 404
    assert client.get(f"/cases/{case_id}/haushalt").status_code == 404
    with unit_of_work() as session:
        events = session.exec(select(CaseEvent.trigger).order_by(col(CaseEvent.id))).all()
    assert "remove_member" not in events and "edit_household" not in events
