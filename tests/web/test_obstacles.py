"""Integration obstacles in the staff pages: the office's supervisor keeps the list (a
caseworker may not, another office does not find it), caseworkers note an obstacle on a case
or a step and mark it overcome, and the figures page shows the district's count without a
name (SQLite and PostgreSQL)."""

import re

from sqlmodel import select

from core.db import unit_of_work
from models import AuditEntry, CaseObstacle, ObstacleKind
from tests.web.conftest import csrf, login
from tests.web.test_cases import flashes, follow, text


def post(client, path: str, data: dict, page: str):  # type: ignore[no-untyped-def]
    return client.post(path, data={**data, "csrf_token": csrf(client, page)})


def listed() -> list[ObstacleKind]:
    with unit_of_work() as session:
        return list(session.exec(select(ObstacleKind)))


NEW = {"label": "Kein Kita-Platz im Stadtbezirk", "code": "kita-kein-platz", "area": "kita"}


def test_the_supervisor_keeps_the_list_and_others_may_not(web_world, client):
    """Given the Eving supervisor, when she adds the Kita entry, adds it again, takes the
    suggestions and sets one inactive, then the list holds each once with the refusal named;
    a caseworker gets 403; another office's supervisor sees only their own list and does not
    find an Eving entry to change (404)."""
    login(client, web_world.emails["supervisor"])
    page = f"/hemmnisse/liste?buero={web_world.office_id}"
    added = follow(
        client,
        post(
            client, "/hemmnisse/liste", {**NEW, "buero": str(web_world.office_id), "new": "1"}, page
        ),
    )
    assert flashes(added) == ["„Kein Kita-Platz im Stadtbezirk“ steht auf der Liste."]
    again = follow(
        client,
        post(
            client, "/hemmnisse/liste", {**NEW, "buero": str(web_world.office_id), "new": "1"}, page
        ),
    )
    assert flashes(again) == [
        "Nicht gespeichert: Das Kürzel „kita-kein-platz“ gibt es in diesem Büro schon."
    ]
    bad = follow(
        client,
        post(
            client,
            "/hemmnisse/liste",
            {**NEW, "code": "Kita Platz!", "buero": str(web_world.office_id)},
            page,
        ),
    )
    assert flashes(bad)[0].startswith("Nicht gespeichert:")
    taken = follow(
        client,
        post(client, "/hemmnisse/liste/vorschlaege", {"buero": str(web_world.office_id)}, page),
    )
    assert flashes(taken) == ["7 Vorschläge übernommen."]
    kita = next(k for k in listed() if k.code == "kita-kein-platz")
    changed = post(client, f"/hemmnisse/liste/{kita.id}", {**NEW, "label": "Kein Kita-Platz"}, page)
    assert flashes(follow(client, changed)) == ["Geändert."]
    kita = next(k for k in listed() if k.code == "kita-kein-platz")
    assert (kita.label, kita.active, len(listed())) == ("Kein Kita-Platz", False, 8)
    with unit_of_work() as session:
        mine = (AuditEntry.target == "obstacle_kinds", AuditEntry.target_id == kita.id)
        trail = session.exec(select(AuditEntry).where(*mine)).all()
    assert [(e.action, e.actor_id, e.office_id) for e in trail] == [
        ("created", web_world.supervisor_id, web_world.office_id),
        ("changed", web_world.supervisor_id, web_world.office_id),
    ]
    assert trail[1].changes["active"] == [True, False]

    client.post("/logout", data={"csrf_token": csrf(client, "/hemmnisse")})
    login(client, web_world.emails["caseworker"])
    assert client.get(page).status_code == 403
    assert post(client, f"/hemmnisse/liste/{kita.id}", NEW, "/hemmnisse").status_code == 403
    client.post("/logout", data={"csrf_token": csrf(client, "/hemmnisse")})
    login(client, web_world.emails["other_supervisor"])
    own = text(client.get(page))  # whatever office is asked for: their own list
    assert "Liste der Hemmnisse: Lütgendortmund" in own and 'id="kinds"' not in own
    assert post(client, f"/hemmnisse/liste/{kita.id}", NEW, "/hemmnisse").status_code == 404


def test_three_cases_with_one_obstacle_show_as_three_and_no_names(web_world, client):
    """Given the Kita entry, when the caseworker notes it on three Eving cases (one on its
    registration step) and overcomes one, then each case's page lists it, the history has it,
    and the figures show Eving with 3 cases, 1 overcome, 2 open — and none of the families'
    names; another office's caseworker does not find the case's obstacles (404)."""
    login(client, web_world.emails["supervisor"])
    page = f"/hemmnisse/liste?buero={web_world.office_id}"
    post(client, "/hemmnisse/liste", {**NEW, "buero": str(web_world.office_id), "new": "1"}, page)
    (kind,) = listed()
    client.post("/logout", data={"csrf_token": csrf(client, "/hemmnisse")})
    login(client, web_world.emails["caseworker"])
    names = ("Haddad", "Nouri", "Sadiq")
    cases = [web_world.open_case(family_name=name) for name in names]
    for n, case_id in enumerate(cases):
        data = {"kind_id": str(kind.id), "note": "drei Kitas angefragt"}
        if n == 0:
            data["step_kind"] = "registration"
        answer = follow(
            client, post(client, f"/cases/{case_id}/hemmnisse", data, f"/cases/{case_id}/hemmnisse")
        )
        assert flashes(answer) == ["Hemmnis erfasst; es steht im Verlauf des Falls."]
    twice = post(
        client,
        f"/cases/{cases[1]}/hemmnisse",
        {"kind_id": str(kind.id)},
        f"/cases/{cases[1]}/hemmnisse",
    )
    assert flashes(follow(client, twice)) == [
        "Nicht erfasst: Dieses Hemmnis ist beim Fall schon offen erfasst."
    ]
    shown = text(client.get(f"/cases/{cases[0]}/hemmnisse"))
    assert "Kein Kita-Platz im Stadtbezirk</strong> · Schritt Anmeldung beim Bürgeramt" in shown
    assert "Integrationshemmnis erfasst" in text(client.get(f"/cases/{cases[0]}"))
    with unit_of_work() as session:
        first = session.exec(select(CaseObstacle).where(CaseObstacle.case_id == cases[0])).one()
    done = post(
        client,
        f"/cases/{cases[0]}/hemmnisse/{first.id}/ueberwunden",
        {"resolution": "Platz gefunden"},
        f"/cases/{cases[0]}/hemmnisse",
    )
    assert flashes(follow(client, done)) == ["Als überwunden vermerkt."]
    wrong = post(
        client,
        f"/cases/{cases[1]}/hemmnisse/{first.id}/ueberwunden",
        {},
        f"/cases/{cases[1]}/hemmnisse",
    )
    assert wrong.status_code == 404  # another case's obstacle

    figures = client.get("/hemmnisse")
    assert figures.status_code == 200
    row = re.search(
        r"<tr><th scope=\"row\">Kein Kita-Platz im Stadtbezirk</th>(.*?)</tr>", figures.text
    )
    assert row is not None
    assert re.findall(r"<td>([^<]*)</td>", row.group(1))[1:6] == ["3", "3", "1", "2", "0.0"]
    assert not any(name in figures.text for name in names)

    client.post("/logout", data={"csrf_token": csrf(client, "/hemmnisse")})
    login(client, web_world.emails["other_caseworker"])
    assert client.get(f"/cases/{cases[0]}/hemmnisse").status_code == 404
    assert (
        post(
            client, f"/cases/{cases[0]}/hemmnisse", {"kind_id": str(kind.id)}, "/hemmnisse"
        ).status_code
        == 404
    )
