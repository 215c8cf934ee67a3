"""What a transition sets off: effects are values recorded inside the transition, applied after it.

A workflow's effect builders (``Lifecycle.builders``) append effects to the subject while the
machine runs; guards stay pure because nothing is written until the engine has judged the whole
trigger. The engine then applies each effect with a :class:`Context`, in the caller's one
transaction, so effects write rows (appointments, referrals, reminders, outbox messages) and
nothing leaves the process before the commit. Concrete effects live with their workflow
(``workflows.move_in.effects``).
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlmodel import Session

from core.config import Settings
from models import Case
from workflows.engine.facts import CaseFacts


@dataclass
class Context:
    """Everything an effect may use: the change's session, case, facts, actor and clock."""

    session: Session
    case: Case
    facts: CaseFacts
    actor_id: int | None
    now: datetime
    settings: Settings


class Effect(Protocol):
    """One thing a transition sets off, written by ``apply`` within the change's transaction."""

    def apply(self, ctx: Context) -> None: ...
