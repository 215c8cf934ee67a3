"""A workflow definition file is checked before it runs: every problem with its place in the file,
all at once; names only what the workflow's registry holds (no code); the shipped versions are
clean and compile into the workflow the engine runs."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli.main import app
from core.config import Settings
from workflows.definitions import loading
from workflows.move_in import CURRENT, MOVE_IN
from workflows.move_in.registry import REGISTRY
from workflows.move_in.versions import FILES

V1 = FILES[0].read_text(encoding="utf-8")


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner(env={"COLUMNS": "250"})


def problems_of(text: str) -> list[str]:
    with pytest.raises(loading.DefinitionInvalid) as caught:
        loading.read(text, REGISTRY)
    return [str(problem) for problem in caught.value.problems]


def changed(*edits: tuple[str, str]) -> str:
    text = V1
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        (
            [('dest = "welcome_visit_scheduled"', 'dest = "welcome_visit_planned"')],
            "case.transitions[0].dest: unbekannter Zustand „welcome_visit_planned“",
        ),
        (
            [('"consent_given", "chosen_partner_fits"', '"consent_given", "partner_is_nice"')],
            "step.transitions[1].conditions[3]: unbekannte Bedingung „partner_is_nice“",
        ),
        (
            [('after = ["finish_visit", "plan_follow_up"]',
              'after = ["finish_visit", "send_flowers"]')],
            "case.transitions[2].after[1]: unbekannte Wirkung „send_flowers“",
        ),
        (
            [('applies = "child_of_school_age"', 'applies = "child_at_school"')],
            "steps[2].applies: unbekannte Regel „child_at_school“",
        ),
        (
            [('due = { days = 28, counted_from = "opening" }',
              'due = { days = 0, counted_from = "opening" }')],
            "steps[2].due.days: Input should be greater than or equal to 1",
        ),
        (
            [('label = "Einschulung"', 'labl = "Einschulung"')],
            "steps[2].labl: Extra inputs are not permitted",
        ),
        (
            [("[milestones.follow_up]", "[milestones.follow_up_visit]")],
            "milestones: „follow_up“ fehlt (der Workflow plant diesen Besuch)",
        ),
        (
            [('reminders = [{ days_before = 7, message = "step_reminder" }]',
              'reminders = [{ days_before = 14, message = "step_reminder" }]')],
            "steps[1].reminders[0].days_before: 14 Tage vor einer Frist von 14 Tagen",
        ),
        (
            [('applies = "child_of_school_age"\nopened_at_intake = "when_it_applies"\n',
              'applies = "child_of_school_age"\nopened_at_intake = "when_it_applies"\n'
              'reminders = [{ days_before = 7, message = "step_reminder" }]\n')],
            "steps[2].reminders[0].message: der Text „step_reminder“ an den Haushalt ist für "
            "energy geschrieben, nicht für „school“",
        ),
        (
            [('automatic = ["steps_finished", "steps_reopened"]', 'automatic = ["steps_done"]')],
            "case.automatic[0]: kein Übergang „steps_done“ im Fall",
        ),
        (
            [('kind = "kindergarten"', 'kind = "school"')],
            "steps[3].kind: „school“ kommt doppelt vor",
        ),
        (
            [("[variants]\ndue_days = { min = 3, max = 180 }",
              "[variants]\ndue_days = { min = 90, max = 30 }")],
            "variants.due_days: min ist größer als max",
        ),
    ],
)  # fmt: skip
def test_a_broken_definition_is_refused_at_its_place(edits, expected):
    found = problems_of(changed(*edits))
    assert any(problem.startswith(expected) for problem in found), found


def test_every_problem_is_reported_at_once_and_a_non_toml_file_by_its_line():
    several = changed(
        ('dest = "welcome_visit_scheduled"', 'dest = "nowhere"'),
        ('applies = "child_of_kita_age"', 'applies = "toddler"'),
        ('opened_at_intake = "never"', 'opened_at_intake = "sometimes"'),
    )
    assert len(problems_of(several)) == 3
    (broken,) = problems_of(V1.replace('title = "Einzug', "title = Einzug", 1))
    assert broken.startswith("line 11, column 9: kein gültiges TOML")


@pytest.mark.parametrize("name", ["__class__", "os.system", "eval(open('x'))", "__import__"])
def test_a_definition_cannot_name_code_of_its_own(name):
    """Only snake_case names the registry holds: dunder attributes and expressions are refused."""
    text = changed(('conditions = ["appointment_in_future"]', f'conditions = ["{name}"]'))
    assert any(p.startswith("case.transitions[0].conditions[0]") for p in problems_of(text))


def test_the_shipped_versions_compile_into_what_the_engine_runs():
    assert [path.name for path in FILES][0] == "move_in.v1.toml"
    registration = MOVE_IN.steps["registration"]
    assert (registration.due.days, registration.due.law) == (14, "Bundesmeldegesetz § 17")
    assert registration.legal_deadline and not MOVE_IN.steps["energy"].legal_deadline
    assert [r.days_before for r in MOVE_IN.steps["energy"].reminders] == [7]
    assert MOVE_IN.case.labels["accompanying"] == "In Begleitung"
    assert MOVE_IN.milestones["follow_up"].days == 42
    assert CURRENT.version == max(int(p.stem.rsplit(".v", 1)[1]) for p in FILES)


def test_the_cli_checks_files_and_names_each_problem(tmp_path: Path, runner: CliRunner):
    clean = runner.invoke(app, ["workflow", "check"])
    assert clean.exit_code == 0, clean.output
    assert "in Ordnung move_in.v1.toml" in clean.output
    # The second workflow's file, read by the same loader.
    assert "in Ordnung round_table_action.v1.toml (round_table_action v1: 3 Zustände" in (
        clean.output
    )
    broken = tmp_path / "move_in.v9.toml"
    broken.write_text(changed(('applies = "adult_able_to_work"', 'applies = "works"')), "utf-8")
    answer = runner.invoke(app, ["workflow", "check", str(FILES[0]), str(broken)])
    assert answer.exit_code == 1
    assert "move_in.v9.toml: steps[5].applies: unbekannte Regel „works“" in answer.output
    schema = runner.invoke(app, ["workflow", "schema"])
    assert '"DefinitionSpec"' in schema.output or '"title": "DefinitionSpec"' in schema.output


def test_a_timing_variable_that_moved_into_the_definition_stops_the_start(monkeypatch):
    monkeypatch.setenv("WILLKOMMEN_STEP_DUE_DAYS", '{"energy": 10}')
    with pytest.raises(ValueError, match="WILLKOMMEN_STEP_DUE_DAYS: Fristen und Erinnerungen"):
        Settings()
