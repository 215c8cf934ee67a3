"""The README tells the truth about the workflow and the commands."""

import re
from pathlib import Path

from workflows.engine.diagram import mermaid
from workflows.move_in import MOVE_IN
from workflows.move_in.states import CASE_STATE_LABELS, STEP_STATE_LABELS

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_readme_diagrams_are_the_current_workflow():
    """Given the workflow tables, when their diagrams are drawn,
    then the README shows exactly these diagrams (redraw them with `scripts/readme-diagrams`)."""
    assert mermaid(MOVE_IN.case, labels=CASE_STATE_LABELS).rstrip("\n") in README
    assert mermaid(MOVE_IN.step, labels=STEP_STATE_LABELS).rstrip("\n") in README


DOCS = {
    name: (ROOT / name).read_text() for name in ("README.md", "ARCHITECTURE.md", "CONTRIBUTING.md")
}


def test_every_workflows_package_is_on_the_map():
    """Given the packages in workflows/, then ARCHITECTURE.md describes each and README's layout
    names each: a newcomer finds every capability from the docs as from the folder listing."""
    packages = sorted(p.parent.name for p in (ROOT / "workflows").glob("*/__init__.py"))
    assert packages, "workflows/ has no packages"
    for package in packages:
        assert f"`workflows/{package}`" in DOCS["ARCHITECTURE.md"], package
        assert f"  {package}/" in DOCS["README.md"], package


def test_every_path_the_docs_name_exists():
    """Given the paths the docs point a reader to, then each file or folder is there."""
    missing = []
    for name, text in DOCS.items():
        for path in re.findall(r"`((?:workflows|tests|core|web|tasks|models)/[\w/.]*\w)`", text):
            if not (ROOT / path).exists() and "<" not in path:
                missing.append(f"{name}: {path}")
    assert missing == []
