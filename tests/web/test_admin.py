"""Administration: offices, sub-locations, partners and staff accounts; administrators only."""

import re

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func
from sqlmodel import select

from core.db import unit_of_work
from models import Office, Partner, Staff, SubLocation
from tests.web.conftest import PASSWORD, csrf, login
from web.routes import admin as admin_routes
from workflows.directory.accounts import issue_api_token


def count(model: type) -> int:
    with unit_of_work() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def office_by_code(code: str) -> Office | None:
    with unit_of_work() as session:
        return session.exec(select(Office).where(Office.code == code)).first()


def field_error(page: str, field: str) -> str:
    match = re.search(rf'id="e-{field}"[^>]*>([^<]+)<', page)
    assert match, f"no error at {field}"
    return match.group(1)


@pytest.fixture
def admin(web_world, client):
    login(client, web_world.emails["admin"])
    return client


def post(client, path: str, data: dict, page: str | None = None):
    """Send a form as the browser would: with the CSRF token of the page showing it."""
    return client.post(path, data={**data, "csrf_token": csrf(client, page or "/admin")})


NEW_OFFICE = {
    "name": "Hörde/Hombruch",
    "code": "hoerde-hombruch",
    "address": "Hörder Bahnhofstraße 1, 44263 Dortmund",
    "email": "hoerde@lokal-willkommen.example",
    "phone": "+49 30 23125 103",
    "partner_organisation": "AWO",
    "districts": ["Hörde", "Hombruch"],
}


def test_admin_adds_an_office_with_its_districts(admin):
    """Given an administrator, when she fills in a new office with two districts,
    then it is saved, she is sent to its page with a confirmation, and the list shows it."""
    response = post(admin, "/admin/offices", NEW_OFFICE, "/admin/offices/new")
    assert response.status_code == 303
    office = office_by_code("hoerde-hombruch")
    assert office is not None and office.districts == ["Hörde", "Hombruch"]
    assert response.headers["location"] == f"/admin/offices/{office.id}"
    page = admin.get(response.headers["location"]).text
    assert "Büro Hörde/Hombruch angelegt." in page
    listing = admin.get("/admin/offices").text
    assert "Hörde/Hombruch" in listing and "AWO" in listing


def test_a_district_already_served_is_refused_and_nothing_is_saved(admin):
    """Given Eving served by Eving/Scharnhorst, when a new office also claims Eving,
    then the form comes back (422) naming the office that serves it, and no office is added."""
    before = count(Office)
    data = {**NEW_OFFICE, "districts": ["Hörde", "Eving"]}
    response = post(admin, "/admin/offices", data, "/admin/offices/new")
    assert response.status_code == 422
    assert "Eving (Büro Eving/Scharnhorst)" in field_error(response.text, "districts")
    assert 'value="Hörde/Hombruch"' in response.text  # what was typed stays in the form
    assert count(Office) == before


def test_invalid_office_fields_are_shown_at_their_fields(admin):
    """Given an office form with no name, a bad code, a bad email and no district, when it is
    sent, then each problem is shown at its field and nothing is saved."""
    data = {**NEW_OFFICE, "name": " ", "code": "Hörde Hombruch", "email": "keine-mail"}
    data["districts"] = []
    response = post(admin, "/admin/offices", data, "/admin/offices/new")
    assert response.status_code == 422
    assert field_error(response.text, "name") == "Bitte einen Namen angeben."
    assert "Kleinbuchstaben" in field_error(response.text, "code")
    assert field_error(response.text, "email") == "Keine gültige E-Mail-Adresse."
    assert "mindestens einen Bezirk" in field_error(response.text, "districts")
    assert 'aria-invalid="true"' in response.text
    assert office_by_code("hoerde-hombruch") is None


def test_admin_edits_an_office_and_a_taken_code_is_refused(admin, web_world):
    """Given two offices, when the administrator changes Eving's phone and adds a district,
    then it is saved; when she gives it Lütgendortmund's code, it is refused and unchanged."""
    path = f"/admin/offices/{web_world.office_id}"
    form = {**NEW_OFFICE, "name": "Eving/Scharnhorst", "code": "eving-scharnhorst"}
    form["districts"] = ["Eving", "Scharnhorst", "Brackel"]
    assert post(admin, path, form, path).status_code == 303
    office = office_by_code("eving-scharnhorst")
    assert office is not None and office.districts == ["Eving", "Scharnhorst", "Brackel"]
    assert office.phone == "+49 30 23125 103"

    refused = post(admin, path, {**form, "code": "luetgendortmund", "phone": "0231 1"}, path)
    assert refused.status_code == 422
    assert "schon ein anderes Büro" in field_error(refused.text, "code")
    unchanged = office_by_code("eving-scharnhorst")
    assert unchanged is not None and unchanged.phone == "+49 30 23125 103"
    assert admin.get("/admin/offices/999999").status_code == 404


def test_admin_adds_and_renames_a_sub_location(admin, web_world):
    """Given Eving/Scharnhorst, when the administrator adds the sub-location Lanstrop and then
    renames it, then the office page lists it; a second place with the same name is refused."""
    office_path = f"/admin/offices/{web_world.office_id}"
    new = {"name": "Lanstrop", "address": "Lanstroper Straße 5"}
    response = post(admin, f"{office_path}/sub-locations", new, office_path)
    assert response.status_code == 303 and response.headers["location"] == office_path
    assert "Lanstrop" in admin.get(office_path).text

    duplicate = post(admin, f"{office_path}/sub-locations", new, office_path)
    assert duplicate.status_code == 422 and "schon eine Außenstelle" in duplicate.text
    assert count(SubLocation) == 1

    with unit_of_work() as session:
        place_id = session.exec(select(SubLocation.id)).one()
    renamed = {"name": "Lanstrop-Mitte", "address": "Lanstroper Straße 7"}
    assert post(admin, f"/admin/sub-locations/{place_id}", renamed, office_path).status_code == 303
    with unit_of_work() as session:
        place = session.get(SubLocation, place_id)
        assert place is not None and (place.name, place.address) == tuple(renamed.values())


def test_admin_adds_partners_city_wide_or_for_districts_and_deactivates_one(admin):
    """Given the partner register, when the administrator adds a city-wide partner and one for
    a district, and then deactivates the second, then both are stored as entered; a partner with
    neither kind nor districts is refused and not stored."""
    city = {"name": "Jobcenter Dortmund", "category": "employment", "email": "jc@partner.example"}
    city |= {"city_wide": "on", "districts": ["Eving"], "active": "on"}
    assert post(admin, "/admin/partners", city).status_code == 303
    local = {"name": "Kita-Verbund Eving", "category": "childcare", "email": "kita@partner.example"}
    local |= {"districts": ["Eving", "Scharnhorst"], "active": "on"}
    local |= {"offers": "Plätze für Kinder von 1 bis 6 Jahren", "opening_hours": "Mo–Fr 8–16 Uhr"}
    assert post(admin, "/admin/partners", local).status_code == 303
    with unit_of_work() as session:
        stored = {p.name: p for p in session.exec(select(Partner))}
    assert stored["Jobcenter Dortmund"].districts == []  # city-wide wins over ticked districts
    assert stored["Kita-Verbund Eving"].districts == ["Eving", "Scharnhorst"]
    assert stored["Kita-Verbund Eving"].offers == "Plätze für Kinder von 1 bis 6 Jahren"
    assert stored["Kita-Verbund Eving"].opening_hours == "Mo–Fr 8–16 Uhr"

    path = f"/admin/partners/{stored['Kita-Verbund Eving'].id}"
    assert post(admin, path, {**local, "active": ""} | {"active": []}, path).status_code == 303
    with unit_of_work() as session:
        assert session.get(Partner, stored["Kita-Verbund Eving"].id).active is False  # type: ignore[union-attr]

    before = count(Partner)
    refused = post(admin, "/admin/partners", {"name": "Ohne alles", "email": "x@partner.example"})
    assert refused.status_code == 422
    assert "Art von Partner" in field_error(refused.text, "category")
    assert "ganze Stadt" in field_error(refused.text, "districts")
    two_lines = post(admin, "/admin/partners", {**local, "opening_hours": "Mo\nDi"})
    assert two_lines.status_code == 422
    assert "in einer Zeile" in field_error(two_lines.text, "opening_hours")
    assert count(Partner) == before
    assert "Kita-Verbund Eving" in admin.get("/admin/partners").text


NEW_PERSON = {
    "name": "Sara Yilmaz",
    "email": "Sara.Yilmaz@lokal-willkommen.example",
    "role": "caseworker",
    "employer": "association",
    "employer_name": "DRK",
    "password": "ein-langes-startpasswort",
}


def test_admin_creates_an_account_that_can_sign_in(admin, web_world, client):
    """Given an administrator, when she creates a caseworker account for Eving/Scharnhorst,
    then it is listed and the person signs in with the initial password."""
    data = {**NEW_PERSON, "office_id": str(web_world.office_id)}
    response = post(admin, "/admin/staff", data, "/admin/staff/new")
    assert response.status_code == 303
    assert "Sara Yilmaz" in admin.get("/admin/staff").text
    with unit_of_work() as session:
        person = session.exec(
            select(Staff).where(Staff.email == "sara.yilmaz@lokal-willkommen.example")
        ).one()
        assert (person.role, person.office_id) == ("caseworker", web_world.office_id)
    client.cookies.clear()
    login(client, "sara.yilmaz@lokal-willkommen.example", "ein-langes-startpasswort")
    assert client.get("/cases").status_code == 200


def test_invalid_accounts_are_refused_at_their_fields_and_not_saved(admin, web_world):
    """Given an existing caseworker, when an account with her email, a short password, no
    office for a caseworker and no employer is sent, then every problem is shown and nothing is
    saved; the password is not sent back into the page."""
    before = count(Staff)
    data = {**NEW_PERSON, "email": web_world.emails["caseworker"].upper(), "password": "kurz"}
    data |= {"employer": "", "office_id": ""}
    response = post(admin, "/admin/staff", data, "/admin/staff/new")
    assert response.status_code == 422
    assert "schon vergeben" in field_error(response.text, "email")
    assert "Mindestens 10 Zeichen" in field_error(response.text, "password")
    assert "Büro" in field_error(response.text, "office_id")
    assert "Arbeitgeber" in field_error(response.text, "employer")
    assert "kurz" not in response.text
    assert count(Staff) == before

    only_late_check = {**NEW_PERSON, "office_id": str(web_world.office_id), "employer_name": ""}
    response = post(admin, "/admin/staff", only_late_check, "/admin/staff/new")
    assert response.status_code == 422 and count(Staff) == before  # the flushed row is gone


def test_deactivated_account_cannot_sign_in_or_use_its_token_until_reactivated(
    admin, web_world, client
):
    """Given a caseworker with an API token, when the administrator deactivates her account,
    then she cannot sign in and her token is refused; after reactivation both work again."""
    with unit_of_work() as session:
        token = issue_api_token(session, web_world.caseworker_id, "Tablet")
    path = f"/admin/staff/{web_world.caseworker_id}"
    response = post(admin, f"{path}/active", {"active": "false"}, path)
    assert response.status_code == 303
    assert "deaktiviert" in admin.get(path).text
    bearer = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/cases", headers=bearer).status_code == 401
    sign_in = client.post(
        "/login",
        data={
            "email": web_world.emails["caseworker"],
            "password": PASSWORD,
            "csrf_token": csrf(client),
        },
    )
    assert sign_in.status_code == 401

    login(client, web_world.emails["admin"])
    assert post(client, f"{path}/active", {"active": "true"}, path).status_code == 303
    assert client.get("/api/cases", headers=bearer).status_code == 200


def test_admin_cannot_deactivate_herself(admin, web_world):
    """Given the signed-in administrator, when she tries to deactivate her own account,
    then it is refused and she stays active."""
    path = f"/admin/staff/{web_world.ids['admin']}"
    response = post(admin, f"{path}/active", {"active": "false"}, path)
    assert response.status_code == 422 and "eigene Konto" in response.text
    with unit_of_work() as session:
        assert session.get(Staff, web_world.ids["admin"]).active is True  # type: ignore[union-attr]


def test_reset_password_lets_the_person_sign_in_with_the_new_one(admin, web_world, client):
    """Given a caseworker, when the administrator sets a new password (a too short one first),
    then the short one is refused and the new one works, the old one no longer."""
    path = f"/admin/staff/{web_world.caseworker_id}"
    short = post(admin, f"{path}/password", {"password": "kurz"}, path)
    assert short.status_code == 422 and "Mindestens 10 Zeichen" in field_error(
        short.text, "password"
    )
    assert (
        post(admin, f"{path}/password", {"password": "ganz-neues-passwort"}, path).status_code
        == 303
    )
    client.cookies.clear()
    old = client.post(
        "/login",
        data={
            "email": web_world.emails["caseworker"],
            "password": PASSWORD,
            "csrf_token": csrf(client),
        },
    )
    assert old.status_code == 401
    login(client, web_world.emails["caseworker"], "ganz-neues-passwort")


def _admin_routes(web_world) -> list[tuple[str, str]]:
    """Every admin route of the app, with ids of things that exist filled in."""
    with unit_of_work() as session:
        place = SubLocation(office_id=web_world.office_id, name="Lanstrop", address="Weg 1")
        partner = Partner(name="P", category="transit", email="p@partner.example")
        session.add_all([place, partner])
        session.flush()
        ids = {
            "office_id": web_world.office_id,
            "place_id": place.id,
            "partner_id": partner.id,
            "staff_id": web_world.caseworker_id,
        }
    return [
        (method, route.path.format(**ids))
        for route in admin_routes.router.routes
        if isinstance(route, APIRoute)
        for method in sorted(route.methods)
    ]


@pytest.mark.parametrize("role", ["caseworker", "supervisor", "head"])
def test_everyone_but_administrators_gets_403_on_every_admin_route(role, web_world, client):
    """Given staff of another role, signed in, when they call any admin page or send any admin
    form (with a valid CSRF token), then 403 and nothing changes."""
    routes = _admin_routes(web_world)
    assert len(routes) >= 15
    login(client, web_world.emails[role])
    token = csrf(client, "/cases")
    offices, people = count(Office), count(Staff)
    for method, path in routes:
        data = {"csrf_token": token, **NEW_OFFICE, **NEW_PERSON, "active": "false"}
        response = client.request(method, path, data=data if method == "POST" else None)
        assert response.status_code == 403, (method, path)
        assert "für Ihre Rolle nicht freigegeben" in response.text  # the role, not the token
    assert (count(Office), count(Staff)) == (offices, people)
    with unit_of_work() as session:
        assert session.get(Staff, web_world.caseworker_id).active is True  # type: ignore[union-attr]


def test_administrators_never_see_cases(admin, web_world, client):
    """Given a case in Eving, when the administrator opens the case list, the overview or the
    API, then every one of them is refused."""
    web_world.open_case()
    assert admin.get("/cases").status_code == 403
    assert admin.get("/dashboard").status_code == 403
    with unit_of_work() as session:
        token = issue_api_token(session, web_world.ids["admin"], "Skript")
    api = client.get("/api/cases", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 403
