"""The API's casework operations: household, members and notices, with the pages' rules."""

import base64
from datetime import date, timedelta

from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import CaseEvent, Household
from tests.helpers import drawn_signature, in_hours, step
from tests.web.test_api import token_for

# A consent's evidence as a tablet app sends it: the signature drawn on the screen.
SIGNED = {"evidence": {"kind": "tablet", "data": base64.b64encode(drawn_signature()).decode()}}


def today() -> date:
    """Today in Berlin, asked when needed (a module constant goes stale across midnight)."""
    return berlin(utc_now()).date()


def test_the_household_is_read_and_patched_field_by_field(web_world, client):
    case_id = web_world.open_case()
    auth = token_for(web_world, "caseworker")
    read = client.get(f"/api/cases/{case_id}/household", headers=auth)
    assert read.status_code == 200
    body = read.json()
    assert body["languages"] == ["ar", "de"] and body["messages_in"] == ["ar"]
    assert [m["given_name"] for m in body["members"]] == ["Amal", "Omar"]

    patched = client.patch(
        f"/api/cases/{case_id}/household",
        json={"languages": ["de", "ar"], "email": None, "expected_version": body["version"]},
        headers=auth,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["case"]["version"] == body["version"] + 1
    again = client.get(f"/api/cases/{case_id}/household", headers=auth).json()
    assert again["messages_in"] == ["de"] and again["email"] is None
    assert again["street"] == "Evinger Straße 12"  # left out: unchanged
    assert patched.json()["case"]["history"][-1]["note"] == "Geändert: Sprachen, E-Mail"

    stale = client.patch(
        f"/api/cases/{case_id}/household",
        json={"phone": "0231 5", "expected_version": body["version"]},
        headers=auth,
    )
    assert stale.status_code == 409


def test_invalid_fields_are_422_at_each_field_and_change_nothing(web_world, client):
    case_id = web_world.open_case()
    auth = token_for(web_world, "caseworker")
    response = client.patch(
        f"/api/cases/{case_id}/household",
        json={"postal_code": "1", "languages": [], "street": None, "shoe_size": 42},
        headers=auth,
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert set(errors) == {"postal_code", "languages", "shoe_size"}
    refused = client.patch(f"/api/cases/{case_id}/household", json={"street": None}, headers=auth)
    assert refused.status_code == 422 and "street" in refused.json()["errors"]
    moved = client.patch(
        f"/api/cases/{case_id}/household", json={"district": "Lütgendortmund"}, headers=auth
    )
    assert moved.status_code == 422 and "übergeben" in moved.json()["errors"]["district"]
    with unit_of_work() as session:
        assert session.exec(select(Household.postal_code)).one() == "44339"
        assert "edit_household" not in session.exec(select(CaseEvent.trigger)).all()


def test_members_are_added_edited_and_removed_and_notices_marked_done(web_world, client):
    case_id = web_world.open_case()
    auth = token_for(web_world, "caseworker")
    added = client.post(
        f"/api/cases/{case_id}/members",
        json={"given_name": "Lina", "family_name": "Haddad", "birth_date": today().isoformat()},
        headers=auth,
    )
    assert added.status_code == 201, added.text
    assert added.json()["found"] == {"opened": ["birth"], "offered": [], "flagged": []}
    notice = added.json()["case"]["notices"][0]
    assert "Geburt beurkunden" in notice["text"]

    omar = client.get(f"/api/cases/{case_id}/household", headers=auth).json()["members"][1]
    edited = client.patch(
        f"/api/cases/{case_id}/members/{omar['id']}", json={"in_school": True}, headers=auth
    )
    assert edited.status_code == 200
    assert edited.json()["found"]["flagged"] == ["school"]
    school = next(s for s in edited.json()["case"]["steps"] if s["kind"] == "school")
    assert school["state"] == "open" and school["no_longer_applies"].startswith("Kein Haushalt")

    no_reason = client.post(
        f"/api/cases/{case_id}/members/{omar['id']}/remove", json={"reason": ""}, headers=auth
    )
    assert no_reason.status_code == 422
    removed = client.post(
        f"/api/cases/{case_id}/members/{omar['id']}/remove",
        json={"reason": "ausgezogen"},
        headers=auth,
    )
    assert removed.status_code == 200
    members = client.get(f"/api/cases/{case_id}/household", headers=auth).json()["members"]
    assert [m["given_name"] for m in members] == ["Amal", "Lina"]
    gone = client.patch(
        f"/api/cases/{case_id}/members/{omar['id']}", json={"in_school": False}, headers=auth
    )
    assert gone.status_code == 404

    done = client.post(f"/api/cases/{case_id}/notices/{notice['id']}/done", headers=auth)
    assert done.status_code == 204
    left = client.get(f"/api/cases/{case_id}", headers=auth).json()["notices"]
    assert notice["id"] not in [n["id"] for n in left]


def test_another_offices_case_is_404_for_every_casework_operation(web_world, client):
    case_id = web_world.open_case()
    theirs = token_for(web_world, "other_caseworker")
    member = {"given_name": "X", "family_name": "Y", "birth_date": "2000-01-01"}
    calls = [
        ("get", f"/api/cases/{case_id}/household", None),
        ("patch", f"/api/cases/{case_id}/household", {"phone": "0231 1"}),
        ("post", f"/api/cases/{case_id}/members", member),
        ("patch", f"/api/cases/{case_id}/members/1", {"in_school": True}),
        ("post", f"/api/cases/{case_id}/members/1/remove", {"reason": "x"}),
        ("post", f"/api/cases/{case_id}/notices/1/done", None),
    ]
    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=theirs)
        assert response.status_code == 404, (method, path, response.text)
    assert client.get(f"/api/cases/{case_id}/household").status_code == 401
    with unit_of_work() as session:
        triggers = session.exec(select(CaseEvent.trigger)).all()
    assert not {"edit_household", "add_member", "edit_member", "remove_member"} & set(triggers)


def test_a_visit_is_recorded_through_the_api_with_its_agreements(web_world, client):
    case_id = web_world.open_case()
    step(case_id, "schedule_welcome_visit", web_world.caseworker_id, at=in_hours(30))
    auth = token_for(web_world, "caseworker")
    body = {
        "trigger": "record_welcome_visit",
        "participants": "Frau Haddad",
        "topics": "Anmeldung",
        "agreements": [{"what": "Bürgeramt", "owner": "Familie", "due_on": today().isoformat()}],
    }
    early = client.post(f"/api/cases/{case_id}/visits", json=body, headers=auth)
    assert early.status_code == 422 and early.json()["guard"] == "welcome_visit_not_ahead"
    saved = client.post(
        f"/api/cases/{case_id}/visits", json={**body, "confirm_early": True}, headers=auth
    )
    assert saved.status_code == 201, saved.text
    assert saved.json()["case"]["state"] == "accompanying"
    listed = client.get(f"/api/cases/{case_id}/visits", headers=auth).json()
    assert listed[0]["participants"] == "Frau Haddad"
    agreement = listed[0]["agreements"][0]
    done = client.post(f"/api/cases/{case_id}/agreements/{agreement['id']}/done", headers=auth)
    assert done.status_code == 204
    again = client.get(f"/api/cases/{case_id}/visits", headers=auth).json()
    assert again[0]["agreements"][0]["done_at"] is not None
    theirs = token_for(web_world, "other_caseworker")
    assert client.get(f"/api/cases/{case_id}/visits", headers=theirs).status_code == 404
    assert client.post(f"/api/cases/{case_id}/visits", json=body, headers=theirs).status_code == 404


def test_notes_consent_and_referrals_through_the_api(web_world, client):
    case_id = web_world.open_case()
    auth = token_for(web_world, "caseworker")
    note = client.post(f"/api/cases/{case_id}/notes", json={"note": "Telefonat"}, headers=auth)
    assert note.status_code == 201 and note.json()["note"] == "Telefonat"
    assert (
        client.post(f"/api/cases/{case_id}/notes", json={"note": ""}, headers=auth).status_code
        == 422
    )

    granted = client.put(
        f"/api/cases/{case_id}/consents/energy_advice",
        json={"shared_fields": ["name", "phone"], **SIGNED},
        headers=auth,
    )
    assert granted.status_code == 200
    assert granted.json() == [
        {
            **granted.json()[0],
            "partner_category": "energy_advice",
            "shared_fields": ["name", "phone"],
            "expires_on": None,
            "in_force": True,
            "evidence": "tablet",
        }
    ]
    referred = client.post(
        f"/api/cases/{case_id}/referrals",
        json={"partner_category": "energy_advice", "message": "bitte bald"},
        headers=auth,
    )
    assert referred.status_code == 201, referred.text
    assert referred.json()[0]["step_kind"] is None and referred.json()[0]["message"] == "bitte bald"
    no_consent = client.post(
        f"/api/cases/{case_id}/referrals", json={"partner_category": "health"}, headers=auth
    )
    assert no_consent.status_code == 422 and "partner_category" in no_consent.json()["errors"]

    withdrawn = client.delete(f"/api/cases/{case_id}/consents/energy_advice", headers=auth)
    assert withdrawn.status_code == 204
    assert client.get(f"/api/cases/{case_id}/consents", headers=auth).json() == []
    listed = client.get(f"/api/cases/{case_id}/referrals", headers=auth).json()
    assert listed[0]["status"] == "withdrawn"
    again = client.delete(f"/api/cases/{case_id}/consents/energy_advice", headers=auth)
    assert again.status_code == 422


def test_reassign_and_hand_over_through_the_api(web_world, client):
    case_id = web_world.open_case()
    lea, ole = token_for(web_world, "caseworker"), token_for(web_world, "supervisor")
    mine = client.post(
        f"/api/cases/{case_id}/reassign",
        json={"assignee_id": web_world.supervisor_id, "note": "Urlaub"},
        headers=lea,
    )
    assert mine.status_code == 200 and mine.json()["case"]["assignee"]["name"] == "Jonas Albers"
    not_hers = client.post(
        f"/api/cases/{case_id}/reassign", json={"assignee_id": web_world.caseworker_id}, headers=lea
    )
    assert not_hers.status_code == 422
    back = client.post(
        f"/api/cases/{case_id}/reassign", json={"assignee_id": web_world.caseworker_id}, headers=ole
    )
    assert back.status_code == 200

    moved = {"street": "Limbecker Straße 3", "postal_code": "44388", "district": "Lütgendortmund"}
    asked = client.post(f"/api/cases/{case_id}/transfer", json=moved, headers=lea)
    assert asked.status_code == 200, asked.text
    locked = client.post(f"/api/cases/{case_id}/notes", json={"note": "x"}, headers=lea)
    assert locked.status_code == 409
    theirs = token_for(web_world, "other_caseworker")
    assert client.get(f"/api/cases/{case_id}", headers=theirs).status_code == 200  # read-only
    declined = client.post(
        f"/api/cases/{case_id}/transfer/decline", json={"note": "falscher Bezirk"}, headers=theirs
    )
    assert declined.status_code == 204
    assert client.get(f"/api/cases/{case_id}", headers=theirs).status_code == 404
    client.post(f"/api/cases/{case_id}/transfer", json=moved, headers=lea)
    accepted = client.post(f"/api/cases/{case_id}/transfer/accept", json={}, headers=theirs)
    assert accepted.status_code == 200
    assert accepted.json()["case"]["office"]["name"] == "Lütgendortmund"
    assert client.get(f"/api/cases/{case_id}", headers=lea).status_code == 404


def test_every_new_operation_is_404_for_another_office(web_world, client):
    case_id = web_world.open_case()
    theirs = token_for(web_world, "other_caseworker")
    moved = {"street": "Limbecker Straße 3", "postal_code": "44388", "district": "Lütgendortmund"}
    calls = [
        ("post", f"/api/cases/{case_id}/notes", {"note": "x"}),
        ("get", f"/api/cases/{case_id}/consents", None),
        ("put", f"/api/cases/{case_id}/consents/health", SIGNED),
        ("get", f"/api/cases/{case_id}/consents/health/form", None),
        ("get", f"/api/cases/{case_id}/consents/health/evidence", None),
        ("delete", f"/api/cases/{case_id}/consents/health", None),
        ("get", f"/api/cases/{case_id}/referrals", None),
        ("post", f"/api/cases/{case_id}/referrals", {"partner_category": "health"}),
        ("post", f"/api/cases/{case_id}/reassign", {"assignee_id": 1}),
        ("post", f"/api/cases/{case_id}/transfer", moved),
        ("post", f"/api/cases/{case_id}/transfer/accept", {}),
        ("post", f"/api/cases/{case_id}/transfer/decline", {"note": "x"}),
        ("post", f"/api/cases/{case_id}/transfer/withdraw", {}),
        ("get", f"/api/cases/{case_id}/visits", None),
        ("post", f"/api/cases/{case_id}/agreements/1/done", None),
    ]
    for method, path, body in calls:
        response = client.request(method, path, json=body, headers=theirs)
        assert response.status_code == 404, (method, path, response.status_code, response.text)


def test_advance_takes_the_days_the_confirmation_and_the_chosen_partner(web_world, client):
    case_id = web_world.open_case()
    auth = token_for(web_world, "caseworker")
    yesterday = (today() - timedelta(days=1)).isoformat()
    done = client.post(
        f"/api/cases/{case_id}/advance",
        json={"trigger": "complete_registration", "happened_on": yesterday},
        headers=auth,
    )
    assert done.status_code == 200, done.text
    client.put(f"/api/cases/{case_id}/consents/energy_advice", json=SIGNED, headers=auth)
    referred = client.post(
        f"/api/cases/{case_id}/advance",
        json={"trigger": "refer_energy", "partner_id": web_world.partner_id, "message": "eilt"},
        headers=auth,
    )
    assert referred.status_code == 200, referred.text
    listed = client.get(f"/api/cases/{case_id}/referrals", headers=auth).json()
    assert (listed[0]["step_kind"], listed[0]["message"]) == ("energy", "eilt")
    step(case_id, "schedule_welcome_visit", web_world.caseworker_id, at=in_hours(5))
    early = client.post(
        f"/api/cases/{case_id}/advance", json={"trigger": "record_welcome_visit"}, headers=auth
    )
    assert early.status_code == 422 and early.json()["guard"] == "welcome_visit_not_ahead"
    confirmed = client.post(
        f"/api/cases/{case_id}/advance",
        json={"trigger": "record_welcome_visit", "confirm": True},
        headers=auth,
    )
    assert confirmed.status_code == 200
