"""``willkommen``: the command line of lokal willkommen (console script ``cli.main:app``)."""

import atexit
import os
import sys
from enum import StrEnum
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table
from rich.text import Text
from sqlmodel import col, select

from cli import cases
from cli import messages as messages_cli
from cli import report as report_cli
from cli import staff as staff_cli
from cli import workflow as workflow_cli
from cli.console import PlainTable, database_label, err, fail, out, readable_errors
from cli.demo import DEMO_PASSWORD, DemoSummary, load_demo
from cli.demo_data import STAFF
from cli.dev import AlreadyRunning, Stack, claim, stop_on_signals
from core.config import get_settings
from core.db import unit_of_work
from core.migrate import current_revision, upgrade
from core.secrets import WeakSecrets
from models import Office, Staff
from models.enums import Employer
from workflows.engine import outbox
from workflows.engine.diagram import as_text, mermaid, readable
from workflows.installed import register_all
from workflows.move_in import CURRENT
from workflows.move_in.states import CASE_STATE_LABELS, STEP_STATE_LABELS

register_all()
# A command ends right after its commit: let the relay thread publish what it committed first.
atexit.register(outbox.settle, 10)

app = typer.Typer(
    name="willkommen",
    help="lokal willkommen – Fallbearbeitung für das Dortmunder Integrationsnetzwerk.\n\n"
    "Datenbank aus WILLKOMMEN_DATABASE_URL, sonst SQLite in WILLKOMMEN_DATA_DIR (var/).",
    no_args_is_help=True,
    add_completion=False,
    # Locals in a traceback could show households' personal data.
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="Datenbankschema verwalten.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(cases.app, name="cases")
app.add_typer(staff_cli.app, name="staff")
app.add_typer(messages_cli.app, name="messages")
app.command("report")(report_cli.report)
app.add_typer(workflow_cli.app, name="workflow")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Schema auf den neuesten Stand bringen (Alembic "upgrade head")."""
    with readable_errors():
        upgrade()
        revision = current_revision()
    out().print(f"Datenbank {database_label()} ist auf Revision {revision}.", soft_wrap=True)


@app.command()
def demo(
    households: Annotated[
        int,
        typer.Option(
            min=0,
            max=5000,
            help="So viele Haushalte (mit Fall) kommen neu hinzu.",
        ),
    ] = 40,
    seed: Annotated[
        int,
        typer.Option(
            help="Startwert des Zufalls: gleiche Zahl, gleiche Demodaten (in leerer Datenbank).",
        ),
    ] = 1,
) -> None:
    """Demodaten laden: sieben Büros mit Personal, Partnern, Ehrenamtlichen und Runden Tischen
    (nur einmal) und neue Haushalte.

    Das Schema wird vorher aktualisiert. Alle Personen sind erfunden; die Fälle werden über die
    Workflow-Engine bis heute durchgespielt, so dass jeder Zustand vorkommt.
    """
    if get_settings().environment == "production":
        fail("Demodaten werden in production nicht geladen.")
    with readable_errors():
        upgrade()
        progress = Progress(
            TextColumn("Haushalte"),
            BarColumn(),
            MofNCompleteColumn(),
            console=err(),
            transient=True,
        )
        with progress:
            task = progress.add_task("households", total=households)
            summary = load_demo(
                households, seed, lambda done, _total: progress.update(task, completed=done)
            )
        _print_summary(summary)
        _print_logins()
        outbox.settle(30)
        with unit_of_work() as session:
            waiting = outbox.pending_count(session)
        if waiting:
            out().print(
                f"{waiting} Nachrichten (Weitervermittlungen, Erinnerungen) warten im Postausgang "
                "auf den Broker; sie gehen hinaus, sobald Redis und ein Worker laufen.",
                soft_wrap=True,
            )


def _print_summary(summary: DemoSummary) -> None:
    console = out()
    console.print(
        f"Neu: {summary.offices_added} Büros, {summary.staff_added} Mitarbeitende, "
        f"{summary.partners_added} Partner, {summary.households_added} Haushalte.",
        soft_wrap=True,
    )
    totals = summary.totals
    console.print(
        f"Insgesamt: {totals['offices']} Büros, {totals['staff']} Mitarbeitende, "
        f"{totals['partners']} Partner, {totals['households']} Haushalte, "
        f"{totals['cases']} Fälle.",
        soft_wrap=True,
    )
    table = Table(title="Fälle nach Zustand", title_justify="left")
    table.add_column("Zustand")
    table.add_column("Fälle", justify="right")
    for state, label in CASE_STATE_LABELS.items():
        table.add_row(f"{label} ({state})", str(summary.cases_by_state.get(state, 0)))
    console.print(table)


def _print_logins() -> None:
    with unit_of_work() as session:
        offices = {o.id: o.name for o in session.exec(select(Office))}
        query = select(Staff).order_by(
            col(Staff.office_id).is_(None), col(Staff.office_id), col(Staff.id)
        )
        staff = list(session.exec(query))
    table = PlainTable(
        title=f"Demo-Zugänge (E-Mail = Login, Passwort für alle: {DEMO_PASSWORD})",
        title_justify="left",
        box=None,
        padding=(0, 2, 0, 0),
    )
    table.add_column("E-Mail", no_wrap=True)
    table.add_column("Name, Rolle, Arbeitgeber")
    current: int | None | str = "-"
    for person in staff:
        if person.office_id != current:
            current = person.office_id
            table.add_row(Text(offices.get(person.office_id, "Alle Büros"), style="bold"))
        employer = "Stadt" if person.employer == Employer.CITY else person.employer_name
        table.add_row(person.email, f"{person.name}, {person.role}, {employer}")
    out().print(table)


@app.command()
def dev(
    households: Annotated[
        int, typer.Option(min=0, max=5000, help="Demo-Haushalte, falls die Datenbank leer ist.")
    ] = 40,
    flower: Annotated[bool, typer.Option(help="Flower für die Warteschlangen starten.")] = True,
) -> None:
    """Das ganze Produkt lokal: Datenbank, Demodaten, Web, Redis, Worker, Beat, Flower, Mails.

    Ohne WILLKOMMEN_BROKER_URL startet ein privates Redis (Unix-Socket im Datenverzeichnis).
    E-Mails landen als .eml-Dateien in <Datenverzeichnis>/mail. Strg-C beendet alles.
    """
    settings = get_settings()
    try:
        lock = claim(settings.data_dir.resolve())
    except AlreadyRunning as running:
        fail(
            f"lokal willkommen läuft schon mit diesem Datenverzeichnis ({settings.data_dir}, "
            f"Prozess {running}). Dort mit Strg-C beenden, oder WILLKOMMEN_DATA_DIR auf ein "
            "anderes Verzeichnis setzen."
        )
    stop_on_signals()
    with readable_errors():
        upgrade()
        with unit_of_work() as session:
            empty = session.exec(select(Office)).first() is None
    if empty and households:
        demo(households=households, seed=1)
    elif _has_demo_accounts():
        _print_logins()  # the demo is loaded already: show its accounts again
    stack = Stack(settings, flower=flower)
    try:
        stack.start()
        _print_stack(stack)
        died = stack.wait()
    finally:
        err().print("Beende alle Prozesse …")
        stack.stop()
    if died is not None:
        fail(f"Prozess '{died}' ist unerwartet beendet; siehe {stack.data_dir}/logs/{died}.log")
    err().print("Alles beendet.")
    del lock  # held until here


def _has_demo_accounts() -> bool:
    with unit_of_work() as session:
        emails = [person.email for person in STAFF]
        return session.exec(select(Staff).where(col(Staff.email).in_(emails))).first() is not None


def _print_stack(stack: Stack) -> None:
    s = stack.settings
    broker = (
        f"privates Redis in {stack.data_dir / 'redis'}" if stack.redis else "WILLKOMMEN_BROKER_URL"
    )
    lines = [
        "lokal willkommen läuft. Strg-C beendet alles.",
        f"  Web:         http://{s.web_host}:{s.web_port}  (Demo-Passwort: {DEMO_PASSWORD})",
        f"  Datenbank:   {database_label()}",
        f"  Broker:      {broker}",
        f"  E-Mails:     {stack.mail_dir}/*.eml (SMTP {s.smtp_host}:{s.smtp_port})",
        f"  Protokolle:  {stack.data_dir / 'logs'}",
    ]
    if stack.flower:
        lines.append(
            f"  Flower:      http://127.0.0.1:{s.flower_port}  "
            f"(Login {s.flower_user} / {s.flower_password.get_secret_value()})"
        )
    command = os.path.relpath(sys.argv[0])  # e.g. .venv/bin/willkommen under `make run`
    lines += [
        "",
        "Ausprobieren in einem zweiten Terminal:",
        f"  {command} cases list --overdue",
        f"  {command} cases show 1",
    ]
    out().print("\n".join(lines), soft_wrap=True, highlight=False)
    out().print("bereit", style="bold green")


@app.command()
def flower(
    port: Annotated[
        int | None, typer.Option(help="Port (Standard: WILLKOMMEN_FLOWER_PORT).")
    ] = None,
    address: Annotated[str, typer.Option(help="Adresse, an der Flower lauscht.")] = "127.0.0.1",
) -> None:
    """Flower für die Aufsicht starten: Worker, Aufgaben und Warteschlangen, nur mit Anmeldung.

    Zugangsdaten aus WILLKOMMEN_FLOWER_USER / WILLKOMMEN_FLOWER_PASSWORD; außerhalb der
    Entwicklung startet Flower mit dem Entwicklungspasswort nicht.
    """
    try:
        settings = get_settings()
    except WeakSecrets as exc:  # production with an example or development secret
        fail(str(exc))
    except ValueError as exc:  # pydantic's validation error: a setting that is not valid
        fail(str(exc).splitlines()[1].strip() if str(exc) else "Einstellungen ungültig.")
    if not settings.flower_user or not settings.flower_password.get_secret_value():
        fail("WILLKOMMEN_FLOWER_USER und WILLKOMMEN_FLOWER_PASSWORD setzen.")
    credentials = f"{settings.flower_user}:{settings.flower_password.get_secret_value()}"
    os.environ["FLOWER_BASIC_AUTH"] = credentials  # not on the command line: `ps` would show it
    command = [sys.executable, "-m", "core.flower",
               f"--address={address}", f"--port={port or settings.flower_port}"]  # fmt: skip
    os.execv(sys.executable, command)


class DiagramFormat(StrEnum):
    MERMAID = "mermaid"
    READABLE = "readable"
    TEXT = "text"


class Which(StrEnum):
    CASE = "case"
    STEP = "step"
    BOTH = "both"


@app.command()
def diagram(
    fmt: Annotated[
        DiagramFormat,
        typer.Option(
            "--format",
            help="mermaid: Übergangstabelle mit Bedingungen und Wirkungen; readable: Mermaid"
            " in den deutschen Bezeichnungen (wie unter /ablauf); text: dasselbe als Text.",
        ),
    ] = DiagramFormat.MERMAID,
    lifecycle: Annotated[
        Which,
        typer.Option(
            help="Fall-Lebenszyklus, Schritt-Lebenszyklus oder beide.",
        ),
    ] = Which.BOTH,
    state: Annotated[
        str | None,
        typer.Option(
            help="Diesen Zustand hervorheben, z. B. accompanying oder referred.",
        ),
    ] = None,
) -> None:
    """Zustandsdiagramme aus den Übergangstabellen der aktuellen Version des Workflows.

    mermaid: Kanten als Trigger [Bedingungen] / Wirkungen, interne Übergänge als Schleifen;
    readable und text: nur die deutschen Bezeichnungen, für Menschen.
    """
    chosen = [("case", CURRENT.case, CASE_STATE_LABELS), ("step", CURRENT.step, STEP_STATE_LABELS)]
    chosen = [entry for entry in chosen if lifecycle in (Which.BOTH, entry[0])]
    known = [str(s) for _, cycle, _ in chosen for s in cycle.states]
    if state is not None and state not in known:
        fail(f"Unbekannter Zustand '{state}'. Bekannt sind: {', '.join(known)}.")
    texts = []
    headings = {"case": "Fall", "step": "Jeder Schritt"}
    for name, cycle, labels in chosen:
        current = state if state in cycle.states else None
        if fmt is DiagramFormat.MERMAID:
            texts.append(mermaid(cycle, current=current, labels=labels))
        elif fmt is DiagramFormat.READABLE:
            texts.append(readable(cycle, current=current).mermaid)
        else:
            texts.append(f"{headings[name]}\n{as_text(cycle, current=current)}")
    typer.echo("\n".join(texts), nl=False)


if __name__ == "__main__":
    app()
