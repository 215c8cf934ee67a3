"""The audit trail: every administrative change is an entry (who, when, each field before and
after, secrets as "changed" only), every opening of a case is a reading, supervisors see both
for their office, and both have their own retention."""

from datetime import timedelta

import pytest
from fastapi.routing import APIRoute
from sqlmodel import col, select

from core.clock import utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import ApiToken, AuditEntry, CaseRead, Partner, Staff, SubLocation
from tests.web.conftest import PASSWORD, csrf, login
from tests.web.test_admin import NEW_OFFICE, NEW_PERSON
from web.routes import admin as admin_routes
from workflows.audit import retention
from workflows.directory import accounts

OLDER = "4102444800000000-event-1"  # a page of history: the entries before 2100
OFFICE_FORM = {
    "name": "Eving/Scharnhorst", "code": "eving-scharnhorst",
    "address": "Bayrische Straße 135, 44339 Dortmund", "email": "eving@lokal-willkommen.example",
    "partner_organisation": "DRK", "districts": ["Eving", "Scharnhorst"],
}  # fmt: skip
PARTNER_FORM = {
    "name": "Kita-Verbund Eving", "category": "childcare", "email": "kita@partner.example",
    "districts": ["Eving"], "active": "on",
}  # fmt: skip


def entries() -> list[AuditEntry]:
    with unit_of_work() as session:
        return list(session.exec(select(AuditEntry).order_by(col(AuditEntry.id))))


def existing(web_world) -> dict[str, int]:  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        place = SubLocation(office_id=web_world.office_id, name="Lanstrop", address="Weg 1")
        partner = Partner(name="Kita-Verbund Eving", category="childcare",
                          email="kita@partner.example", districts=["Eving"])  # fmt: skip
        session.add_all([place, partner])
        session.flush()
        return {"place_id": place.id, "partner_id": partner.id}  # type: ignore[dict-item]


# route, form, (table, action, a field and its value after)
ADMIN_CHANGES = {
    "/admin/offices": (NEW_OFFICE, ("offices", "created", "name", "Hörde/Hombruch")),
    "/admin/offices/{office_id}": (
        {**OFFICE_FORM, "phone": "+49 231 5012345"},
        ("offices", "changed", "phone", "+49 231 5012345"),
    ),
    "/admin/offices/{office_id}/sub-locations": (
        {"name": "Brechten", "address": "Brechtener Straße 1"},
        ("sub_locations", "created", "name", "Brechten"),
    ),
    "/admin/sub-locations/{place_id}": (
        {"name": "Lanstrop-Mitte", "address": "Weg 1"},
        ("sub_locations", "changed", "name", "Lanstrop-Mitte"),
    ),
    "/admin/partners": (
        {**PARTNER_FORM, "name": "Jobcenter", "category": "employment", "city_wide": "on"},
        ("partners", "created", "name", "Jobcenter"),
    ),
    "/admin/partners/{partner_id}": (
        {**PARTNER_FORM, "active": []},
        ("partners", "changed", "active", False),
    ),
    "/admin/staff": (
        {**NEW_PERSON, "office_id": "{office_id}"},
        ("staff", "created", "name", "Sara Yilmaz"),
    ),
    "/admin/staff/{staff_id}/active": ({"active": "false"}, ("staff", "changed", "active", False)),
    "/admin/staff/{staff_id}/password": (
        {"password": "ganz-neues-passwort"},
        ("staff", "changed", "password_hash", "•••"),
    ),
}


def test_every_admin_route_that_changes_something_is_covered_here():
    posts = {
        route.path
        for route in admin_routes.router.routes
        if isinstance(route, APIRoute) and "POST" in route.methods
    }
    assert posts == set(ADMIN_CHANGES)


@pytest.mark.parametrize("route", ADMIN_CHANGES)
def test_each_administrative_change_is_an_audit_entry(route, web_world, client):
    """Given an administrator, when she changes something through an admin route, then one
    entry says who, what (table, row, action) and each changed field before and after; a
    password is recorded as changed, never its hash."""
    form, (table, action, field, after) = ADMIN_CHANGES[route]
    ids = {"office_id": web_world.office_id, "staff_id": web_world.caseworker_id}
    ids |= existing(web_world)
    login(client, web_world.emails["admin"])
    before = len(entries())
    data = {k: v.format(**ids) if isinstance(v, str) else v for k, v in form.items()}
    response = client.post(route.format(**ids), data={**data, "csrf_token": csrf(client, "/admin")})
    assert response.status_code == 303, response.text

    (entry,) = entries()[before:]
    assert (entry.actor_id, entry.target, entry.action) == (web_world.ids["admin"], table, action)
    assert entry.changes[field][1] == after
    assert abs((entry.at - utc_now()).total_seconds()) < 60
    if action == "changed" and after != "•••":  # a secret reads "•••" before and after
        assert entry.changes[field][0] != after
    with unit_of_work() as session:
        hashes = [s.password_hash for s in session.exec(select(Staff)) if s.password_hash]
    assert not any(h in str(entry.changes) for h in hashes)


def test_signing_in_is_no_administrative_change_and_a_token_from_the_command_line_is(
    web_world, client
):
    """Given a sign-in (it counts failures and notes the time), then no entry is written; given
    an API token issued on the command line, then its entry names no actor and not its hash."""
    before = len(entries())
    client.post("/login", data={"email": web_world.emails["caseworker"], "password": "falsch",
                                "csrf_token": csrf(client)})  # fmt: skip
    login(client, web_world.emails["caseworker"], PASSWORD)
    assert len(entries()) == before
    with unit_of_work() as session:
        plain = accounts.issue_api_token(session, web_world.caseworker_id, "Fachverfahren")
    (entry,) = entries()[before:]
    assert (entry.actor_id, entry.target, entry.action) == (None, "api_tokens", "created")
    assert entry.changes["token_hash"] == [None, "•••"] and plain not in str(entry.changes)
    with unit_of_work() as session:
        token_hash = session.exec(select(ApiToken.token_hash)).one()
    assert token_hash not in str(entry.changes)


def readings(case_id: int) -> list[str]:
    with unit_of_work() as session:
        query = select(CaseRead.what).where(CaseRead.case_id == case_id).order_by(col(CaseRead.id))
        return list(session.exec(query))


def test_every_opening_of_a_case_is_a_reading_with_who_and_what(web_world, client):
    """Given a caseworker, when she opens the case page, older history, the household page and
    a message preview, and a program reads the case through the API, then each is a reading
    of that case by her; a case of another office (404) is not."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    assert client.get(f"/cases/{case_id}").status_code == 200
    history = client.get(f"/cases/{case_id}/verlauf?vor={OLDER}")
    assert history.status_code == 200, history.text
    assert client.get(f"/cases/{case_id}/haushalt").status_code == 200
    assert client.get(f"/cases/{case_id}/preview?kind=appointment_invitation").status_code == 200
    with unit_of_work() as session:
        token = accounts.issue_api_token(session, web_world.caseworker_id, "Test")
    api = client.get(f"/api/cases/{case_id}", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    assert readings(case_id) == ["page", "history", "household", "preview", "api"]
    with unit_of_work() as session:
        staff_ids = set(session.exec(select(CaseRead.staff_id)))
    assert staff_ids == {web_world.caseworker_id}

    other = web_world.open_case(actor_id=web_world.ids["other_caseworker"],
                                district="Lütgendortmund", postal_code="44388")  # fmt: skip
    assert client.get(f"/cases/{other}").status_code == 404
    assert readings(other) == []


def test_supervisors_see_the_changes_and_readings_of_their_office_only(web_world, client):
    """Given readings of a case in each office and a change in each office, when the Eving
    supervisor opens the audit page, then she sees her office's (and city-wide) changes and who
    opened her office's case, not the other office's; a case number narrows the readings."""
    mine = web_world.open_case()
    theirs = web_world.open_case(actor_id=web_world.ids["other_caseworker"],
                                 district="Lütgendortmund", postal_code="44388")  # fmt: skip
    with unit_of_work() as session:
        session.add(CaseRead(staff_id=web_world.caseworker_id, case_id=mine, what="page"))
        session.add(CaseRead(staff_id=web_world.ids["other_caseworker"], case_id=theirs,
                             what="api"))  # fmt: skip
        session.info["actor_id"] = web_world.ids["admin"]
        session.add(SubLocation(office_id=web_world.office_id, name="Brechten", address="A 1"))
        session.add(SubLocation(office_id=web_world.other_office_id, name="Bövinghausen",
                                address="B 2"))  # fmt: skip
    login(client, web_world.emails["supervisor"])
    page = client.get("/protokoll").text
    assert "Brechten" in page and "Bövinghausen" not in page
    assert f"LW-{mine:06d}" in page and f"LW-{theirs:06d}" not in page
    assert "Lea Brandt" in page and "Fallseite" in page
    narrowed = client.get(f"/protokoll?fall=LW-{theirs:06d}").text
    assert f">LW-{theirs:06d}</a>" not in narrowed and "Keine Zugriffe auf diesen Fall" in narrowed
    assert f">LW-{mine:06d}</a>" in client.get(f"/protokoll?fall={mine}").text
    assert "keine Fallnummer" in client.get("/protokoll?fall=Haddad").text

    login(client, web_world.emails["caseworker"])
    assert client.get("/protokoll").status_code == 403


def test_the_trails_own_retention_deletes_only_what_is_past_its_period(web_world):
    """Given changes and readings older and newer than their periods, when the purge runs, then
    only the old ones are gone."""
    case_id = web_world.open_case()
    settings = get_settings()
    now = utc_now()
    with unit_of_work() as session:
        for days in (settings.read_log_retention_days + 1, 1):
            session.add(CaseRead(staff_id=web_world.caseworker_id, case_id=case_id, what="page",
                                 at=now - timedelta(days=days)))  # fmt: skip
        for days in (settings.audit_retention_days + 1, 1):
            session.add(AuditEntry(action="changed", target="offices", target_id=1,
                                   at=now - timedelta(days=days)))  # fmt: skip
    old_changes = len(entries())
    with unit_of_work() as session:
        gone = retention.purge(session, now, settings)
    assert gone == {"changes": 1, "reads": 1}
    assert len(entries()) == old_changes - 1 and len(readings(case_id)) == 1
