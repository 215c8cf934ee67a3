"""The move-in workflow, version 1: what a household goes through after moving into its flat.

A case lifecycle (welcome visit, accompaniment, follow-up, closed) and a step lifecycle that
every step follows in parallel (registration, energy, school, kindergarten, …). All of it is
data the engine runs; importing this package registers the definition with the engine.

- ``states``   the vocabulary: case states, step states, step kinds, milestones, their labels
- ``steps``    when each step applies, when it is due, which partner category takes it
- ``guards``   pure checks named in the tables' ``conditions``
- ``builders`` effect builders named in the tables' ``after``; they record ``effects``
- ``effects``  what a transition sets off: visits, deadlines, referrals, closing the case
- ``tables``   the two transitions tables and the registered :data:`MOVE_IN` definition
"""

from workflows.move_in.steps import STEPS, StepDef, end_of_day, step_due
from workflows.move_in.tables import CURRENT, MOVE_IN

__all__ = ["CURRENT", "MOVE_IN", "STEPS", "StepDef", "end_of_day", "step_due"]
