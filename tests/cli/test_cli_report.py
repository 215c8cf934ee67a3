"""``willkommen report``: the table, the CSV and the XLSX hold what the service counts, small
cells as "< 5"; wrong dates, an unknown office and XLSX without a file are one clear line."""

import csv
import io
from datetime import timedelta

from openpyxl import load_workbook
from typer.testing import CliRunner

from cli.main import app
from core.db import unit_of_work
from tests.workflows.reports.conftest import NAMES, office  # noqa: F401  (the fixture)
from workflows.reports import figures

runner = CliRunner(env={"COLUMNS": "250"})


def test_the_report_as_table_csv_and_xlsx(office, tmp_path):  # noqa: F811
    world, today = office
    period = ["--from", (today - timedelta(days=30)).isoformat(), "--to", today.isoformat()]
    mine = [*period, "--office", "eving-scharnhorst"]
    table = runner.invoke(app, ["report", *mine])
    assert table.exit_code == 0, table.output
    assert "Eving/Scharnhorst" in table.output
    assert "Haushalte aufgenommen" in table.output and "< 5" in table.output
    assert "80 %" in table.output
    assert not any(name in table.output for name in NAMES)

    with unit_of_work() as session:
        expected = figures.build(session, [world.office_id], today - timedelta(days=30), today)
    shown = {(s.title, r.label): r.cell for s in expected.sections for r in s.rows}

    written = runner.invoke(
        app, ["report", *mine, "--format", "csv", "-o", str(tmp_path / "b.csv")]
    )
    assert written.exit_code == 0, written.output
    rows = list(csv.reader(io.StringIO((tmp_path / "b.csv").read_text("utf-8-sig")), delimiter=";"))
    assert {(r[0], r[1]): r[2] for r in rows[2:]} == {k: c.text() for k, c in shown.items()}

    book = runner.invoke(app, ["report", *mine, "--format", "xlsx", "-o", str(tmp_path / "b.xlsx")])
    assert book.exit_code == 0, book.output
    sheet = load_workbook(tmp_path / "b.xlsx").active
    read = {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=3, values_only=True)}  # type: ignore[union-attr]
    assert read == {k: c.number() for k, c in shown.items()}


def test_wrong_input_is_one_clear_line(world):
    cases = [
        (["--from", "gestern"], "--from: bitte ein Datum wie 2026-12-01 angeben"),
        (["--from", "2026-12-01", "--to", "2026-11-01"], "Das Ende liegt vor dem Anfang."),
        (
            ["--office", "atlantis"],
            "Kein Büro mit dem Kürzel „atlantis“. Bekannt: eving-scharnhorst.",
        ),
        (["--format", "xlsx"], "Für --format xlsx bitte mit --output eine Datei angeben."),
    ]
    for arguments, message in cases:
        result = runner.invoke(app, ["report", *arguments])
        assert result.exit_code == 1, (arguments, result.output)
        assert message in " ".join(result.output.split()), (arguments, result.output)
