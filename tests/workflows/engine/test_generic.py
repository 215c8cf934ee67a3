"""The engine runs any registered workflow and knows none by name.

Given a workflow the engine has never seen (a key handover with its own definition file, state
names and registry, read by the same loader as the move-in workflow), when a case on it is
advanced, then states, steps, history, deadlines and the buttons follow that
workflow's tables alone. And no module of the engine imports a concrete workflow or capability.
"""

import ast
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from core.clock import utc_now
from core.db import unit_of_work
from models import Case, CaseEvent, CaseStep, Household
from models.enums import District
from tests.conftest import World
from workflows.definitions.loading import Registry, read
from workflows.engine import advance, allowed_triggers
from workflows.engine.definition import Guard, Subject, register
from workflows.engine.errors import GuardFailed, TransitionNotAllowed

ENGINE = Path(__file__).resolve().parents[3] / "workflows" / "engine"


def test_engine_imports_no_concrete_workflow_or_capability() -> None:
    """Given the engine's modules, then each imports only the engine, core, models and libraries."""
    offending = []
    for module in sorted(ENGINE.glob("*.py")):
        for node in ast.walk(ast.parse(module.read_text())):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            for name in names:
                if name.startswith("workflows.") and not name.startswith("workflows.engine"):
                    offending.append(f"{module.name}: {name}")
    assert offending == []


def _no_note(_subject: Subject, params: Mapping[str, Any]) -> str | None:
    return None if params.get("note") else "Bitte einen Grund angeben."


def _all_done(subject: Subject, _params: Mapping[str, Any]) -> str | None:
    open_steps = [s for s in subject.facts.steps.values() if s.state == "todo"]
    return "Schlüssel noch nicht übergeben." if open_steps else None


def _due(subject: Subject, _event: Any) -> None:
    subject.effects.append(_SetDue(subject.kind or "", utc_now() + timedelta(days=3)))


class _SetDue:
    def __init__(self, kind: str, due_at: datetime) -> None:
        self.kind, self.due_at = kind, due_at

    def apply(self, ctx: Any) -> None:
        ctx.facts.steps[self.kind].due_at = self.due_at


GUARDS = {"all_done": Guard("all_done", _all_done), "has_note": Guard("has_note", _no_note, "note")}
# Its own definition file, read by the same loader as the move-in workflow's, with its own
# registry: the engine and the loader know neither workflow by name.
DEFINITION = """
name = "key_handover_test"
version = 1
title = "Schlüsselübergabe"

[case]
initial = "neu"
final = ["archiviert"]
[case.states]
neu = "Neu"
uebergeben = "Übergeben"
archiviert = "Archiviert"
[[case.transitions]]
trigger = "hand_over"
source = ["neu"]
dest = "uebergeben"
conditions = ["all_done"]
label = "Übergabe bestätigen"
[[case.transitions]]
trigger = "archive"
source = ["neu", "uebergeben"]
dest = "archiviert"
conditions = ["has_note"]
label = "Archivieren"

[step]
initial = "ruht"
running = ["todo"]
finished = ["ok"]
[step.states]
ruht = "ruht"
todo = "zu tun"
ok = "erledigt"
[[step.transitions]]
trigger = "start"
source = ["ruht", "ok"]
dest = "todo"
after = ["due"]
label = "beginnen"
[[step.transitions]]
trigger = "tick"
source = ["todo"]
dest = "ok"
label = "abhaken"

[[steps]]
kind = "keys"
label = "Schlüssel"
applies = "always"
opened_at_intake = "never"
due = { days = 3, counted_from = "opening" }
"""
REGISTRY = Registry(
    guards=GUARDS,
    builders={"due": _due},
    applies={"always": lambda _facts: None},
    at_intake={"never": lambda _applies: lambda _facts: False},
)
_SPEC, HANDOVER = read(DEFINITION, REGISTRY, "key_handover_test.v1.toml")
register(HANDOVER)


def _open(world: World) -> int:
    with unit_of_work() as session:
        household = Household(
            office_id=world.office_id,
            family_name="Test",
            street="Bayrische Straße 135",
            postal_code="44339",
            district=District.EVING,
            moved_in_on=date(2026, 11, 2),
        )
        session.add(household)
        session.flush()
        case = Case(
            household_id=household.id,  # type: ignore[arg-type]
            office_id=world.office_id,
            workflow=HANDOVER.name,
            workflow_version=HANDOVER.version,
            state="neu",
        )
        session.add(case)
        session.flush()
        return int(case.id)  # type: ignore[arg-type]


def _row(case_id: int) -> tuple[Case, list[CaseStep], list[str]]:
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        assert case is not None
        steps = list(session.exec(select(CaseStep).where(CaseStep.case_id == case_id)))
        query = select(CaseEvent.trigger).where(CaseEvent.case_id == case_id)
        events = list(session.exec(query.order_by(col(CaseEvent.id))))
        session.expunge_all()
        return case, steps, events


def test_a_workflow_the_engine_never_saw_runs_on_its_tables_alone(world: World) -> None:
    """Given a key-handover case, when staff start, tick and hand over, then the case follows."""
    case_id = _open(world)
    with unit_of_work() as session:
        advance(session, case_id, "start_keys", actor_id=world.caseworker_id)
    case, steps, _ = _row(case_id)
    assert [(s.kind, s.state) for s in steps] == [("keys", "todo")]
    assert case.next_due_at == steps[0].due_at  # a running step's deadline is the case's

    with unit_of_work() as session, pytest.raises(GuardFailed, match="Schlüssel noch nicht"):
        advance(session, case_id, "hand_over", actor_id=world.caseworker_id)
    with unit_of_work() as session:
        advance(session, case_id, "tick_keys", actor_id=world.caseworker_id)
        advance(session, case_id, "hand_over", actor_id=world.caseworker_id)
        advance(session, case_id, "archive", actor_id=world.caseworker_id, note="fertig")
    case, steps, events = _row(case_id)
    assert (case.state, case.next_due_at) == ("archiviert", None)
    assert HANDOVER.case.labels["uebergeben"] == "Übergeben"  # its words, from its file
    assert events == ["start_keys", "tick_keys", "hand_over", "archive"]

    with unit_of_work() as session:
        # The step could start again, but a final case offers no step trigger and no way out.
        assert allowed_triggers(session, case_id) == []
        with pytest.raises(TransitionNotAllowed):
            advance(session, case_id, "hand_over", actor_id=world.caseworker_id)
