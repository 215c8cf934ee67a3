"""The network in the staff pages: a caseworker takes a volunteer in (garbage refused at its
field), finds her by language and area, suggests her to a household with its consent, and a
supervisor adds a contact person to a partner (a caseworker may not); another office neither
sees nor changes the volunteer (SQLite and PostgreSQL)."""

import re

from sqlmodel import select

from core.db import unit_of_work
from models import PartnerContact, Volunteer
from tests.web.conftest import csrf, login
from tests.web.test_cases import flashes, follow, text

AMAL = {
    "name": "Amal Youssef", "phone": "0176 1234567", "languages": "ar, de",
    "helps_with": ["kita", "school"], "districts": ["Eving"], "availability": "dienstags",
}  # fmt: skip


def post(client, path: str, data: dict, page: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf(client, page)})


def test_a_volunteer_is_taken_in_found_and_suggested_to_a_household(web_world, client):
    login(client, web_world.emails["caseworker"])
    form = "/netzwerk/ehrenamtliche/neu"
    refused = post(
        client, "/netzwerk/ehrenamtliche", {**AMAL, "helps_with": [], "phone": "x"}, form
    )
    assert refused.status_code == 422
    assert 'id="e-v-helps_with"' in refused.text and 'id="e-v-phone"' in refused.text
    made = post(
        client, "/netzwerk/ehrenamtliche", {**AMAL, "contact_consent_on": "2026-11-02"}, form
    )
    page = follow(client, made)
    with unit_of_work() as session:
        (amal,) = session.exec(select(Volunteer)).all()
    assert flashes(page) == [f"Ehrenamtliche Person Nr. {amal.id} steht im Netzwerk."]
    assert "Amal Youssef" in text(client.get("/netzwerk?sprache=ar&bereich=kita&bezirk=Eving"))
    assert "Amal Youssef" not in text(client.get("/netzwerk?sprache=uk"))

    case_id = web_world.open_case()
    case_page = f"/cases/{case_id}/ehrenamt"
    chosen = {"volunteer_id": str(amal.id), "area": "kita"}
    without = follow(client, post(client, case_page, chosen, case_page))
    assert flashes(without) == [
        "Nicht vermittelt: Ohne Einverständnis des Haushalts wird niemand vermittelt."
    ]
    agreed = follow(
        client, post(client, case_page, {**chosen, "household_consent": "1"}, case_page)
    )
    assert flashes(agreed) == ["Vermittelt; es steht im Verlauf des Falls."]
    assert re.search(r"Amal Youssef \(Nr\. \d+\) · Kita", text(agreed))
    assert "Ehrenamtliche Person vermittelt" in text(client.get(f"/cases/{case_id}"))

    client.post("/logout", data={"csrf_token": csrf(client, "/netzwerk")})
    login(client, web_world.emails["other_caseworker"])
    assert "Amal Youssef" not in text(client.get("/netzwerk"))
    assert client.get(f"/netzwerk/ehrenamtliche/{amal.id}").status_code == 404
    left = post(client, f"/netzwerk/ehrenamtliche/{amal.id}/ausgeschieden", {}, "/netzwerk")
    assert left.status_code == 404


def test_a_supervisor_adds_a_contact_person_and_a_caseworker_may_not(web_world, client):
    partner = f"/netzwerk/partner/{web_world.partner_id}"
    login(client, web_world.emails["caseworker"])
    assert (
        client.get(partner).status_code == 200
        and 'id="new-contact"' not in client.get(partner).text
    )
    assert (
        post(
            client, f"{partner}/ansprechpersonen", {"name": "X", "phone": "0231 1111"}, partner
        ).status_code
        == 403
    )
    client.post("/logout", data={"csrf_token": csrf(client, "/netzwerk")})
    login(client, web_world.emails["supervisor"])
    bad = post(client, f"{partner}/ansprechpersonen", {"name": "Frau Sommer"}, partner)
    assert (
        bad.status_code == 422
        and "Bitte eine E-Mail-Adresse oder eine Telefonnummer angeben." in text(bad)
    )
    sommer = {"name": "Frau Sommer", "role": "Beratung", "phone": "0231 5555", "languages": "ar"}
    good = post(client, f"{partner}/ansprechpersonen", sommer, partner)
    assert flashes(follow(client, good)) == ["Ansprechperson eingetragen."]
    assert "Frau Sommer (Beratung) · Tel. 0231 5555 · Arabisch" in text(client.get(partner))
    with unit_of_work() as session:
        (person,) = session.exec(select(PartnerContact)).all()
    removed = post(client, f"{partner}/ansprechpersonen/{person.id}/entfernen", {}, partner)
    assert flashes(follow(client, removed)) == ["Ansprechperson entfernt."]
    assert client.get("/netzwerk/partner/99999").status_code == 404
