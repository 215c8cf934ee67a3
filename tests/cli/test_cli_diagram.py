"""``willkommen diagram``: Mermaid drawn from the transitions tables (no database needed)."""

import pytest
from typer.testing import CliRunner

from cli.main import app
from workflows.engine.diagram import edge_label, mermaid
from workflows.move_in import MOVE_IN
from workflows.move_in.states import CaseState, StepState


def test_diagram_names_every_state_and_trigger(runner: CliRunner) -> None:
    """Given the move-in workflow, when the diagram is printed, then both lifecycles appear as
    stateDiagram-v2 with every case state, every case trigger and every step verb."""
    result = runner.invoke(app, ["diagram"])

    assert result.exit_code == 0, result.output
    assert result.output.count("stateDiagram-v2") == 2
    for state in [*CaseState, *StepState]:
        assert f"    {state.value} : " in result.output, state
    for trigger in MOVE_IN.case.triggers + MOVE_IN.step.triggers:
        assert f": {trigger}" in result.output, trigger
    assert "[*] --> intake" in result.output
    assert "closed --> [*]" in result.output


@pytest.mark.parametrize("lifecycle", [MOVE_IN.case, MOVE_IN.step], ids=["case", "step"])
def test_every_table_row_is_an_edge(lifecycle) -> None:  # type: ignore[no-untyped-def]
    """Given a lifecycle, when it is drawn, then each (source, row) of its table is one edge with
    trigger and [guards], and an internal transition loops back to its source."""
    text = mermaid(lifecycle)

    edges = [line for line in text.splitlines() if " --> " in line and "[*]" not in line]
    expected = []
    for row in lifecycle.transitions:
        sources = [row.source] if isinstance(row.source, str) else row.source
        for source in sources:
            dest = source if row.dest is None else row.dest
            expected.append(f"    {source} --> {dest} : {edge_label(row)}")
    assert edges == expected
    assert "welcome_visit_scheduled --> welcome_visit_scheduled : reschedule_welcome_visit" in (
        mermaid(MOVE_IN.case)
    )
    assert "open --> referred : refer [case_active, step_has_partner, consent_given, chosen_" in (
        mermaid(MOVE_IN.step)
    )


def test_state_option_highlights_the_current_state(runner: CliRunner) -> None:
    """Given the diagram command, when a state is named, then it is highlighted with a class,
    and an unknown state exits 1 naming the known ones."""
    marked = runner.invoke(app, ["diagram", "--lifecycle", "step", "--state", "referred"])
    unknown = runner.invoke(app, ["diagram", "--state", "happy"])

    assert marked.exit_code == 0, marked.output
    assert "classDef current" in marked.output
    assert "class referred current" in marked.output
    assert "intake" not in marked.output  # only the step lifecycle
    assert unknown.exit_code == 1
    assert "Unbekannter Zustand 'happy'" in unknown.output
    assert "accompanying" in unknown.output


def test_text_and_readable_formats_speak_german_only(runner: CliRunner) -> None:
    """Given staff at a terminal, when they ask for the diagram as text or readable Mermaid,
    then they read the definition's German labels (no trigger, guard or effect name), the
    highlighted state marked, and the loops and the close-from-anywhere listed aside."""
    text = runner.invoke(app, ["diagram", "--format", "text", "--state", "accompanying"])
    drawn = runner.invoke(app, ["diagram", "--format", "readable", "--lifecycle", "case"])

    assert text.exit_code == 0 and drawn.exit_code == 0, text.output + drawn.output
    first = "  Aufgenommen (Beginn)\n      → Willkommensbesuch geplant: Willkommensbesuch planen"
    assert first in text.output
    assert "▶ In Begleitung\n" in text.output
    anywhere = "Aus jedem offenen Zustand:\n  · Fall vorzeitig schließen (mit Grund) → Abgeschl"
    assert anywhere in text.output
    assert "  · Willkommensbesuch verschieben (in: Willkommensbesuch geplant)" in text.output
    assert "Jeder Schritt\n  nicht geöffnet (Beginn)\n      → offen: öffnen" in text.output
    assert 'state "In Begleitung" as accompanying' in drawn.output
    for name in MOVE_IN.case.triggers + MOVE_IN.step.triggers + list(MOVE_IN.case.guards):
        assert name not in text.output, name
        assert f": {name}" not in drawn.output, name
