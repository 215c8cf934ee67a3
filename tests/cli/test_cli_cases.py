"""``willkommen cases list / show / advance`` on the demo data."""

from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import col, select
from typer.testing import CliRunner

from cli.main import app
from core.clock import BERLIN, berlin, utc_now
from core.db import unit_of_work
from models import Appointment, Case, CaseEvent, CaseStep, Household, Office, Staff
from models.enums import Role
from workflows.move_in.states import OPEN_STEP_STATES, CaseState


def cases_in(state: str) -> list[Case]:
    with unit_of_work() as session:
        query = select(Case).where(Case.state == state).order_by(col(Case.id))
        return list(session.exec(query))


def family_of(case: Case) -> str:
    with unit_of_work() as session:
        household = session.get(Household, case.household_id)
        assert household is not None
        return household.family_name


def caseworker_email(case: Case) -> str:
    with unit_of_work() as session:
        query = select(Staff.email).where(
            Staff.office_id == case.office_id, Staff.role == Role.CASEWORKER
        )
        return session.exec(query).first() or ""


def numbers_in(output: str) -> list[str]:
    return [word for word in output.split() if word.startswith("LW-")]


def test_list_shows_open_cases_by_next_due_date(demo_dir: Path, runner: CliRunner) -> None:
    """Given the demo, when the work list is shown, then it holds every case not closed, sorted by
    next due date, with family name and office, and overdue ones are marked."""
    result = runner.invoke(app, ["cases", "list", "--limit", "100"])

    assert result.exit_code == 0, result.output
    with unit_of_work() as session:
        query = select(Case).where(Case.state != CaseState.CLOSED)
        active = list(session.exec(query))
        overdue_exists = any(c.next_due_at and c.next_due_at < utc_now() for c in active)
    dues = {c.number: c.next_due_at for c in active}
    listed = numbers_in(result.output)
    assert sorted(listed) == sorted(dues)
    ordered = [due for n in listed if (due := dues[n]) is not None]
    assert ordered == sorted(ordered)
    assert family_of(active[0]) in result.output
    assert "Eving/Scharnhorst" in result.output
    assert ("überfällig" in result.output) == overdue_exists
    assert f"{len(active)} von {len(active)} Fällen" in result.output


def test_list_filters_by_state_office_step_and_overdue(demo_dir: Path, runner: CliRunner) -> None:
    """Given the demo, when the list is filtered, then only matching cases are shown."""
    closed = runner.invoke(app, ["cases", "list", "--state", "closed"])
    nord = runner.invoke(app, ["cases", "list", "--office", "innenstadt-nord", "--limit", "100"])
    school = runner.invoke(app, ["cases", "list", "--step", "school", "--limit", "100"])
    overdue = runner.invoke(app, ["cases", "list", "--overdue", "--limit", "100"])

    now = utc_now()
    with unit_of_work() as session:
        nord_id = session.exec(select(Office.id).where(Office.code == "innenstadt-nord")).one()
        cases = list(session.exec(select(Case)))
        with_school = set(
            session.exec(
                select(CaseStep.case_id).where(
                    CaseStep.kind == "school", col(CaseStep.state).in_(OPEN_STEP_STATES)
                )
            )
        )
    active = [c for c in cases if c.state != CaseState.CLOSED]
    assert sorted(numbers_in(closed.output)) == sorted(
        c.number for c in cases if c.state == CaseState.CLOSED
    )
    assert sorted(numbers_in(nord.output)) == sorted(
        c.number for c in active if c.office_id == nord_id
    )
    assert sorted(numbers_in(school.output)) == sorted(
        c.number for c in active if c.id in with_school
    )
    assert sorted(numbers_in(overdue.output)) == sorted(
        c.number for c in active if c.next_due_at and c.next_due_at < now
    )


def test_list_with_an_unknown_office_names_the_known_ones(
    demo_dir: Path, runner: CliRunner
) -> None:
    """Given the demo, when the list is asked for an office that does not exist, then it exits 1
    and names the office codes there are."""
    result = runner.invoke(app, ["cases", "list", "--office", "dorstfeld"])

    assert result.exit_code == 1
    assert "Unbekanntes Büro 'dorstfeld'" in result.output
    assert "eving-scharnhorst" in result.output


def test_show_prints_household_steps_options_and_history(demo_dir: Path, runner: CliRunner) -> None:
    """Given a closed demo case, when it is shown by its case number, then the household, its
    members, the steps, the appointments and the full history with actors are printed."""
    case = cases_in(CaseState.CLOSED)[0]
    with unit_of_work() as session:
        household = session.get(Household, case.household_id)
        events = list(session.exec(select(CaseEvent).where(CaseEvent.case_id == case.id)))
        actor = session.get(Staff, events[0].actor_id)
    assert household is not None and actor is not None

    result = runner.invoke(app, ["cases", "show", case.number])

    assert result.exit_code == 0, result.output
    out = result.output
    assert f"{case.number} · Familie {household.family_name} · Abgeschlossen" in out
    assert household.street in out
    for heading in ("Haushaltsmitglieder", "Schritte", "Termine", "Erinnerungen", "Verlauf"):
        assert heading in out
    assert "Anmeldung beim Bürgeramt" in out
    assert "Willkommensbesuch" in out and "Nachbesuch" in out
    for event in events:
        assert event.trigger in out
    assert actor.name in out
    assert "Mögliche Aktionen (cases advance): keine" in out  # a closed case offers nothing


def test_show_explains_why_a_trigger_is_refused(demo_dir: Path, runner: CliRunner) -> None:
    """Given a demo case just taken in, when it is shown by its bare number, then the welcome
    visit can be planned (with --at) and refused triggers come with their reason."""
    case = cases_in(CaseState.INTAKE)[0]

    result = runner.invoke(app, ["cases", "show", str(case.id)])

    assert result.exit_code == 0, result.output
    assert "schedule_welcome_visit" in result.output
    assert "braucht --at" in result.output
    assert "Für diesen Schritt ist keine Weitervermittlung vorgesehen." in result.output


def test_show_rejects_a_malformed_and_an_unknown_case_number(
    demo_dir: Path, runner: CliRunner
) -> None:
    """Given the demo, when a malformed or unknown case number is shown, then a clear message is
    printed, the exit code is not 0, and there is no traceback."""
    malformed = runner.invoke(app, ["cases", "show", "LW-abc"])
    unknown = runner.invoke(app, ["cases", "show", "LW-999999"])

    assert malformed.exit_code == 2
    assert "keine Fallnummer" in malformed.output
    assert unknown.exit_code == 1
    assert "Fall 999999 nicht gefunden." in unknown.output
    assert "Traceback" not in malformed.output + unknown.output


def test_advance_with_a_bad_trigger_exits_1_with_one_readable_line(
    demo_dir: Path, runner: CliRunner
) -> None:
    """Given a demo case, when an unknown trigger is applied, then the command exits 1 with one
    red line naming the possible triggers, no traceback, and the case is unchanged."""
    case = cases_in(CaseState.INTAKE)[0]

    result = runner.invoke(
        app, ["cases", "advance", case.number, "fly_away", "--actor", caseworker_email(case)]
    )

    assert result.exit_code == 1
    assert result.output.startswith("Fehler: 'fly_away' ist im Zustand 'intake' nicht möglich.")
    assert "schedule_welcome_visit" in result.output
    assert result.output.count("\n") == 1
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, not a crash
    assert cases_in(CaseState.INTAKE)[0].version == case.version


def test_advance_schedules_a_visit_at_berlin_time(demo_dir: Path, runner: CliRunner) -> None:
    """Given a demo case just taken in, when its welcome visit is planned for a Berlin local
    time, then the new state and version are printed, the appointment is at that time and the
    history names the caseworker."""
    case = cases_in(CaseState.INTAKE)[0]
    day = berlin(utc_now()).date() + timedelta(days=3)
    email = caseworker_email(case)

    result = runner.invoke(
        app,
        ["cases", "advance", str(case.id), "schedule_welcome_visit", "--actor", email.upper(),
         "--at", f"{day.isoformat()} 10:30", "--expected-version", str(case.version)],
    )  # fmt: skip

    assert result.exit_code == 0, result.output
    assert f"Willkommensbesuch geplant (welcome_visit_scheduled), Version {case.version + 1}" in (
        result.output
    )
    with unit_of_work() as session:
        appointment = session.exec(select(Appointment).where(Appointment.case_id == case.id)).one()
        event = session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id).desc())
        ).first()
        actor = session.exec(select(Staff).where(Staff.email == email)).one()
    expected = datetime(day.year, day.month, day.day, 10, 30, tzinfo=BERLIN)
    assert appointment.starts_at == expected
    assert event is not None and event.actor_id == actor.id


def test_advance_reports_guards_staleness_and_unknown_people(
    demo_dir: Path, runner: CliRunner
) -> None:
    """Given a demo case, when a visit is planned in the past, with an outdated version or by an
    unknown email, then each attempt exits 1 with its reason and the case stays as it was."""
    case = cases_in(CaseState.INTAKE)[0]
    email = caseworker_email(case)
    base = ["cases", "advance", case.number, "schedule_welcome_visit"]

    past = runner.invoke(app, [*base, "--actor", email, "--at", "01.01.2020 10:00"])
    stale = runner.invoke(app, [*base, "--actor", email, "--at", "2099-01-01 10:00",
                                "--expected-version", str(case.version + 5)])  # fmt: skip
    stranger = runner.invoke(app, [*base, "--actor", "someone@else.example", "--at",
                                   "2099-01-01 10:00"])  # fmt: skip
    bad_time = runner.invoke(app, [*base, "--actor", email, "--at", "morgen früh"])

    assert (past.exit_code, stale.exit_code, stranger.exit_code) == (1, 1, 1)
    assert "Der Termin muss in der Zukunft liegen." in past.output
    assert "wurde inzwischen geändert" in stale.output
    assert "someone@else.example" in stranger.output
    assert bad_time.exit_code == 2 and "kein Zeitpunkt" in bad_time.output
    assert cases_in(CaseState.INTAKE)[0].version == case.version


def test_notes_are_shown_as_typed(demo_dir: Path, runner: CliRunner) -> None:
    """Given a demo case, when it is closed with a note full of brackets, then the note appears
    verbatim in the history (it is not taken for terminal markup)."""
    case = cases_in(CaseState.INTAKE)[0]
    note = "Familie [Vater] ist verzogen [/b] nach Bochum"

    closed = runner.invoke(
        app,
        ["cases", "advance", case.number, "close_case", "--actor", caseworker_email(case),
         "--note", note],
    )  # fmt: skip
    shown = runner.invoke(app, ["cases", "show", case.number])

    assert closed.exit_code == 0, closed.output
    assert "Abgeschlossen (closed)" in closed.output
    assert shown.exit_code == 0, shown.output
    assert note in shown.output


def test_household_edits_from_the_command_line_are_recorded_and_refused_clearly(
    demo_dir: Path, runner: CliRunner
) -> None:
    """The household command changes what it is given, names who did it in the history, and
    refuses garbage with a message at the field and nothing changed."""
    case = cases_in(CaseState.INTAKE)[0]
    actor = caseworker_email(case)
    changed = runner.invoke(
        app,
        ["cases", "household", str(case.id), "--actor", actor,
         "--languages", "uk,ar", "--phone", "0231 777"],
    )  # fmt: skip
    assert changed.exit_code == 0, changed.output
    assert "Haushalt gespeichert." in changed.output
    with unit_of_work() as session:
        household = session.get(Household, case.household_id)
        assert (household.languages, household.phone) == (["uk", "ar"], "0231 777")
        last = session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(col(CaseEvent.id).desc())
        ).first()
        assert last.note == "Geändert: Sprachen, Telefon"
    refused = runner.invoke(
        app, ["cases", "household", str(case.id), "--actor", actor, "--postal-code", "1"]
    )
    assert refused.exit_code != 0 and "postal_code" in refused.output
    with unit_of_work() as session:
        assert session.get(Household, case.household_id).postal_code != "1"
