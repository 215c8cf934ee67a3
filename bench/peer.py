"""Scenario 7: a peer engine — the move-in workflow run by SpiffWorkflow against ours.

SpiffWorkflow (the established Python BPMN engine) runs ``bench/move_in.bpmn``, the same
workflow as BPMN: the welcome visit in parallel with registration, energy and (by an exclusive
gateway on the case data) school, then the follow-up visit. Each of the seven user tasks is one
request, persisted the way Spiff's documentation persists a workflow: load the serialized
workflow from its database row (locked), restore it, complete the ready user task with its data
(who did it, when), run the engine steps, serialize, write the row back — one transaction.

Two persistence variants, both with the standard ``BpmnWorkflowSerializer``:
- the whole workflow as one JSON document (``serialize_json`` / ``deserialize_json``, spec
  included), the library's default;
- the instance only, with the parsed spec kept in memory (as the SQLite serializer of Spiff's
  example application keeps specs in a table of their own) — the cheaper one for Spiff.

Ours: the same seven transitions through ``advance()`` on a case opened at intake, one committed
transaction each (after-commit relay left out, as in scenario 1). The ratio is Spiff's time per
persisted transition over ours (higher is better for us).
"""

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any
from uuid import UUID, uuid4

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser import BpmnParser
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.config import DEFAULT_CONFIG
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import (
    Column,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    func,
    insert,
    select,
    update,
)
from sqlmodel import SQLModel

from bench.common import Context, timed
from bench.persisted import footprint
from bench.report import Row, Target
from core.clock import utc_now
from core.db import get_engine, new_session
from models import Case
from workflows.engine import advance

TARGET = Target(">=", 1.5)
BPMN = Path(__file__).with_name("move_in.bpmn")
# The seven requests, in the order staff would make them.
STEPS = [
    "schedule_welcome_visit",
    "record_welcome_visit",
    "complete_registration",
    "complete_energy",
    "complete_school",
    "schedule_follow_up",
    "complete_follow_up",
]
WITH_DATE = {"schedule_welcome_visit", "schedule_follow_up"}

cases, events, steps = (SQLModel.metadata.tables[t] for t in ("cases", "case_events", "case_steps"))
appointments, reminders, outbox = (
    SQLModel.metadata.tables[t] for t in ("appointments", "reminders", "outbox")
)
metadata = MetaData()
spiff_workflows = Table(
    "bench_spiff_workflows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("variant", String(20), nullable=False),
    Column("serialization", Text, nullable=False),
)


def parse_spec() -> Any:
    parser = BpmnParser()
    parser.add_bpmn_file(str(BPMN))
    return parser.get_spec("move_in")


class InstanceConverter(BpmnWorkflowConverter):
    """Serializes the workflow without its spec; restores it onto the spec parsed once."""

    spec: Any = None

    def to_dict(self, workflow: Any) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> Any:
        workflow = self.target_class(self.spec, {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def serializers(spec: Any) -> dict[str, BpmnWorkflowSerializer]:
    InstanceConverter.spec = spec
    instance = BpmnWorkflowSerializer.configure({**DEFAULT_CONFIG, BpmnWorkflow: InstanceConverter})
    return {
        "whole JSON": BpmnWorkflowSerializer(),
        "instance JSON": BpmnWorkflowSerializer(instance),
    }


def start_workflows(
    spec: Any, serializer: BpmnWorkflowSerializer, variant: str, count: int
) -> list[int]:
    """``count`` new workflows at intake (a school child in the household), stored."""
    rows = []
    for _ in range(count):
        workflow = BpmnWorkflow(spec)
        for task in workflow.get_tasks(state=TaskState.READY):
            task.data["school_child"] = True
        workflow.do_engine_steps()
        rows.append({"variant": variant, "serialization": serializer.serialize_json(workflow)})
    with get_engine().begin() as conn:
        conn.execute(insert(spiff_workflows), rows)
        query = select(spiff_workflows.c.id).where(spiff_workflows.c.variant == variant)
        return list(conn.execute(query.order_by(spiff_workflows.c.id)).scalars())


# What the product keeps per step, written by the peer too (the comparison is of engines, not
# of how much each stores): the case row, the history, the step, the visit, the reminders.
CASE_STATES = {
    "schedule_welcome_visit": ("intake", "welcome_visit_scheduled"),
    "record_welcome_visit": ("welcome_visit_scheduled", "accompanying"),
    "schedule_follow_up": ("follow_up_due", "follow_up_scheduled"),
    "complete_follow_up": ("follow_up_scheduled", "closed"),
}
VISITS = {"schedule_welcome_visit": "welcome_visit", "schedule_follow_up": "follow_up_visit"}
PENDING = ("scheduled", "queued")
VISIT_REMINDERS = (("visit", "caseworker"), ("appointment_reminder", "household"))


def same_rows(conn: Any, case_id: int, name: str, actor: int) -> None:
    """The rows ``advance()`` writes for this step, as plain Core statements."""
    now = utc_now()
    step_kind = name.removeprefix("complete_") if name.startswith("complete_") else None
    if name == "complete_follow_up":
        step_kind = None
    moved = CASE_STATES.get(name)
    case_values: dict[str, Any] = {"version": cases.c.version + 1, "updated_at": now}
    if moved:
        case_values["state"] = moved[1]
    if name == "complete_follow_up":
        case_values |= {"closed_at": now, "milestone_due_at": None, "next_due_at": None}
    conn.execute(update(cases).where(cases.c.id == case_id).values(case_values))
    entry = {"case_id": case_id, "at": now, "actor_id": actor, "trigger": name}
    if moved:
        entry |= {"from_state": moved[0], "to_state": moved[1]}
    else:
        entry |= {"step_kind": step_kind, "from_state": "open", "to_state": "done"}
    conn.execute(insert(events), [entry])
    pending = and_(reminders.c.case_id == case_id, reminders.c.status.in_(PENDING))
    if name in VISITS:
        at = now + timedelta(days=3)
        visit = conn.execute(
            insert(appointments)
            .values(
                case_id=case_id, kind=VISITS[name], starts_at=at, duration_minutes=60,
                location="Evinger Straße 12, 44339 Dortmund", staff_id=actor,
                status="scheduled", uid=f"{uuid4()}@lokal-willkommen", sequence=0,
            )
            .returning(appointments.c.id)
        ).scalar_one()  # fmt: skip
        invitation = conn.execute(
            insert(reminders)
            .values(
                case_id=case_id, kind="appointment_invitation", recipient="household",
                appointment_id=visit, due_at=now, status="queued", attempts=0,
                created_at=now, queued_at=now,
            )
            .returning(reminders.c.id)
        ).scalar_one()  # fmt: skip
        conn.execute(
            insert(reminders),
            [
                {
                    "case_id": case_id, "kind": kind, "recipient": recipient,
                    "appointment_id": visit, "due_at": at - timedelta(hours=24),
                    "status": "scheduled", "attempts": 0, "created_at": now,
                }
                for kind, recipient in VISIT_REMINDERS
            ],
        )  # fmt: skip
        conn.execute(
            insert(outbox).values(
                task="messages.send_reminder", arguments={"reminder_id": invitation},
                created_at=now, attempts=0,
            )
        )  # fmt: skip
    elif moved:  # a visit took place: it is done, and what reminded of it is moot
        conn.execute(
            update(appointments)
            .where(appointments.c.case_id == case_id, appointments.c.status == "scheduled")
            .values(status="done")
        )
        moot = pending if name == "complete_follow_up" else pending & (
            reminders.c.appointment_id.is_not(None) | reminders.c.milestone.is_not(None)
        )  # fmt: skip
        conn.execute(update(reminders).where(moot).values(status="cancelled"))
    else:
        step_id = conn.execute(
            update(steps)
            .where(steps.c.case_id == case_id, steps.c.kind == step_kind)
            .values(state="done", closed_at=now, done_on=now.date())
            .returning(steps.c.id)
        ).scalar_one()
        conn.execute(
            update(reminders)
            .where(pending, reminders.c.step_id == step_id)
            .values(status="cancelled", cancelled_reason="Schritt bereits erledigt")
        )
        if name == STEPS[4]:  # the last step: the case moves on to the follow-up by itself
            conn.execute(update(cases).where(cases.c.id == case_id).values(state="follow_up_due"))
            finished = {"trigger": "steps_finished", "note": "automatisch"}
            finished |= {"from_state": "accompanying", "to_state": "follow_up_due"}
            conn.execute(insert(events), [{**entry, **finished, "step_kind": None}])
            conn.execute(
                insert(reminders).values(
                    case_id=case_id, kind="milestone_overdue", recipient="supervisors",
                    milestone="follow_up", due_at=now + timedelta(days=45),
                    status="scheduled", attempts=0, created_at=now,
                )
            )  # fmt: skip


def spiff_step(
    serializer: BpmnWorkflowSerializer, workflow_id: int, case_id: int, name: str, actor: int
) -> None:
    """One request: load, complete the user task, run the engine, store the workflow and the
    rows the product keeps for the step — one transaction."""
    with get_engine().begin() as conn:
        query = select(spiff_workflows.c.serialization).where(spiff_workflows.c.id == workflow_id)
        workflow = serializer.deserialize_json(conn.execute(query.with_for_update()).scalar_one())
        task = next(
            t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.name == name
        )
        task.data.update(actor_id=actor, at=utc_now().isoformat())
        if name in WITH_DATE:
            task.data["appointment"] = (utc_now() + timedelta(days=3)).isoformat()
        task.run()
        workflow.do_engine_steps()
        conn.execute(
            update(spiff_workflows)
            .where(spiff_workflows.c.id == workflow_id)
            .values(serialization=serializer.serialize_json(workflow))
        )
        same_rows(conn, case_id, name, actor)


def spiff_cases(
    serializer: BpmnWorkflowSerializer, ids: list[int], case_ids: list[int], actor: int
) -> None:
    for name in STEPS:  # every case one step further per pass, as requests interleave
        for workflow_id, case_id in zip(ids, case_ids, strict=True):
            spiff_step(serializer, workflow_id, case_id, name, actor)


def our_cases(case_ids: list[int], actor: int) -> None:
    for trigger in STEPS:
        for case_id in case_ids:
            with new_session() as session:
                at = utc_now() + timedelta(days=3) if trigger in WITH_DATE else None
                # Recorded right after it was planned: confirmed as held early, as staff would.
                advance(session, case_id, trigger, actor_id=actor, at=at, confirm=True)
                session.commit()


def _check(
    case_ids: list[int], serializer: BpmnWorkflowSerializer, workflow_ids: list[int]
) -> None:
    with get_engine().connect() as conn:
        states = set(conn.execute(select(Case.state).where(Case.id.in_(case_ids))).scalars())  # type: ignore[union-attr]
        query = select(spiff_workflows.c.serialization).where(
            spiff_workflows.c.id.in_(workflow_ids)
        )
        done = {
            serializer.deserialize_json(s).is_completed() for s in conn.execute(query).scalars()
        }
    if states != {"closed"} or done != {True}:
        raise AssertionError(f"not every case closed: ours {states}, Spiff completed {done}")


def run(ctx: Context) -> list[Row]:
    from bench.world import World

    logging.getLogger("spiff").setLevel(logging.WARNING)  # a line per task state otherwise

    world = World()
    metadata.create_all(get_engine())
    spec = parse_spec()
    variants = serializers(spec)
    per_round, rounds = ctx.size(5, 50), ctx.size(2, 6)
    actor = world.caseworker_id
    ours = world.cases(per_round * rounds + 1)
    our_cases(ours[:1], actor)  # warm
    first, ours = ours[0], ours[1:]
    times = {"ours": 0.0, **{variant: 0.0 for variant in variants}}
    started = {v: start_workflows(spec, s, v, per_round * rounds + 1) for v, s in variants.items()}
    theirs = {v: world.cases(per_round * rounds + 1) for v in variants}  # their rows
    for variant, serializer in variants.items():
        spiff_cases(serializer, started[variant][:1], theirs[variant][:1], actor)  # warm
        if footprint(first) != footprint(theirs[variant][0]):
            raise AssertionError(
                "the peer no longer writes what advance() writes (update bench/peer.py to the "
                f"product's transitions): {footprint(first)} != {footprint(theirs[variant][0])}"
            )
    ctx.log(f"{rounds} rounds of {per_round} cases × {len(STEPS)} steps, each engine")
    for r in range(rounds):
        chunk = slice(1 + r * per_round, 1 + (r + 1) * per_round)
        sides: list[tuple[str, Any]] = [
            ("ours", lambda c=chunk: our_cases(ours[c.start - 1 : c.stop - 1], actor))
        ]
        sides += [
            (v, lambda c=chunk, v=v, s=s: spiff_cases(s, started[v][c], theirs[v][c], actor))
            for v, s in variants.items()
        ]
        for name, action in sides if r % 2 == 0 else sides[::-1]:
            times[name] += timed(action)
    for variant, serializer in variants.items():
        _check(ours, serializer, started[variant][1:])
    with get_engine().connect() as conn:
        query = select(
            spiff_workflows.c.variant, func.avg(func.length(spiff_workflows.c.serialization))
        )
        sizes = dict(conn.execute(query.group_by(spiff_workflows.c.variant)).tuples().all())
    count = per_round * rounds * len(STEPS)
    ours_per = times["ours"] / count
    return [
        Row(
            7,
            ctx.db_name,
            f"persisted transition: ours vs Spiff ({variant})",
            f"{ours_per * 1000:.2f} ms",
            f"{times[variant] / count * 1000:.2f} ms",
            times[variant] / times["ours"],
            TARGET,
            note=f"{count} transitions each; ratio = Spiff's time / ours; Spiff rewrites "
            f"{float(sizes[variant]) / 1024:.0f} KiB of JSON per case on every step",
        )
        for variant in variants
    ]
