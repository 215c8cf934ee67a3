"""What the move-in workflow's definition files may name: its guards, its effects and the rules
of its steps — Python functions, so a definition cannot bring code of its own."""

from functools import partial

from workflows.definitions.loading import Registry
from workflows.move_in import rules
from workflows.move_in.builders import BUILDERS
from workflows.move_in.effects import MoveDue
from workflows.move_in.guards import GUARDS
from workflows.move_in.states import Milestone

REGISTRY = Registry(
    guards=GUARDS,
    builders=BUILDERS,
    applies={name: rule for name, (rule, _words) in rules.APPLIES.items()},
    at_intake={name: partial(rules.at_intake, name) for name in rules.AT_INTAKE},
    milestones=frozenset(m.value for m in Milestone),
    reschedule=MoveDue,
    # The household's texts (messaging/email_templates/household/, every language) speak of
    # one step each: a reminder for another step needs a text of its own first.
    household_texts={
        "registration_deadline": frozenset({"registration"}),
        "step_reminder": frozenset({"energy"}),
    },
)
