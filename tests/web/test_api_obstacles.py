"""Integration obstacles through the API: the supervisor keeps the list, a caseworker notes an
obstacle and overcomes it, the figures count it without names; another office gets 404, a
caseworker keeping the list 403, garbage 422 (SQLite and PostgreSQL)."""

from tests.web.test_api import token_for

KITA = {"code": "kita-kein-platz", "label": "Kein Kita-Platz im Stadtbezirk", "area": "kita"}


def test_the_list_a_case_and_the_figures_through_the_api(web_world, client):
    supervisor = token_for(web_world, "supervisor")
    caseworker = token_for(web_world, "caseworker")
    other = token_for(web_world, "other_caseworker")
    made = client.post("/api/obstacle-kinds", json={**KITA, "office_id": web_world.office_id},
                       headers=supervisor)  # fmt: skip
    assert made.status_code == 201, made.text
    kind_id = made.json()["id"]
    refused = client.post("/api/obstacle-kinds", json={**KITA, "office_id": web_world.office_id},
                          headers=supervisor)  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["errors"]["code"].startswith("Das Kürzel „kita-kein-platz“")
    bare = {**KITA, "code": "kita-2", "office_id": web_world.office_id}
    assert client.post("/api/obstacle-kinds", json=bare, headers=caseworker).status_code == 403
    assert client.put(f"/api/obstacle-kinds/{kind_id}", json=KITA, headers=other).status_code == 404
    assert [k["code"] for k in client.get("/api/obstacle-kinds", headers=caseworker).json()] == [
        "kita-kein-platz"
    ]

    case_id = web_world.open_case()
    noted = client.post(f"/api/cases/{case_id}/obstacles",
                        json={"kind_id": kind_id, "step_kind": "registration", "note": "voll"},
                        headers=caseworker)  # fmt: skip
    assert noted.status_code == 201, noted.text
    body = noted.json()
    assert (body["label"], body["step_kind"], body["resolved_at"]) == (
        KITA["label"],
        "registration",
        None,
    )
    mars = {"kind_id": kind_id, "step_kind": "birth"}  # no birth is expected
    wrong_step = client.post(f"/api/cases/{case_id}/obstacles", json=mars, headers=caseworker)
    assert wrong_step.status_code == 422
    assert wrong_step.json()["errors"] == {"step_kind": "Diesen Schritt hat der Fall nicht."}
    assert client.get(f"/api/cases/{case_id}/obstacles", headers=other).status_code == 404
    assert client.post(f"/api/cases/{case_id}/obstacles", json={"kind_id": kind_id},
                       headers=other).status_code == 404  # fmt: skip

    figures = client.get("/api/obstacle-figures", headers=supervisor).json()
    (row,) = figures["rows"]
    assert (row["district"], row["cases"], row["open"], row["resolved"]) == ("Eving", 1, 1, 0)
    assert "Haddad" not in str(figures)
    assert client.get("/api/obstacle-figures", headers=other).json()["rows"] == []
    assert client.get("/api/obstacle-figures?from=2026-12-31&to=2026-01-01",
                      headers=supervisor).status_code == 422  # fmt: skip

    resolved = client.post(f"/api/cases/{case_id}/obstacles/{body['id']}/resolve",
                           json={"resolution": "Platz gefunden"}, headers=caseworker)  # fmt: skip
    assert resolved.status_code == 200 and resolved.json()["resolved_at"] is not None
    again = client.post(f"/api/cases/{case_id}/obstacles/{body['id']}/resolve", json={},
                        headers=caseworker)  # fmt: skip
    assert again.status_code == 422
    figures = client.get("/api/obstacle-figures", headers=supervisor).json()
    assert [(r["open"], r["resolved"]) for r in figures["rows"]] == [(0, 1)]
