"""A step kind's words, wherever a page, mail or report names a step by its kind alone."""

from workflows.definitions import local_steps
from workflows.move_in.versions import CURRENT


def step_label(kind: str) -> str:
    """The current version's words, an office's own step's (its variant's), or the kind itself
    (a step only an older version had)."""
    step = CURRENT.steps.get(kind)
    if step is not None:
        return step.label
    return local_steps.label(kind) or kind
