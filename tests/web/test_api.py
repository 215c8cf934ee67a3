"""The JSON API: bearer tokens, the same office rules as the pages, households, cases, advance."""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func
from sqlmodel import select

from core.clock import BERLIN, utc_now
from core.db import unit_of_work
from models import ApiToken, Case, CaseEvent, Household
from tests.helpers import step
from workflows.directory.accounts import issue_api_token


def token_for(web_world, role: str) -> dict[str, str]:
    with unit_of_work() as session:
        token = issue_api_token(session, web_world.ids[role], f"Test {role}")
    return {"Authorization": f"Bearer {token}"}


def count(model: type) -> int:
    with unit_of_work() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def load(case_id: int) -> Case:
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def events(case_id: int) -> int:
    with unit_of_work() as session:
        query = select(func.count()).select_from(CaseEvent).where(CaseEvent.case_id == case_id)
        return session.exec(query).one()


def open_in_b(web_world, client, family_name: str = "Petrenko") -> int:
    """A case in Lütgendortmund, opened through the API by its caseworker."""
    data = web_world.intake(family_name=family_name, district="Lütgendortmund", postal_code="44388")
    response = client.post(
        "/api/households", json=data, headers=token_for(web_world, "other_caseworker")
    )
    assert response.status_code == 201, response.text
    return int(response.json()["id"])


@pytest.fixture
def caseworker(web_world) -> dict[str, str]:
    return token_for(web_world, "caseworker")


# ---------------------------------------------------------------------------------------------
# Tokens


def test_no_wrong_or_revoked_token_is_401_with_a_bearer_challenge(web_world, client, caseworker):
    """Given a caseworker's token, when the API is called without a token, with a made-up one,
    with a cookie session instead, and with her token after it was revoked,
    then every call is 401 asking for a bearer token; with the valid token it is 200."""
    assert client.get("/api/cases", headers=caseworker).status_code == 200
    for headers in ({}, {"Authorization": "Bearer ausgedacht"}, {"Authorization": "Basic eDp5"}):
        response = client.get("/api/cases", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.json()["detail"]
    with unit_of_work() as session:
        for record in session.exec(select(ApiToken)):
            record.revoked_at = utc_now()
    assert client.get("/api/cases", headers=caseworker).status_code == 401


def test_a_token_use_is_recorded_to_the_minute(web_world, client, caseworker):
    """Given a fresh token, when it is used, then its last use is noted (for audits); used
    again within the minute, the note stays as it was (no write per request); once the note
    is a minute old, the next use renews it."""

    def last_used() -> datetime | None:
        with unit_of_work() as session:
            return session.exec(select(ApiToken)).one().last_used_at

    client.get("/api/cases", headers=caseworker)
    first = last_used()
    assert first is not None
    for _ in range(3):
        assert client.get("/api/cases", headers=caseworker).status_code == 200
    assert last_used() == first
    with unit_of_work() as session:
        session.exec(select(ApiToken)).one().last_used_at = first - timedelta(seconds=61)
    client.get("/api/cases", headers=caseworker)
    renewed = last_used()
    assert renewed is not None and renewed > first


# ---------------------------------------------------------------------------------------------
# Households


def test_create_household_opens_a_case_in_the_callers_office(web_world, client, caseworker):
    """Given a caseworker of Eving/Scharnhorst, when she posts a household in Eving,
    then 201 with the case number, state, version and open steps, and its address in Location;
    the history names her as the one who opened it."""
    response = client.post("/api/households", json=web_world.intake(), headers=caseworker)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["state"] == "intake" and body["version"] >= 1
    assert body["number"] == f"LW-{body['id']:06d}"
    assert body["office"] == {"id": web_world.office_id, "name": "Eving/Scharnhorst"}
    assert body["open_steps"] == ["registration", "energy", "school"]
    assert response.headers["location"] == f"/api/cases/{body['id']}"
    detail = client.get(response.headers["location"], headers=caseworker).json()
    assert detail["history"][0]["trigger"] == "open_case"
    assert detail["history"][0]["actor"]["name"] == "Lea Brandt"


def test_invalid_household_is_422_per_field_and_nothing_is_saved(web_world, client, caseworker):
    """Given a household without members, with a foreign postal code and a birth in the future,
    when it is posted, then 422 with a message per field, and no household exists."""
    data = web_world.intake(postal_code="10115", members=[])
    response = client.post("/api/households", json=data, headers=caseworker)
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] and set(body["errors"]) == {"postal_code", "members"}
    future = (utc_now() + timedelta(days=40)).date().isoformat()
    member = {"given_name": "Omar", "family_name": "Haddad", "birth_date": future}
    response = client.post(
        "/api/households", json=web_world.intake(members=[member]), headers=caseworker
    )
    assert response.status_code == 422
    assert "Zukunft" in response.json()["errors"]["members.0.birth_date"]
    missing = {k: v for k, v in web_world.intake().items() if k != "family_name"}
    response = client.post("/api/households", json=missing, headers=caseworker)
    assert response.json()["errors"] == {"family_name": "Pflichtangabe fehlt."}
    assert count(Household) == 0


def test_household_of_another_offices_district_is_refused(web_world, client, caseworker):
    """Given a caseworker of Eving/Scharnhorst, when she posts a household in Lütgendortmund,
    then 422 at the district naming the office, and nothing is saved."""
    data = web_world.intake(district="Lütgendortmund", postal_code="44388")
    response = client.post("/api/households", json=data, headers=caseworker)
    assert response.status_code == 422
    assert "Lütgendortmund" in response.json()["errors"]["district"]
    assert count(Household) == 0 and count(Case) == 0


# ---------------------------------------------------------------------------------------------
# Listing and reading cases


def test_list_shows_only_the_callers_offices_and_filters(web_world, client, caseworker):
    """Given two cases in Eving (one with energy done) and one in Lütgendortmund,
    when Eving's caseworker lists cases, then she sees her two; filtered by open energy step one;
    by name one; the head sees all three; too large a page is refused per field."""
    first = web_world.open_case(family_name="Haddad")
    second = web_world.open_case(family_name="Ahmadi")
    step(second, "complete_energy", web_world.caseworker_id)
    in_b = open_in_b(web_world, client)

    body = client.get("/api/cases", headers=caseworker).json()
    assert {item["id"] for item in body["items"]} == {first, second} and body["total"] == 2
    energy = client.get("/api/cases", params={"step": "energy"}, headers=caseworker).json()
    assert [item["id"] for item in energy["items"]] == [first]
    by_name = client.get("/api/cases", params={"q": "ahma"}, headers=caseworker).json()
    assert [item["family_name"] for item in by_name["items"]] == ["Ahmadi"]
    paged = client.get("/api/cases", params={"per_page": 1, "page": 2}, headers=caseworker).json()
    assert (len(paged["items"]), paged["pages"], paged["total"]) == (1, 2, 2)

    everything = client.get("/api/cases", headers=token_for(web_world, "head")).json()
    assert {item["id"] for item in everything["items"]} == {first, second, in_b}

    too_many = client.get("/api/cases", params={"per_page": 101}, headers=caseworker)
    assert too_many.status_code == 422 and "per_page" in too_many.json()["errors"]
    bad_state = client.get("/api/cases", params={"state": "träumend"}, headers=caseworker)
    assert bad_state.status_code == 422 and "state" in bad_state.json()["errors"]


def test_read_case_has_household_steps_triggers_with_reasons_and_history(
    web_world, client, caseworker
):
    """Given a new case in Eving, when the caseworker reads it,
    then she sees the household summary, its open steps, the triggers offered now (referring
    energy refused for want of consent, with the reason) and the history."""
    case_id = web_world.open_case()
    body = client.get(f"/api/cases/{case_id}", headers=caseworker).json()
    assert body["number"] == f"LW-{case_id:06d}" and body["state_label"] == "Aufgenommen"
    assert body["household"]["family_name"] == "Haddad" and body["household"]["members"] == 2
    steps = {item["kind"]: item for item in body["steps"]}
    assert steps["registration"]["state"] == "open" and steps["registration"]["legal_deadline"]
    triggers = {item["trigger"]: item for item in body["triggers"]}
    assert triggers["schedule_welcome_visit"]["allowed"]
    assert triggers["schedule_welcome_visit"]["needs_input"] == ["at"]
    assert not triggers["refer_energy"]["allowed"]
    assert "Einwilligung" in triggers["refer_energy"]["reason"]
    assert [event["trigger"] for event in body["history"]][0] == "open_case"
    assert "open_registration" in [event["trigger"] for event in body["history"]]


def test_a_long_history_comes_in_pages_of_fifty_newest_first(web_world, client, caseworker):
    """Given a case with 130 notes (several at the same moment), when it is read, then the
    detail holds the newest 50 entries, oldest first, and where the older ones start; paging
    back with ?before= gives every entry exactly once, in order, and ends; an entry of another
    case or none at all is refused (422), and another office's case is not found."""
    case_id = web_world.open_case()
    at = utc_now() - timedelta(days=1)
    with unit_of_work() as session:
        for opening in session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)):
            opening.at -= timedelta(days=2)  # the case was opened before the notes
        for number in range(130):
            moment = at + timedelta(minutes=number // 2)  # pairs share a moment
            session.add(CaseEvent(case_id=case_id, at=moment, actor_id=web_world.caseworker_id,
                                  trigger="add_note", note=f"Notiz {number}"))  # fmt: skip
        everything = session.exec(
            select(CaseEvent.id).where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.at, CaseEvent.id)
        ).all()  # fmt: skip

    body = client.get(f"/api/cases/{case_id}", headers=caseworker).json()
    assert len(body["history"]) == 50 and body["history"][-1]["note"] == "Notiz 129"
    pages, older = [body["history"]], body["history_older"]
    while older is not None:
        page = client.get(f"/api/cases/{case_id}/history?before={older}", headers=caseworker)
        assert page.status_code == 200, page.text
        pages.insert(0, page.json()["entries"])
        older = page.json()["older"]
    entries = [entry for page in pages for entry in page]
    assert len(entries) == len(everything) and len(pages) == 3
    assert entries[0]["trigger"] == "open_case"
    notes = [entry["note"] for entry in entries if entry["trigger"] == "add_note"]
    assert notes == [f"Notiz {n}" for n in range(130)]

    other = web_world.open_case()
    with unit_of_work() as session:
        foreign = session.exec(select(CaseEvent.id).where(CaseEvent.case_id == other)).first()
    for before in (foreign, 999_999):
        refused = client.get(f"/api/cases/{case_id}/history?before={before}", headers=caseworker)
        assert refused.status_code == 422 and "before" in refused.json()["errors"]
    in_b = open_in_b(web_world, client)
    assert client.get(f"/api/cases/{in_b}/history", headers=caseworker).status_code == 404


# ---------------------------------------------------------------------------------------------
# Advancing a case


def test_advance_schedules_the_welcome_visit_and_bumps_the_version(web_world, client, caseworker):
    """Given a new case at version v, when the caseworker schedules the welcome visit for next
    week (Berlin time with offset) expecting version v,
    then 200 with the new state and version v+1, and the history names her."""
    case_id = web_world.open_case()
    version = load(case_id).version
    at = (utc_now() + timedelta(days=7)).astimezone(BERLIN).replace(microsecond=0)
    body = {"trigger": "schedule_welcome_visit", "at": at.isoformat(), "expected_version": version}
    response = client.post(f"/api/cases/{case_id}/advance", json=body, headers=caseworker)
    assert response.status_code == 200, response.text
    result = response.json()
    assert (result["state"], result["version"]) == ("welcome_visit_scheduled", version + 1)
    assert result["recorded"][-1]["trigger"] == "schedule_welcome_visit"
    assert result["recorded"][-1]["actor"]["id"] == web_world.caseworker_id
    assert load(case_id).state == "welcome_visit_scheduled"


def test_advance_answers_what_changed_including_what_followed_by_itself(web_world, client):
    """Given a visited household whose last open step is energy,
    when the caseworker completes it over the API,
    then the answer names the new state and version, the steps as they are now, and both
    entries recorded — hers and the automatic move to the follow-up — and leaves the whole
    case (history, triggers offered next) to GET, which shows the same entries."""
    adult = {"given_name": "Amal", "family_name": "Haddad", "birth_date": "1988-01-01"}
    case_id = web_world.open_case(members=[{**adult, "is_contact": True}])
    caseworker = web_world.caseworker_id
    step(case_id, "schedule_welcome_visit", caseworker, at=utc_now() + timedelta(hours=48))
    step(case_id, "record_welcome_visit", caseworker, confirm=True)
    step(case_id, "complete_registration", caseworker)
    version = load(case_id).version
    auth = token_for(web_world, "caseworker")

    answer = client.post(
        f"/api/cases/{case_id}/advance", json={"trigger": "complete_energy"}, headers=auth
    )

    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert (result["state"], result["version"]) == ("follow_up_due", version + 1)
    assert {s["kind"]: s["state"] for s in result["steps"]} == {
        "registration": "done", "energy": "done"
    }  # fmt: skip
    recorded = [(e["trigger"], e["from_state"], e["to_state"]) for e in result["recorded"]]
    assert recorded == [
        ("complete_energy", "open", "done"),
        ("steps_finished", "accompanying", "follow_up_due"),
    ]
    assert result["recorded"][0]["actor"]["id"] == caseworker
    assert result["next_due_at"] is not None
    assert "history" not in result and "triggers" not in result
    whole = client.get(f"/api/cases/{case_id}", headers=auth).json()
    assert whole["history"][-2:] == result["recorded"]
    assert whole["version"] == result["version"] and whole["triggers"]
    # The answer is built from what the change wrote, not read back: it says what GET says.
    assert [{k: s[k] for k in result["steps"][0]} for s in whole["steps"]] == result["steps"]


def test_advance_with_an_old_version_is_409_and_changes_nothing(web_world, client, caseworker):
    """Given a case someone else changed after the caseworker read it,
    when she advances it with the version she read,
    then 409 and the case is as the other left it."""
    case_id = web_world.open_case()
    read = client.get(f"/api/cases/{case_id}", headers=caseworker).json()["version"]
    step(case_id, "complete_energy", web_world.supervisor_id)
    before, history = load(case_id), events(case_id)
    body = {"trigger": "complete_registration", "expected_version": read}
    response = client.post(f"/api/cases/{case_id}/advance", json=body, headers=caseworker)
    assert response.status_code == 409
    assert "inzwischen geändert" in response.json()["detail"]
    after = load(case_id)
    assert (after.version, after.state) == (before.version, before.state)
    assert events(case_id) == history


def test_a_trigger_not_offered_now_is_409(web_world, client, caseworker):
    """Given a new case, when the follow-up is completed before anything else, then 409 naming
    what is possible."""
    case_id = web_world.open_case()
    body = {"trigger": "complete_follow_up"}
    response = client.post(f"/api/cases/{case_id}/advance", json=body, headers=caseworker)
    assert response.status_code == 409 and "Möglich sind" in response.json()["detail"]


def test_a_refused_guard_is_422_with_the_guard_and_its_reason(web_world, client, caseworker):
    """Given a household that has not consented to sharing data with energy advice,
    when the caseworker refers its energy step, then 422 with the guard and reason, and
    nothing is recorded; closing without a reason is refused the same way."""
    case_id = web_world.open_case()
    history = events(case_id)
    response = client.post(
        f"/api/cases/{case_id}/advance", json={"trigger": "refer_energy"}, headers=caseworker
    )
    assert response.status_code == 422
    body = response.json()
    assert (body["trigger"], body["guard"]) == ("refer_energy", "consent_given")
    assert "Einwilligung" in body["reason"] and body["reason"] in body["detail"]
    close = client.post(
        f"/api/cases/{case_id}/advance", json={"trigger": "close_case"}, headers=caseworker
    )
    assert close.status_code == 422 and close.json()["guard"] == "has_note"
    assert events(case_id) == history and load(case_id).state == "intake"


def test_a_time_without_offset_is_refused(web_world, client, caseworker):
    """Given a case, when a visit is scheduled with a local time lacking its UTC offset,
    then 422 at the field "at" (the time would be ambiguous)."""
    case_id = web_world.open_case()
    body = {"trigger": "schedule_welcome_visit", "at": "2030-01-10T10:00:00"}
    response = client.post(f"/api/cases/{case_id}/advance", json=body, headers=caseworker)
    assert response.status_code == 422 and "at" in response.json()["errors"]


def test_another_offices_case_is_not_found_for_reading_and_advancing(web_world, client, caseworker):
    """Given a case in Lütgendortmund, when Eving's caseworker and supervisor read or advance it,
    then 404 as if it did not exist, and it stays unchanged; its own supervisor may read it."""
    in_b = open_in_b(web_world, client)
    before = load(in_b)
    for headers in (caseworker, token_for(web_world, "supervisor")):
        read = client.get(f"/api/cases/{in_b}", headers=headers)
        assert read.status_code == 404 and read.json()["detail"] == f"Fall {in_b} nicht gefunden."
        body = {"trigger": "complete_registration"}
        moved = client.post(f"/api/cases/{in_b}/advance", json=body, headers=headers)
        assert moved.status_code == 404
    assert load(in_b).version == before.version
    own = client.get(f"/api/cases/{in_b}", headers=token_for(web_world, "other_supervisor"))
    assert own.status_code == 200
    assert client.get("/api/cases/999999", headers=caseworker).status_code == 404


def test_admin_tokens_are_refused_for_cases(web_world, client):
    """Given an administrator's token, when it is used for cases or households, then 403."""
    admin = token_for(web_world, "admin")
    assert client.get("/api/cases", headers=admin).status_code == 403
    response = client.post("/api/households", json=web_world.intake(), headers=admin)
    assert response.status_code == 403 and count(Household) == 0


def test_openapi_document_lists_the_endpoints_with_bearer_auth(client):
    """Given the app, when the OpenAPI document is fetched, then it describes the four
    endpoints with bearer authentication and none of the HTML pages."""
    schema = client.get("/api/openapi.json").json()
    paths = schema["paths"]
    assert "post" in paths["/api/households"]
    assert "get" in paths["/api/cases"]
    assert "get" in paths["/api/cases/{case_id}"]
    assert "post" in paths["/api/cases/{case_id}/advance"]
    assert not [path for path in paths if not path.startswith("/api/")]
    schemes = schema["components"]["securitySchemes"]
    assert any(s.get("scheme", "").lower() == "bearer" for s in schemes.values())
    assert paths["/api/cases/{case_id}/advance"]["post"]["description"]
    assert client.get("/api/docs").status_code == 200
