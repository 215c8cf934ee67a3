"""The workflow definitions this installation runs cases on.

The engine knows no workflow by name: each definition registers itself when its package is
imported, and every process that runs cases (web app, worker, beat, command line) calls
:func:`register_all` at start-up. A new workflow (or a new version of one) is added here.
"""

from importlib import import_module
from pathlib import Path

from workflows.definitions.loading import Registry

INSTALLED = ("workflows.move_in", "workflows.roundtables.actions")
# Per workflow: the module with its registry (the names its files may use) and its files.
REGISTRIES = {
    "move_in": "workflows.move_in.registry",
    "round_table_action": "workflows.roundtables.actions",
}
DEFINITION_FILES = {
    "move_in": Path(__file__).parent / "move_in" / "definitions",
    "round_table_action": Path(__file__).parent / "roundtables" / "definitions",
}


def register_all() -> None:
    """Import every installed definition, which registers it with the engine, and the audit
    trail, which listens to every session (idempotent)."""
    for name in (*INSTALLED, "workflows.audit"):
        import_module(name)


def registry_for(workflow: str) -> Registry | None:
    """What a definition of ``workflow`` may name; None for a workflow not installed."""
    module = REGISTRIES.get(workflow)
    return None if module is None else import_module(module).REGISTRY


def definition_files(workflow: str | None = None) -> list[Path]:
    """Every installed definition file (of ``workflow``), by workflow and version."""
    folders = [DEFINITION_FILES[workflow]] if workflow else list(DEFINITION_FILES.values())
    return [path for folder in folders for path in sorted(folder.glob("*.toml"), key=_version)]


def _version(path: Path) -> int:
    return int(path.stem.rsplit(".v", 1)[1]) if ".v" in path.stem else 0
