"""``willkommen workflow``: the workflow definitions — check files, print the schema, read the
steps of a version in plain German."""

import json
from pathlib import Path
from typing import Annotated

import typer
from sqlmodel import select

from cli.console import PlainTable, fail, out
from core.db import unit_of_work
from models import Office
from models.enums import PARTNER_CATEGORY_LABELS
from workflows.definitions import loading, migration, variants
from workflows.definitions.schema import DefinitionSpec, LifecycleFileSpec
from workflows.definitions.words import COUNTED_FROM
from workflows.engine.definition import get_workflow
from workflows.installed import definition_files, registry_for

app = typer.Typer(help="Workflow-Definitionen prüfen und lesen.", no_args_is_help=True)


def _check(path: Path) -> tuple[loading.Spec | None, list[loading.Problem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [loading.Problem("(Datei)", f"nicht lesbar: {exc}")]
    spec, problems = loading.parse(text)
    if spec is None:
        return None, problems
    registry = registry_for(spec.name)
    if registry is None:
        return spec, [loading.Problem("name", f"kein installierter Workflow „{spec.name}“")]
    return spec, loading.check(spec, registry)


@app.command()
def check(
    files: Annotated[
        list[Path] | None,
        typer.Argument(help="Definitionsdateien (TOML); ohne Angabe: alle installierten."),
    ] = None,
) -> None:
    """Definitionsdateien prüfen: jeder Fehler mit seiner Stelle in der Datei; Exit-Code 1 bei
    einem Fehler."""
    paths = files or definition_files()
    failed = 0
    for path in paths:
        spec, problems = _check(path)
        if problems:
            failed += 1
            out().print(f"[bold red]{path}[/]: {len(problems)} Fehler", soft_wrap=True)
            for problem in problems:
                out().print(f"  {path.name}: {problem}", soft_wrap=True, markup=False)
        elif isinstance(spec, LifecycleFileSpec):
            cycle = spec.lifecycle
            summary = (
                f"{spec.name} v{spec.version}: {len(cycle.states)} Zustände, "
                f"{len(cycle.transitions)} Übergänge"
            )
            out().print(f"[green]in Ordnung[/] {path.name} ({summary})", soft_wrap=True)
        elif spec is not None:
            summary = (
                f"{spec.name} v{spec.version}: {len(spec.case.states)} Fallzustände, "
                f"{len(spec.case.transitions)} + {len(spec.step.transitions)} Übergänge, "
                f"{len(spec.steps)} Schritte"
            )
            out().print(f"[green]in Ordnung[/] {path.name} ({summary})", soft_wrap=True)
    if failed:
        raise typer.Exit(1)


@app.command()
def schema() -> None:
    """Das Schema einer Definitionsdatei als JSON Schema."""
    typer.echo(json.dumps(DefinitionSpec.model_json_schema(), ensure_ascii=False, indent=2))


@app.command()
def steps(
    file: Annotated[
        Path | None, typer.Argument(help="Eine Definitionsdatei; ohne Angabe: die aktuelle.")
    ] = None,
    office: Annotated[
        str | None,
        typer.Option(help="Die aktuelle Version, wie dieses Büro (Kürzel) sie variiert."),
    ] = None,
) -> None:
    """Die Schritte einer Version auf Deutsch: wann sie gelten, wann sie fällig sind, wer
    erinnert wird — mit --office so, wie ein Büro sie variiert (mit seinen eigenen Schritten)."""
    if office is not None:
        _office_steps(office)
        return
    path = file or definition_files("move_in")[-1]
    spec, problems = _check(path)
    if spec is None or problems:
        fail(f"{path.name}: {len(problems)} Fehler – erst `willkommen workflow check` ausführen.")
    if not isinstance(spec, DefinitionSpec):
        fail(f"{path.name}: ein Workflow ohne Schritte ({spec.title}).")
    table = PlainTable(title=f"{spec.title} (Version {spec.version})")
    for column in ("Schritt", "Frist", "Erinnerung an den Haushalt", "Weitervermittlung"):
        table.add_column(column)
    for item in spec.steps:
        due = f"{item.due.days} Tage {COUNTED_FROM[item.due.counted_from]}"
        if item.due.law:
            due += f" ({item.due.law})"
        reminded = ", ".join(f"{r.days_before} Tage vorher" for r in item.reminders) or "–"
        partner = (
            PARTNER_CATEGORY_LABELS.get(item.partner_category) if item.partner_category else None
        )
        table.add_row(item.label, due, reminded, partner or "–")
    out().print(table)


def _office_steps(code: str) -> None:
    from workflows.move_in import CURRENT

    with unit_of_work() as session:
        found = session.exec(select(Office).where(Office.code == code)).first()
        if found is None or found.id is None:
            fail(f"Kein Büro mit dem Kürzel „{code}“.")
        revision = variants.current(session, found.id, CURRENT.name)
        effective = variants.effective(session, found.id, CURRENT)
    stand = f"Stand {revision.revision}" if revision else "ohne Variante"
    table = PlainTable(title=f"{CURRENT.title} (Version {CURRENT.version}) – {found.name}, {stand}")
    for column in ("Schritt", "Frist", "Erinnerung an den Haushalt", "Weitervermittlung"):
        table.add_column(column)
    for step in effective.steps.values():
        due = f"{step.due.days} Tage {COUNTED_FROM[step.due.counted_from]}"
        if step.due.law:
            due += f" ({step.due.law})"
        reminded = ", ".join(f"{r.days_before} Tage vorher" for r in step.reminders) or "–"
        category = step.partner_category
        partner = PARTNER_CATEGORY_LABELS.get(category) if category else None  # type: ignore[call-overload]
        label = f"{step.label} (eigener Schritt)" if step.local else step.label
        table.add_row(label, due, reminded, partner or "–")
    out().print(table)


@app.command()
def migrate(
    to: Annotated[int, typer.Option("--to", min=2, help="Die Zielversion.")],
    workflow: Annotated[str, typer.Option(help="Der Workflow.")] = "move_in",
    office: Annotated[str | None, typer.Option(help="Nur dieses Büro (Kürzel).")] = None,
    run: Annotated[
        bool, typer.Option("--run", help="Wirklich umstellen (ohne: nur die Vorschau).")
    ] = False,
) -> None:
    """Laufende Fälle auf eine neue Version umstellen: ohne --run nur die Vorschau – je Fall
    von welchem Zustand in welchen, neue Schritte, geänderte Erinnerungen, und welche Fälle
    bleiben und warum. Mit --run: jeder Fall in einer eigenen Transaktion, im Verlauf vermerkt."""
    try:
        target = get_workflow(workflow, to)
    except LookupError:
        fail(f"Version {to} von „{workflow}“ ist nicht installiert.")
    registry = registry_for(workflow)
    with unit_of_work() as session:
        office_ids = None
        if office is not None:
            found = session.exec(select(Office.id).where(Office.code == office)).first()
            if found is None:
                fail(f"Kein Büro mit dem Kürzel „{office}“.")
            office_ids = [found]
        plans = migration.dry_run(session, target, office_ids)
    if run:
        reschedule = registry.reschedule if registry else None
        plans = migration.run(target, office_ids=office_ids, reschedule=reschedule)
    for plan in plans:
        for line in migration.describe(plan, target):
            out().print(line, soft_wrap=True, markup=False)
    moved = sum(plan.moves for plan in plans)
    verb = "umgestellt" if run else "würden umgestellt"
    out().print(f"{moved} von {len(plans)} Fällen {verb}; {len(plans) - moved} bleiben.")
