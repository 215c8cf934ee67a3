"""Scenario 1: persisted transitions — ``advance()`` against the same rows written by bare Core.

Each case takes two transitions, each in its own transaction, as two requests would:
``schedule_welcome_visit`` with the visit in two hours (state, history, appointment, the
household's invitation and the caseworker's visit reminder, both due at once, so queued with
their outbox rows) and ``complete_registration`` (the step's state, history, and the step's two
pending reminders cancelled). The engine loads the
case, checks office access, judges the trigger and its guards, locks the case row and
keeps the derived fields; the baseline writes exactly the same rows with one plain SQLAlchemy
Core transaction per transition and reads nothing. After the run one case of each side is
compared row by row (a baseline that wrote less would flatter the engine).

The after-commit relay to Redis is left out on both sides (``session.commit()`` instead of
``core.db.commit``): publishing is scenario 3. With 2 processes each advances its own cases.
"""

import multiprocessing
import time
import traceback
from collections import Counter
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from typing import Any
from uuid import uuid4

from sqlalchemy import insert, select, update

from bench.common import Context, side_by_side
from bench.report import Row, Target
from core.clock import utc_now
from core.db import get_engine, new_session
from models import Appointment, Case, CaseEvent, CaseStep, OutboxMessage, Reminder
from workflows.engine import advance

TARGET = Target(">=", 1.0)
# An office's variant may cost a little (one more read per change), not a different engine.
VARIANT_TARGET = Target(">=", 0.9)
TRIGGERS = ("schedule_welcome_visit", "complete_registration")

# --------------------------------------------------------------------------------------------
# The two sides. Each takes the case ids and the actor, and runs both transitions per case.


def engine_side(case_ids: list[int], actor_id: int) -> None:
    """Both transitions through ``advance()``, one committed transaction each."""
    for case_id in case_ids:
        for trigger in TRIGGERS:
            with new_session() as session:
                at = utc_now() + timedelta(hours=2) if trigger == TRIGGERS[0] else None
                advance(session, case_id, trigger, actor_id=actor_id, at=at)
                session.commit()


def bare_side(case_ids: list[int], actor_id: int) -> None:
    """The same rows, written by one plain Core transaction per transition, reading nothing."""
    engine = get_engine()
    for case_id in case_ids:
        now = utc_now()
        with engine.begin() as conn:
            _bare_schedule_visit(conn, case_id, actor_id, now)
        with engine.begin() as conn:
            _bare_complete_registration(conn, case_id, actor_id, utc_now())


def _bare_schedule_visit(conn: Any, case_id: int, actor_id: int, now: datetime) -> None:
    at = now + timedelta(hours=2)
    conn.execute(
        update(Case)
        .where(Case.id == case_id)  # type: ignore[arg-type]
        .values(state="welcome_visit_scheduled", version=Case.version + 1, updated_at=now)
    )
    conn.execute(
        insert(CaseEvent).values(
            case_id=case_id,
            at=now,
            actor_id=actor_id,
            trigger="schedule_welcome_visit",
            from_state="intake",
            to_state="welcome_visit_scheduled",
        )
    )
    appointment_id = conn.execute(
        insert(Appointment)
        .values(
            case_id=case_id,
            kind="welcome_visit",
            starts_at=at,
            duration_minutes=60,
            location="Evinger Straße 12, 44339 Dortmund",
            staff_id=actor_id,
            status="scheduled",
            uid=f"{uuid4()}@lokal-willkommen",
            sequence=0,
        )
        .returning(Appointment.id)
    ).scalar_one()  # type: ignore[arg-type]
    # The household's invitation goes out at once; the caseworker's visit reminder (24 hours
    # before a visit in two hours) is due at once too. Both are queued with an outbox row.
    queued = [
        ("appointment_invitation", "household", now),
        ("visit", "caseworker", at - timedelta(hours=24)),
    ]
    for kind, recipient, due_at in queued:
        reminder_id = conn.execute(
            insert(Reminder)
            .values(
                case_id=case_id,
                kind=kind,
                recipient=recipient,
                appointment_id=appointment_id,
                due_at=due_at,
                status="queued",
                attempts=0,
                created_at=now,
                queued_at=now,
            )
            .returning(Reminder.id)
        ).scalar_one()
        conn.execute(
            insert(OutboxMessage).values(
                task="messages.send_reminder",
                arguments={"reminder_id": reminder_id},
                created_at=now,
                attempts=0,
            )
        )


def _bare_complete_registration(conn: Any, case_id: int, actor_id: int, now: datetime) -> None:
    step_id = conn.execute(
        update(CaseStep)
        .where(CaseStep.case_id == case_id, CaseStep.kind == "registration")  # type: ignore[arg-type]
        .values(state="done", closed_at=now, waive_reason=None)
        .returning(CaseStep.id)
    ).scalar_one()
    conn.execute(
        update(Case)
        .where(Case.id == case_id)  # type: ignore[arg-type]
        .values(version=Case.version + 1, updated_at=now)
    )
    conn.execute(
        insert(CaseEvent).values(
            case_id=case_id,
            at=now,
            actor_id=actor_id,
            trigger="complete_registration",
            step_kind="registration",
            from_state="open",
            to_state="done",
        )
    )
    conn.execute(
        update(Reminder)
        .where(Reminder.case_id == case_id, Reminder.step_id == step_id)  # type: ignore[arg-type]
        .where(Reminder.status.in_(["scheduled", "queued"]))  # type: ignore[attr-defined]
        .values(status="cancelled", cancelled_reason="Schritt bereits erledigt")
    )


SIDES = {"engine": engine_side, "bare": bare_side}

# --------------------------------------------------------------------------------------------
# Running with 1 process (here) or with N worker processes, each on its own cases.


def _serve(conn: Connection, start: Any) -> None:
    """A worker process: run sides on the cases it is sent; report its start and end time."""
    from bench.services import apply_settings
    from workflows.installed import register_all

    register_all()  # a fresh process: the engine knows no workflow until one registers
    apply_settings()
    while True:
        command = conn.recv()
        if command is None:
            return
        side, case_ids, actor_id = command
        start.wait()
        began = time.monotonic()
        try:
            SIDES[side](case_ids, actor_id)
        except Exception:  # noqa: BLE001 - the parent raises it
            conn.send(traceback.format_exc())
            continue
        conn.send((began, time.monotonic()))


class Pool:
    """N processes (spawned, so each has its own engine and connections) started once."""

    def __init__(self, processes: int) -> None:
        context = multiprocessing.get_context("spawn")
        self.start = context.Barrier(processes)
        self.pipes: list[Connection] = []
        self.processes = []
        for _ in range(processes):
            parent, child = context.Pipe()
            process = context.Process(target=_serve, args=(child, self.start), daemon=True)
            process.start()
            self.pipes.append(parent)
            self.processes.append(process)

    def run(self, side: str, case_ids: list[int], actor_id: int) -> float:
        """Wall time from the first process starting to the last one finishing."""
        shares = [case_ids[i :: len(self.pipes)] for i in range(len(self.pipes))]
        for pipe, share in zip(self.pipes, shares, strict=True):
            pipe.send((side, share, actor_id))
        spans = [pipe.recv() for pipe in self.pipes]
        for span in spans:
            if isinstance(span, str):
                raise RuntimeError(f"worker process failed:\n{span}")
        return max(end for _b, end in spans) - min(began for began, _e in spans)

    def close(self) -> None:
        for pipe in self.pipes:
            pipe.send(None)
        for process in self.processes:
            process.join(30)


def _measure(
    ctx: Context, processes: int, engine_ids: list[int], bare_ids: list[int], actor: int
) -> tuple[float, float]:
    rounds = ctx.size(2, 6)
    chunk = len(engine_ids) // rounds
    if processes == 1:
        return side_by_side(
            rounds,
            lambda r: engine_side(engine_ids[r * chunk : (r + 1) * chunk], actor),
            lambda r: bare_side(bare_ids[r * chunk : (r + 1) * chunk], actor),
        )
    pool = Pool(processes)
    try:
        subject = baseline = 0.0
        for r in range(rounds):
            sides = [("engine", engine_ids), ("bare", bare_ids)]
            for side, ids in sides if r % 2 == 0 else sides[::-1]:
                seconds = pool.run(side, ids[r * chunk : (r + 1) * chunk], actor)
                if side == "engine":
                    subject += seconds
                else:
                    baseline += seconds
        return subject, baseline
    finally:
        pool.close()


def footprint(case_id: int) -> dict[str, Any]:
    """What a case's transitions left in the database, to check both sides wrote the same."""
    with get_engine().connect() as conn:
        case = conn.execute(select(Case.state, Case.version).where(Case.id == case_id)).one()  # type: ignore[arg-type]
        steps = conn.execute(
            select(CaseStep.kind, CaseStep.state).where(CaseStep.case_id == case_id)
        ).all()  # type: ignore[arg-type]
        events = (
            conn.execute(select(CaseEvent.trigger).where(CaseEvent.case_id == case_id))
            .scalars()
            .all()
        )  # type: ignore[arg-type]
        reminders = conn.execute(
            select(Reminder.id, Reminder.kind, Reminder.status).where(Reminder.case_id == case_id)
        ).all()  # type: ignore[arg-type]
        ids = {r.id for r in reminders}
        outbox = [
            a
            for a in conn.execute(select(OutboxMessage.arguments)).scalars()
            if a.get("reminder_id") in ids
        ]
        appointments = conn.execute(
            select(Appointment.kind, Appointment.status).where(Appointment.case_id == case_id)
        ).all()  # type: ignore[arg-type]
    return {
        "case": tuple(case),
        "steps": sorted(map(tuple, steps)),
        "events": Counter(events),
        "reminders": Counter((r.kind, r.status) for r in reminders),
        "outbox": len(outbox),
        "appointments": sorted(map(tuple, appointments)),
    }


def run(ctx: Context) -> list[Row]:
    from bench.world import World

    world = World()
    per_side = ctx.size(40, 1500)
    ctx.log(f"copying {6 * per_side + 4:,} open cases")
    ids = world.cases(6 * per_side + 4)
    warm, ids = ids[:4], ids[4:]
    engine_side(warm[:2], world.caseworker_id)
    bare_side(warm[2:], world.caseworker_id)
    engine_rows, bare_rows = footprint(warm[0]), footprint(warm[2])
    if engine_rows != bare_rows:
        raise AssertionError(
            "the baseline no longer writes what advance() writes (update bench/persisted.py "
            f"to the product's transitions): {engine_rows} != {bare_rows}"
        )
    rows = []
    for processes in (1, 2):
        group = ids[(processes - 1) * 2 * per_side : processes * 2 * per_side]
        engine_ids, bare_ids = group[:per_side], group[per_side:]
        ctx.log(f"{processes} process(es): {2 * per_side:,} transitions per side")
        engine, bare = _measure(ctx, processes, engine_ids, bare_ids, world.caseworker_id)
        count = 2 * (per_side // ctx.size(2, 6)) * ctx.size(2, 6)
        engine_rate, bare_rate = count / engine, count / bare
        rows.append(
            Row(
                1,
                ctx.db_name,
                f"persisted transitions/s, {processes} process{'es' if processes > 1 else ''}",
                f"{engine_rate:,.0f}/s",
                f"{bare_rate:,.0f}/s",
                engine_rate / bare_rate,
                TARGET,
                note=f"wall time per transition: advance() {engine / count * 1000:.2f} ms, "
                f"bare Core {bare / count * 1000:.2f} ms",
            )
        )
    rows.append(_with_variant(ctx, world, ids[4 * per_side :], per_side))
    return rows


def _with_variant(ctx: Context, world: Any, ids: list[int], per_side: int) -> Row:
    """``advance()`` on cases opened under an office's variant (its own deadlines and an own
    step) against ``advance()`` on cases of the definition as it is, side by side: the
    variant's cost is one more primary-key read per change (the revision, applied once per
    process)."""
    from sqlalchemy import update as core_update

    from models import WorkflowVariant
    from workflows.definitions import variants
    from workflows.move_in import CURRENT

    varied, base = ids[:per_side], ids[per_side : 2 * per_side]
    data = variants.VariantIn.model_validate({
        "due_days": {"energy": 21}, "milestone_days": {"welcome_visit": 10},
        "local_steps": [{"key": "stromspar", "label": "Stromspar-Check", "due_days": 28}],
        "reason": "Benchmark",
    })  # fmt: skip
    with new_session() as session:
        variant: WorkflowVariant = variants.save(
            session, world.office_id, CURRENT, data, author_id=None
        )
        session.execute(
            core_update(Case).where(Case.id.in_(varied)).values(variant_id=variant.id)  # type: ignore[union-attr]
        )
        session.commit()
    ctx.log(f"office variant: {2 * per_side:,} transitions per side")
    rounds = ctx.size(2, 6)
    chunk = per_side // rounds
    subject, baseline = side_by_side(
        rounds,
        lambda r: engine_side(varied[r * chunk : (r + 1) * chunk], world.caseworker_id),
        lambda r: engine_side(base[r * chunk : (r + 1) * chunk], world.caseworker_id),
    )
    count = 2 * chunk * rounds
    return Row(
        1, ctx.db_name, "persisted transitions/s, office variant",
        f"{count / subject:,.0f}/s", f"{count / baseline:,.0f}/s",
        baseline / subject, VARIANT_TARGET,
        note="baseline: advance() on cases of the definition as it is; wall time per "
        f"transition {subject / count * 1000:.2f} ms against {baseline / count * 1000:.2f} ms",
    )  # fmt: skip
