"""``willkommen report``: the report for the council and the funders from the command line —
the same figures as the page, counts under 5 as "< 5", no names — as a table, CSV or XLSX."""

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlmodel import select

from cli.console import PlainTable, err, fail, out, readable_errors
from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Office
from workflows.reports import exports, figures

SECTIONS = 7  # the steps figures.build reports progress for


class Format(StrEnum):
    TABLE = "table"
    CSV = "csv"
    XLSX = "xlsx"


def _day(text: str | None, name: str) -> date | None:
    if text is None:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        fail(f"{name}: bitte ein Datum wie 2026-12-01 angeben, nicht „{text}“.")


def report(
    first: Annotated[
        str | None, typer.Option("--from", help="Erster Tag (JJJJ-MM-TT); Standard: 1. Januar.")
    ] = None,
    last: Annotated[
        str | None, typer.Option("--to", help="Letzter Tag (JJJJ-MM-TT); Standard: heute.")
    ] = None,
    office: Annotated[
        str | None, typer.Option(help="Kürzel des Büros, z. B. eving-scharnhorst; ohne: alle.")
    ] = None,
    form: Annotated[Format, typer.Option("--format", help="table, csv oder xlsx.")] = Format.TABLE,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Datei (für xlsx nötig); ohne: Ausgabe.")
    ] = None,
) -> None:
    """Bericht für einen Zeitraum: Aufnahmen, Sprechstunden, Hausbesuche, Weitervermittlungen,
    Anmeldungen in 14 Tagen, Dauer je Schritt, Hemmnisse. Ohne Namen; 1–4 als „< 5“, „x“ wo sie
    sich errechnen ließen."""
    today = berlin(utc_now()).date()
    end = _day(last, "--to") or today
    start = _day(first, "--from") or min(today.replace(month=1, day=1), end)
    if form == Format.XLSX and output is None:
        fail("Für --format xlsx bitte mit --output eine Datei angeben.")
    with readable_errors(), unit_of_work() as session:
        office_ids = None
        if office is not None:
            found = session.exec(select(Office).where(Office.code == office)).first()
            if found is None:
                codes = ", ".join(session.exec(select(Office.code).order_by(Office.code)))
                fail(f"Kein Büro mit dem Kürzel „{office}“. Bekannt: {codes}.")
            office_ids = [found.id]
        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            console=err(), transient=True, disable=not sys.stderr.isatty(),
        ) as progress:  # fmt: skip
            task = progress.add_task("Bericht", total=SECTIONS)

            def step(name: str) -> None:
                progress.update(task, advance=1, description=name)

            try:
                built = figures.build(session, office_ids, start, end, progress=step)  # type: ignore[arg-type]
            except figures.PeriodRefused as exc:
                fail(str(exc))
    if form == Format.TABLE:
        _print(built)
        return
    body = exports.as_csv(built) if form == Format.CSV else exports.as_xlsx(built)
    if output is None:
        sys.stdout.buffer.write(body)
        return
    output.write_bytes(body)
    err().print(f"Bericht geschrieben: {output}", soft_wrap=True)


def _print(built: figures.Report) -> None:
    offices = ", ".join(built.offices)
    out().print(
        f"Bericht {built.first:%d.%m.%Y}–{built.last:%d.%m.%Y} ({offices})", highlight=False
    )
    for section in built.sections:
        table = PlainTable(title=section.title)
        table.add_column("Kennzahl")
        table.add_column("Wert", justify="right")
        for row in section.rows:
            table.add_row(row.label, row.cell.text())
        out().print(table)
