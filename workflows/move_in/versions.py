"""The move-in workflow's definition files (``definitions/move_in.v<N>.toml``), each checked
against the workflow's registry and registered with the engine; new cases get the latest.

A file with a problem stops the start with every problem and its place in the file.
"""

from pathlib import Path

from workflows.definitions.loading import load
from workflows.engine.definition import Workflow, register
from workflows.move_in.registry import REGISTRY

DEFINITIONS = Path(__file__).parent / "definitions"


def _version(path: Path) -> int:
    return int(path.stem.rsplit(".v", 1)[1])


FILES = sorted(DEFINITIONS.glob("move_in.v*.toml"), key=_version)
if not FILES:  # an install without its data files (package-data in pyproject.toml)
    raise RuntimeError(f"no definition of the move-in workflow in {DEFINITIONS}")
VERSIONS: dict[int, Workflow] = {}
for _path in FILES:
    _spec, _workflow = load(_path, REGISTRY)
    VERSIONS[_workflow.version] = register(_workflow)

MOVE_IN = VERSIONS[1]
CURRENT = VERSIONS[max(VERSIONS)]
