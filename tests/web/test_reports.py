"""Reports in the staff pages and the API: the supervisor's page shows the figures counted by
hand with small cells as "< 5" and no names, its CSV and XLSX hold the same; a caseworker gets
403; the head chooses an office; a period backwards is refused (SQLite and PostgreSQL)."""

import csv
import html
import io
import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from tests.web.conftest import login
from tests.web.test_api import token_for
from tests.web.test_cases import text
from tests.workflows.reports.conftest import NAMES, fill


@pytest.fixture
def office(web_world):  # type: ignore[no-untyped-def]
    return web_world, fill(web_world)


def test_the_supervisors_report_page_and_its_downloads(office, web_world, client):
    _world, today = office
    period = f"von={(today - timedelta(days=30)).isoformat()}&bis={today.isoformat()}"
    login(client, web_world.emails["supervisor"])
    page = client.get(f"/berichte?{period}")
    assert page.status_code == 200
    shown = text(page)
    cells = re.findall(r'<tr><th scope="row">([^<]+)</th><td>([^<]+)</td></tr>', page.text)
    figures = {html.unescape(label): html.unescape(value) for label, value in cells}
    assert figures["Haushalte aufgenommen"] == "6"
    assert figures["Willkommensbesuche"] == "< 5"
    assert figures["davon innerhalb von 14 Tagen nach dem Einzug"] == "80 %"
    assert not any(name in shown for name in NAMES)
    assert '<canvas id="chart-referrals"' in page.text  # energy: 5, drawn; school: < 5, not
    assert '"labels": ["Energieberatung"]' in page.text

    as_csv = client.get(f"/berichte/bericht.csv?{period}")
    assert as_csv.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(as_csv.content.decode("utf-8-sig")), delimiter=";"))
    from_csv = {r[1]: r[2] for r in rows[2:]}
    as_xlsx = client.get(f"/berichte/bericht.xlsx?{period}")
    sheet = load_workbook(io.BytesIO(as_xlsx.content)).active
    from_xlsx = {r[1]: r[2] for r in sheet.iter_rows(min_row=3, values_only=True)}  # type: ignore[union-attr]
    for label in ("Haushalte aufgenommen", "Willkommensbesuche", "Anmeldungen erledigt"):
        assert from_csv[label] == figures[label]
        assert str(from_xlsx[label]) == figures[label]

    backwards = client.get(
        f"/berichte?von={today.isoformat()}&bis={(today - timedelta(days=1)).isoformat()}"
    )
    assert backwards.status_code == 422 and "Das Ende liegt vor dem Anfang." in text(backwards)


def test_who_sees_which_report(office, web_world, client):
    login(client, web_world.emails["caseworker"])
    assert client.get("/berichte").status_code == 403
    assert client.get("/berichte/bericht.csv").status_code == 403
    other = client.__class__(client.app, base_url="http://testserver", follow_redirects=False)
    login(other, web_world.emails["other_supervisor"])
    theirs = text(other.get(f"/berichte?buero={web_world.office_id}"))  # their own, whatever asked
    assert "Bericht: Lütgendortmund" in theirs
    assert re.search(r"Haushalte aufgenommen</th><td>0<", theirs)
    head = client.__class__(client.app, base_url="http://testserver", follow_redirects=False)
    login(head, web_world.emails["head"])
    assert "Bericht: alle Büros" in text(head.get("/berichte"))
    assert "Bericht: Eving/Scharnhorst" in text(head.get(f"/berichte?buero={web_world.office_id}"))
    assert head.get("/berichte?buero=99999").status_code == 404


def test_the_api_gives_the_same_report(office, web_world, client):
    _world, today = office
    period = f"from={(today - timedelta(days=30)).isoformat()}&to={today.isoformat()}"
    supervisor = token_for(web_world, "supervisor")
    answer = client.get(f"/api/reports?{period}", headers=supervisor)
    assert answer.status_code == 200, answer.text
    rows = {r["label"]: r for s in answer.json()["sections"] for r in s["rows"]}
    assert rows["Haushalte aufgenommen"] == {
        "label": "Haushalte aufgenommen",
        "text": "6",
        "value": 6.0,
    }
    assert rows["Willkommensbesuche"] == {
        "label": "Willkommensbesuche",
        "text": "< 5",
        "value": None,
    }
    assert client.get(f"/api/reports.csv?{period}", headers=supervisor).status_code == 200
    assert client.get(f"/api/reports.xlsx?{period}", headers=supervisor).content[:2] == b"PK"
    assert client.get("/api/reports", headers=token_for(web_world, "caseworker")).status_code == 403
    backwards = client.get("/api/reports?from=2026-12-01&to=2026-11-01", headers=supervisor)
    assert backwards.status_code == 422
