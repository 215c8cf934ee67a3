"""The network through the API: search, volunteers taken in, changed and leaving, a partner's
contact persons, suggestions with the household's consent; another office 404, a caseworker
keeping contact persons 403, garbage 422 (SQLite and PostgreSQL)."""

from tests.web.test_api import token_for

AMAL = {
    "name": "Amal Youssef", "phone": "0176 1234567", "languages": ["ar", "de"],
    "helps_with": ["kita"], "districts": ["Eving"], "contact_consent_on": "2026-11-02",
}  # fmt: skip


def test_the_network_through_the_api(web_world, client):
    lea = token_for(web_world, "caseworker")
    jonas = token_for(web_world, "supervisor")
    mia = token_for(web_world, "other_caseworker")
    made = client.post("/api/volunteers", json=AMAL, headers=lea)
    assert made.status_code == 201, made.text
    amal = made.json()["id"]
    assert (
        client.post(
            "/api/volunteers", json={**AMAL, "helps_with": ["flying"]}, headers=lea
        ).status_code
        == 422
    )
    found = client.get("/api/network?language=ar&area=kita&district=Eving", headers=lea).json()
    assert [v["id"] for v in found["volunteers"]] == [amal]
    assert client.get("/api/network?language=ar", headers=mia).json()["volunteers"] == []
    assert client.put(f"/api/volunteers/{amal}", json=AMAL, headers=mia).status_code == 404

    case_id = web_world.open_case()
    path = f"/api/cases/{case_id}/volunteer-suggestions"
    refused = client.post(
        path, json={"volunteer_id": amal, "area": "kita", "household_consent": False}, headers=lea
    )
    assert refused.status_code == 422 and list(refused.json()["errors"]) == ["household_consent"]
    suggested = client.post(
        path, json={"volunteer_id": amal, "area": "kita", "household_consent": True}, headers=lea
    )
    assert suggested.status_code == 201, suggested.text
    assert suggested.json()["volunteer_name"] == "Amal Youssef"
    assert client.get(path, headers=mia).status_code == 404

    left = client.post(f"/api/volunteers/{amal}/leave", headers=lea)
    assert left.status_code == 200
    assert (left.json()["name"], left.json()["phone"], left.json()["active"]) == (
        "(ausgeschieden)",
        None,
        False,
    )
    (after,) = client.get(path, headers=lea).json()
    assert after["ended_at"] is not None and after["volunteer_name"] == "(ausgeschieden)"

    contact = {"name": "Frau Sommer", "phone": "0231 5555", "languages": ["ar"]}
    partner = f"/api/partners/{web_world.partner_id}/contacts"
    assert client.post(partner, json=contact, headers=lea).status_code == 403
    added = client.post(partner, json=contact, headers=jonas)
    assert added.status_code == 201
    listed = client.get("/api/network?q=caritas", headers=lea).json()["partners"]
    assert [c["name"] for p in listed for c in p["contacts"]] == ["Frau Sommer"]
    assert client.delete(f"{partner}/{added.json()['id']}", headers=jonas).status_code == 204
    assert client.delete(f"{partner}/{added.json()['id']}", headers=jonas).status_code == 404
