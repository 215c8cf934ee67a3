"""The consultation desk's office (a Tuesday hour at Lanstrop, Lea Brandt on duty), with home
visits planned through the engine as a caseworker plans them."""

from datetime import datetime

from tests.helpers import step
from tests.workflows.consultations.conftest import desk  # noqa: F401  (the fixture)


def plan_visit(world, at: datetime, actor_id: int | None = None, **intake: object) -> int:  # type: ignore[no-untyped-def]
    """A new case whose welcome visit ``actor_id`` (default: Lea Brandt) plans for ``at``."""
    case_id = world.open_case(**intake)
    step(case_id, "schedule_welcome_visit", actor_id or world.caseworker_id, at=at)
    return int(case_id)
