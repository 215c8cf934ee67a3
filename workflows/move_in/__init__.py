"""The move-in workflow: what a household goes through after moving into its flat.

A case lifecycle (welcome visit, accompaniment, follow-up, closed) and a step lifecycle that
every step follows in parallel (registration, energy, school, kindergarten, …). The definition
is data — ``definitions/move_in.v<N>.toml``, one file per version — that the engine checks and
runs; importing this package registers every version with the engine.

- ``definitions/`` the versions as data: states and labels, transitions tables, milestones,
                   steps with their rules, deadlines and reminders, what an office may vary
- ``states``       the vocabulary the Python code speaks (states, step kinds, milestones)
- ``rules``        when a step applies, whether it opens at intake (named for the files)
- ``guards``       pure checks named in the tables' ``conditions``
- ``builders``     effect builders named in the tables' ``after``; they record ``effects``
- ``effects``      what a transition sets off: visits, deadlines, referrals, closing the case
- ``steps``        when a step is due, as its definition says
- ``labels``       a step kind's words (the definition's or an office's own step's)
- ``registry``     the names a definition may use
- ``versions``     the files loaded, checked and registered; :data:`CURRENT` for new cases
"""

from collections.abc import Mapping

from workflows.engine.definition import StepDef
from workflows.move_in.labels import step_label
from workflows.move_in.states import CurrentDefinition
from workflows.move_in.steps import end_of_day, step_due
from workflows.move_in.versions import CURRENT, MOVE_IN

# The current version's steps, in order (labels, rules): for lists that show many cases.
STEPS: Mapping[str, StepDef] = CurrentDefinition(lambda w: w.steps)

__all__ = ["CURRENT", "MOVE_IN", "STEPS", "StepDef", "end_of_day", "step_due", "step_label"]
