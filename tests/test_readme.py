"""The README tells the truth about the workflow and the commands."""

from pathlib import Path

from workflows.engine.diagram import mermaid
from workflows.move_in import MOVE_IN
from workflows.move_in.states import CASE_STATE_LABELS, STEP_STATE_LABELS

README = (Path(__file__).resolve().parent.parent / "README.md").read_text()


def test_readme_diagrams_are_the_current_workflow():
    """Given the workflow tables, when their diagrams are drawn,
    then the README shows exactly these diagrams (regenerate with `willkommen diagram`)."""
    assert mermaid(MOVE_IN.case, labels=CASE_STATE_LABELS).rstrip("\n") in README
    assert mermaid(MOVE_IN.step, labels=STEP_STATE_LABELS).rstrip("\n") in README
