"""Fields of a case kept true by every change, so work lists sort and filter on plain columns."""

from collections.abc import Iterable
from datetime import datetime

from models import Case, CaseStep
from workflows.engine.definition import Workflow


def refresh(case: Case, workflow: Workflow, steps: Iterable[CaseStep], now: datetime) -> None:
    """Stamp the change and set the case's next deadline (None once it is closed)."""
    case.updated_at = now
    case.next_due_at = None if workflow.is_closed(case.state) else next_due(case, workflow, steps)


def next_due(case: Case, workflow: Workflow, steps: Iterable[CaseStep]) -> datetime | None:
    """The earliest deadline still running: an unfinished step's, or the case's milestone."""
    dues = [step.due_at for step in steps if step.state in workflow.open_step_states]
    dues.append(case.milestone_due_at)
    present = [due for due in dues if due is not None]
    return min(present) if present else None
