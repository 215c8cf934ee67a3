"""A report over hand-made fixtures: every figure as counted by hand, counts under 5 as "< 5",
a share or median over fewer than 5 cases withheld — the same in the report, the CSV and the
XLSX read back with openpyxl — and no name anywhere (SQLite and PostgreSQL)."""

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Referral
from models.enums import ReferralStatus
from tests.workflows.reports.conftest import NAMES
from workflows.reports import exports, figures
from workflows.reports.cells import Cell, protect


def shown(report: figures.Report) -> dict[str, dict[str, str]]:
    return {s.key: {r.label: r.cell.text() for r in s.rows} for s in report.sections}


def test_the_report_counts_as_by_hand_and_hides_small_cells(office):
    world, today = office
    with unit_of_work() as session:
        report = figures.build(session, [world.office_id], today - timedelta(days=30), today)
    values = shown(report)
    assert values["intake"] == {
        "Haushalte aufgenommen": "6", "Personen in diesen Haushalten": "12",
        "Haushalte aus Eving": "6", "Haushalte aus Scharnhorst": "0",  # both served districts
    }  # fmt: skip
    assert values["consultations"] == {
        "Kontakte (Besuche)": "6", "Personen": "6", "ohne Termin": "6", "mit Sprachmittlung": "0",
        "Kontakte: Büro Eving/Scharnhorst": "6",
    }  # fmt: skip
    assert values["visits"] == {"Willkommensbesuche": "< 5", "Nachbesuche": "0"}
    assert values["referrals"] == {
        "Energieberatung: zusammen": "5",
        "Energieberatung: erledigt": "5",
        "Schule und Schulamt: zusammen": "< 5",
        "Schule und Schulamt: gesendet": "< 5",
    }
    assert values["registration"] == {
        "Anmeldungen erledigt": "5",
        "davon innerhalb von 14 Tagen nach dem Einzug": "80 %",
    }
    assert values["durations"]["Anmeldung beim Bürgeramt"] == "2"  # 2, 2, 2, 2, 20 days
    assert values["durations"]["Strom- und Gasvertrag"] == "–"  # none done: withheld
    assert values["obstacles"] == {
        "Kein Kita-Platz: Fälle": "< 5",
        "Kein Kita-Platz: am Ende offen": "< 5",
    }
    assert report.offices == ["Eving/Scharnhorst"]

    rows = list(csv.reader(io.StringIO(exports.as_csv(report).decode("utf-8-sig")), delimiter=";"))
    assert rows[1] == ["Bereich", "Kennzahl", "Wert"]
    from_csv = {(r[0], r[1]): r[2] for r in rows[2:]}
    sheet = load_workbook(io.BytesIO(exports.as_xlsx(report))).active
    from_xlsx = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=3, values_only=True)}  # type: ignore[union-attr]
    for section in report.sections:
        for row in section.rows:
            assert from_csv[(section.title, row.label)] == row.cell.text()
            assert from_xlsx[(section.title, row.label)] == row.cell.number()
    assert from_xlsx[("Aufnahme", "Haushalte aufgenommen")] == 6  # a number to sum with
    assert from_xlsx[("Hausbesuche", "Willkommensbesuche")] == "< 5"
    assert (
        from_xlsx[("Anmeldung beim Bürgeramt", "davon innerhalb von 14 Tagen nach dem Einzug")]
        == 0.8
    )
    everything = exports.as_csv(report).decode("utf-8-sig") + repr(list(sheet.values))  # type: ignore[union-attr]
    assert not any(name in everything for name in NAMES)


def test_another_office_and_an_earlier_period_count_nothing(office):
    world, today = office
    with unit_of_work() as session:
        other = figures.build(session, [world.office_id + 99], today - timedelta(days=30), today)
        earlier = figures.build(
            session, [world.office_id], today - timedelta(days=300), today - timedelta(days=100)
        )
    for report in (other, earlier):
        intake = shown(report)["intake"]
        assert intake["Haushalte aufgenommen"] == intake["Personen in diesen Haushalten"] == "0"
        assert shown(report)["registration"]["davon innerhalb von 14 Tagen nach dem Einzug"] == "–"
    assert shown(earlier)["intake"]["Haushalte aus Eving"] == "0"
    assert not any(label.startswith("Haushalte aus") for label in shown(other)["intake"])


@pytest.mark.parametrize(
    ("cell", "text", "number"),
    [
        (Cell.count(0), "0", 0),
        (Cell.count(1), "< 5", "< 5"),
        (Cell.count(4), "< 5", "< 5"),
        (Cell.count(5), "5", 5),
        (Cell("share", 0.5, 4), "–", "–"),
        (Cell("share", 0.666, 6), "67 %", 0.666),
        (Cell("median", 12.0, 4), "–", "–"),
        (Cell("median", 12.5, 5), "12", 12.5),
        (Cell("median", None, 0), "–", "–"),
    ],
)
def test_a_cell_shows_no_small_numbers(cell, text, number):
    assert (cell.text(), cell.number()) == (text, number)


def texts(cells: list[Cell]) -> list[str]:
    return [cell.text() for cell in cells]


@pytest.mark.parametrize(
    ("total", "parts", "shown"),
    [
        (7, [6, 1], ["x", "< 5"]),  # 7 − 6 would give the 1 away
        (12, [5, 6, 1], ["x", "6", "< 5"]),  # the smallest other part is covered
        (9, [2, 3, 4], ["< 5", "< 5", "< 5"]),  # several small parts: none can be told apart
        (6, [5], ["x"]),  # the rest (1) is small: the one part is covered
        (10, [5, 5], ["5", "5"]),  # nothing small
        (8, [8, 0], ["8", "0"]),  # none in one district is no small number
        (3, [3, 0], ["< 5", "0"]),  # the total itself is hidden
    ],
)
def test_no_small_number_can_be_worked_out_from_a_total(total, parts, shown):
    assert texts(protect(Cell.count(total), [Cell.count(n) for n in parts])) == shown


def test_a_referral_outcome_of_one_is_not_given_away_by_the_category_total(office):
    """Six energy referrals, five done and one withdrawn: the one is "< 5", and "done" is
    covered, or 6 − 5 would show it — on the page, in the CSV and in the XLSX."""
    world, today = office
    case_id = world.open_case(family_name="Rahimi")
    with unit_of_work() as session:
        session.add(Referral(case_id=case_id, partner_id=world.partner_id,
                             status=ReferralStatus.WITHDRAWN))  # fmt: skip
    with unit_of_work() as session:
        report = figures.build(session, [world.office_id], today - timedelta(days=30), today)
    referrals = shown(report)["referrals"]
    assert referrals["Energieberatung: zusammen"] == "6"
    assert referrals["Energieberatung: erledigt"] == "x"
    assert referrals["Energieberatung: zurückgezogen"] == "< 5"
    rows = list(csv.reader(io.StringIO(exports.as_csv(report).decode("utf-8-sig")), delimiter=";"))
    assert [r[2] for r in rows[2:] if r[1] == "Energieberatung: erledigt"] == ["x"]
    sheet = load_workbook(io.BytesIO(exports.as_xlsx(report))).active
    values = {r[1]: r[2] for r in sheet.iter_rows(min_row=3, values_only=True)}  # type: ignore[union-attr]
    assert values["Energieberatung: erledigt"] == "x"


def test_a_period_backwards_or_too_long_is_refused(world):
    today = berlin(utc_now()).date()
    with unit_of_work() as session:
        with pytest.raises(figures.PeriodRefused, match="Ende liegt vor dem Anfang"):
            figures.build(session, None, today, today - timedelta(days=1))
        with pytest.raises(figures.PeriodRefused, match="Höchstens 400 Tage"):
            figures.build(session, None, today - timedelta(days=400), today)
