"""``willkommen cases``: the work list, one case in full, and moving a case on."""

from datetime import date, datetime
from typing import Annotated

import typer
from rich.text import Text
from sqlalchemy import ColumnElement, exists, func
from sqlmodel import Session, col, select

from cli.case_view import due_text, render_case, short_step
from cli.console import (
    PlainTable,
    fail,
    out,
    parse_case_id,
    parse_local_time,
    readable_errors,
    staff_by_email,
)
from core.clock import utc_now
from core.db import unit_of_work
from models import Case, CaseStep, Household, Office
from workflows.casework import household as household_edits
from workflows.engine import advance
from workflows.engine.definition import get_workflow
from workflows.move_in import step_label
from workflows.move_in.states import (
    CASE_STATE_LABELS,
    OPEN_STEP_STATES,
    STEP_STATE_LABELS,
    CaseState,
    StepKind,
    StepState,
)

app = typer.Typer(
    help="Fälle ansehen und weiterschalten (Arbeitsliste, Fallakte, Zustandswechsel).",
    no_args_is_help=True,
)

CaseId = Annotated[
    int,
    typer.Argument(
        parser=parse_case_id,
        metavar="CASE",
        help="Fallnummer, z. B. 42 oder LW-000042.",
        show_default=False,
    ),
]


@app.command("list")
def list_cases(
    office: Annotated[
        str | None, typer.Option(help="Nur dieses Büro (Kürzel, z. B. eving-scharnhorst).")
    ] = None,
    state: Annotated[
        CaseState | None,
        typer.Option(help="Nur Fälle in diesem Zustand. Ohne Angabe: alle nicht abgeschlossenen."),
    ] = None,
    step: Annotated[
        StepKind | None, typer.Option(help="Nur Fälle, in denen dieser Schritt offen ist.")
    ] = None,
    overdue: Annotated[
        bool, typer.Option("--overdue", help="Nur Fälle mit überschrittener Frist.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, help="Höchstens so viele Fälle zeigen.")] = 50,
) -> None:
    """Arbeitsliste: Fälle nach nächster Frist sortiert, Überfälliges zuerst und markiert."""
    now = utc_now()
    with readable_errors(), unit_of_work() as session:
        filters = _filters(session, office, state, step, overdue, now)
        total = session.exec(select(func.count()).select_from(Case).where(*filters)).one()
        query = (
            select(Case, Household.family_name, Office.name)
            .join(Household, col(Household.id) == Case.household_id)
            .join(Office, col(Office.id) == Case.office_id)
            .where(*filters)
            .order_by(col(Case.next_due_at).is_(None), col(Case.next_due_at), col(Case.id))
            .limit(limit)
        )
        rows = list(session.exec(query))
        steps = _open_steps(session, [case.id for case, _, _ in rows if case.id is not None])
    table = PlainTable(title="Fälle", caption=f"{len(rows)} von {total} Fällen")
    for header in ("Fall", "Familie", "Büro", "Zustand", "Offene Schritte", "Nächste Frist"):
        table.add_column(header, no_wrap=header in ("Fall", "Nächste Frist"))
    for case, family_name, office_name in rows:
        open_steps = Text(", ").join(
            Text(short_step(s.kind), style="red" if s.due_at and s.due_at < now else "")
            for s in steps.get(case.id, [])  # type: ignore[arg-type]
        )
        table.add_row(
            case.number,
            family_name,
            office_name,
            CASE_STATE_LABELS.get(case.state, case.state),
            open_steps,
            due_text(case.next_due_at, now),
        )
    out().print(table)


def _filters(
    session: Session,
    office: str | None,
    state: CaseState | None,
    step: StepKind | None,
    overdue: bool,
    now: datetime,
) -> list[ColumnElement[bool]]:
    filters: list[ColumnElement[bool]] = []
    if office is not None:
        found = session.exec(select(Office).where(Office.code == office)).first()
        if found is None:
            codes = ", ".join(session.exec(select(Office.code).order_by(Office.code)))
            fail(f"Unbekanntes Büro '{office}'. Bekannt sind: {codes or 'keine'}.")
        filters.append(col(Case.office_id) == found.id)
    if state is not None:
        filters.append(col(Case.state) == state.value)
    else:
        filters.append(col(Case.state) != CaseState.CLOSED.value)
    if step is not None:
        filters.append(
            exists().where(
                col(CaseStep.case_id) == col(Case.id),
                col(CaseStep.kind) == step.value,
                col(CaseStep.state).in_(OPEN_STEP_STATES),
            )
        )
    if overdue:
        filters.append(col(Case.next_due_at) < now)
    return filters


def _open_steps(session: Session, case_ids: list[int]) -> dict[int, list[CaseStep]]:
    query = select(CaseStep).where(
        col(CaseStep.case_id).in_(case_ids), col(CaseStep.state).in_(OPEN_STEP_STATES)
    )
    grouped: dict[int, list[CaseStep]] = {}
    for step in session.exec(query.order_by(col(CaseStep.due_at), col(CaseStep.id))):
        grouped.setdefault(step.case_id, []).append(step)
    return grouped


@app.command("show")
def show_case(case: CaseId) -> None:
    """Fallakte: Haushalt, Schritte, mögliche Aktionen (mit Gründen), Termine, Verlauf."""
    with readable_errors(), unit_of_work() as session:
        render_case(session, case, out())


@app.command("advance")
def advance_case(
    case: CaseId,
    trigger: Annotated[
        str,
        typer.Argument(
            help="Was geschehen ist, z. B. schedule_welcome_visit oder complete_registration. "
            "Die möglichen zeigt `willkommen cases show CASE`.",
            metavar="TRIGGER",
            show_default=False,
        ),
    ],
    actor: Annotated[
        str,
        typer.Option(
            help="E-Mail der Person, die handelt (steht im Verlauf).",
            show_default=False,
        ),
    ],
    note: Annotated[
        str | None, typer.Option(help="Notiz oder Grund (z. B. beim Entfallen).")
    ] = None,
    at: Annotated[
        datetime | None,
        typer.Option(
            parser=parse_local_time,
            metavar="ZEIT",
            help='Termin in Ortszeit Berlin, z. B. "2026-12-01 10:00" oder "01.12.2026 10:00".',
        ),
    ] = None,
    on: Annotated[
        str | None,
        typer.Option(metavar="TAG", help="Wiedervorlage bei Warteliste, z. B. 2027-03-01."),
    ] = None,
    done_on: Annotated[
        str | None,
        typer.Option(metavar="TAG", help="Tag, an dem ein Schritt wirklich erledigt wurde."),
    ] = None,
    expected_version: Annotated[
        int | None,
        typer.Option(
            help="Nur ausführen, wenn der Fall noch diese Version hat (sonst Abbruch).",
        ),
    ] = None,
) -> None:
    """Einen Fall weiterschalten: Termin planen, Schritt erledigen, weitervermitteln, schließen."""
    with readable_errors(), unit_of_work() as session:
        staff = staff_by_email(session, actor)
        changed = advance(
            session,
            case,
            trigger,
            actor_id=staff.id,
            note=note,
            at=at,
            on=_day("--on", on),
            happened_on=_day("--done-on", done_on),
            expected_version=expected_version,
        )
        result = _outcome(session, changed, trigger)
    out().print(Text(result), soft_wrap=True)


def _day(option: str, text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise typer.BadParameter(f"{option}: ein Datum wie 2027-03-01.") from None


@app.command("household")
def edit_household(
    case: CaseId,
    actor: Annotated[
        str,
        typer.Option(help="E-Mail der Person, die ändert (steht im Verlauf).", show_default=False),
    ],
    street: Annotated[str | None, typer.Option(help="Straße und Hausnummer.")] = None,
    postal_code: Annotated[str | None, typer.Option(help="Postleitzahl (44…).")] = None,
    email: Annotated[str | None, typer.Option(help='E-Mail des Haushalts; "" leert sie.')] = None,
    phone: Annotated[str | None, typer.Option(help='Telefon; "" leert es.')] = None,
    languages: Annotated[
        str | None, typer.Option(help="Sprachen, bevorzugte zuerst, z. B. ar,de.")
    ] = None,
    expected_birth_on: Annotated[
        str | None, typer.Option(help='Geburt erwartet am, z. B. 2027-03-01; "" leert es.')
    ] = None,
    expected_version: Annotated[
        int | None, typer.Option(help="Nur ändern, wenn der Fall noch diese Version hat.")
    ] = None,
) -> None:
    """Haushaltsdaten korrigieren; danach werden die Schritte neu geprüft (wie auf der Seite)."""
    given = {
        "street": street, "postal_code": postal_code, "email": email, "phone": phone,
        "expected_birth_on": expected_birth_on,
        "languages": languages.replace(" ", "").split(",") if languages is not None else None,
    }  # fmt: skip
    fields = {k: (v or None) for k, v in given.items() if v is not None}
    with readable_errors(), unit_of_work() as session:
        staff = staff_by_email(session, actor)
        found = household_edits.edit_household(
            session, case, household_edits.parse(household_edits.HouseholdEdit, fields),
            actor_id=staff.id, expected_version=expected_version,
        )  # fmt: skip
    lines = ["Haushalt gespeichert."]
    lines += [f"Geöffnet: {step_label(k)}" for k in found.opened]
    lines += [f"Kommt jetzt in Frage: {step_label(k)}" for k in found.offered]
    lines += [f"Trifft nicht mehr zu: {step_label(k)}" for k in found.flagged]
    out().print(Text("\n".join(lines)), soft_wrap=True)


def _outcome(session: Session, case: Case, trigger: str) -> str:
    state = CASE_STATE_LABELS.get(case.state, case.state)
    line = f"{case.number}: {state} ({case.state}), Version {case.version}"
    step = get_workflow(case.workflow, case.workflow_version).step_trigger(trigger)
    if step is not None:
        row = session.exec(
            select(CaseStep).where(CaseStep.case_id == case.id, CaseStep.kind == step[1])
        ).first()
        step_state = row.state if row else StepState.INACTIVE.value
        line += f" · {short_step(step[1])}: {STEP_STATE_LABELS.get(step_state, step_state)}"
    return line
