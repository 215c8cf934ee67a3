"""Scenario 2: machine overhead — the engine's in-memory trigger path against bare `transitions`.

Engine side: what ``advance()`` does between loading the rows and writing them — a ``Change``
for the case (workflow lookup, facts), resolving the trigger to its lifecycle, checking it is
offered in the current state, and firing it on a short-lived subject (guards judged, effects
recorded). The facts are given in memory, so no database is involved.

Baseline: the cheapest use of `transitions` — one ``Machine`` per lifecycle with the same
transitions table, plain model objects already bound to it (``add_model`` before the clock
starts), and the trigger method called on the object. Its guards and ``after`` callbacks are
plain methods doing the same checks and recording the same effects.

Both run ``schedule_welcome_visit`` (guard: the visit lies ahead) and ``complete_registration``
(guard: the case is open) on each of many cases.

Memory: the engine keeps nothing per case — no machine, no model, no subject survives a
trigger. Shown by firing both triggers on 100,000 different cases (10,000 in quick mode) and
measuring what stays allocated (tracemalloc) and the process's RSS. For contrast, the memory
that bare `transitions` keeps when every case stays bound to its machine as a model.
"""

import gc
import tracemalloc
from datetime import timedelta
from typing import Any

import psutil
from transitions import Machine

import workflows.move_in as move_in
from bench.common import Context, timed
from bench.report import Row, Target
from core.clock import utc_now
from models import Case, CaseStep
from workflows.engine import Change

TIME_TARGET = Target("<=", 1.5)
MEMORY_TARGET = Target("<=", 16.0, unit="B/case")


def _row(case_id: int) -> tuple[Case, CaseStep]:
    """The rows ``advance`` would have loaded: the case in intake, its registration step open."""
    case = Case(
        id=case_id,
        household_id=case_id,
        office_id=1,
        workflow="move_in",
        workflow_version=1,
        state="intake",
    )
    return case, CaseStep(id=case_id, case_id=case_id, kind="registration", state="open")


def engine_triggers(rows: list[tuple[Case, CaseStep]], now: Any, at: Any) -> None:
    """Both triggers through the engine's judging path, one Change per trigger as in advance()."""
    for case, step in rows:
        change = Change(None, case, actor_id=1, now=now, note=None)  # type: ignore[arg-type]
        change.facts.__dict__["steps"] = {"registration": step}
        judged = change.judge("schedule_welcome_visit", {"note": None, "at": at})
        case.state = judged.subject.state
        change = Change(None, case, actor_id=1, now=now, note=None)  # type: ignore[arg-type]
        change.facts.__dict__["steps"] = {"registration": step}
        judged = change.judge("complete_registration", {"note": None, "at": None})
        step.state = judged.subject.state


class BareCase:
    """A plain object driven by a bare `transitions` machine: the case lifecycle."""

    def __init__(self, now: Any) -> None:
        self.now, self.effects = now, []

    def appointment_in_future(self, event: Any) -> bool:
        at = event.kwargs.get("at")
        return at is not None and at.tzinfo is not None and at > self.now

    def book_visit(self, event: Any) -> None:
        self.effects.append(("book_visit", event.kwargs["at"]))


class BareStep:
    """A plain object driven by a bare `transitions` machine: one step's lifecycle."""

    def __init__(self, case: BareCase) -> None:
        self.case, self.effects = case, []

    def case_active(self, event: Any) -> bool:
        return self.case.state != "closed"

    def close_step(self, event: Any) -> None:
        self.effects.append(("close_step", event.kwargs.get("note")))


def _bare_machine(lifecycle: Any, model_class: type) -> Machine:
    """The same table as the engine's, with every name the table uses present on the model."""
    for name in [*lifecycle.guards, *lifecycle.builders]:
        if not hasattr(model_class, name):
            setattr(model_class, name, (lambda self, event: True))
    return Machine(
        model=None,
        states=list(lifecycle.states),
        initial=str(lifecycle.initial),
        transitions=[t.as_dict() for t in lifecycle.transitions],
        send_event=True,
        auto_transitions=False,
        ignore_invalid_triggers=False,
    )


CASE_MACHINE = _bare_machine(move_in.MOVE_IN.case, BareCase)
STEP_MACHINE = _bare_machine(move_in.MOVE_IN.step, BareStep)


def bare_models(count: int, now: Any) -> list[tuple[BareCase, BareStep]]:
    models = []
    for _ in range(count):
        case = BareCase(now)
        step = BareStep(case)
        CASE_MACHINE.add_model(case, initial="intake")
        STEP_MACHINE.add_model(step, initial="open")
        models.append((case, step))
    return models


def bare_triggers(models: list[tuple[BareCase, BareStep]], at: Any) -> None:
    for case, step in models:
        case.schedule_welcome_visit(at=at)  # type: ignore[attr-defined]
        step.complete(note=None)  # type: ignore[attr-defined]


def _timing(ctx: Context) -> Row:
    now = utc_now()
    at = now + timedelta(hours=2)
    # add_model checks membership in a list (O(n) per model): rounds of modest size.
    per_round, rounds = ctx.size(2000, 10000), ctx.size(2, 10)
    engine_triggers([_row(0)], now, at)  # warm: first-use caches
    subject = baseline = 0.0
    for r in range(rounds):
        rows, models = [_row(i) for i in range(per_round)], bare_models(per_round, now)
        if r % 2 == 0:
            subject += timed(lambda: engine_triggers(rows, now, at))  # noqa: B023 - called at once
            baseline += timed(lambda: bare_triggers(models, at))  # noqa: B023
        else:
            baseline += timed(lambda: bare_triggers(models, at))  # noqa: B023
            subject += timed(lambda: engine_triggers(rows, now, at))  # noqa: B023
        release_all()
    count = 2 * per_round * rounds
    return Row(
        2,
        "memory",
        "in-memory trigger, time per trigger",
        f"{subject / count * 1e6:.1f} µs",
        f"{baseline / count * 1e6:.1f} µs",
        subject / baseline,
        TIME_TARGET,
        note="engine: Change + judge (no database); bare: trigger method on a bound plain object",
    )


def _rss() -> int:
    gc.collect()
    return int(psutil.Process().memory_info().rss)


def _traced(action: Any) -> tuple[int, Any]:
    """Bytes still allocated (tracemalloc) after ``action()``, and what it returned."""
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    kept = action()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before, kept


def _memory(ctx: Context) -> Row:
    cases, traced = ctx.size(5_000, 100_000), ctx.size(2_000, 20_000)
    bound = ctx.size(1_000, 10_000)  # add_model checks membership in a list: O(n²) beyond that
    now = utc_now()
    at = now + timedelta(hours=2)

    def engine_run(first: int, count: int, samples: list[int] | None = None) -> None:
        for start in range(first, first + count, 1000):
            engine_triggers([_row(i) for i in range(start, start + 1000)], now, at)
            if samples is not None and (start - first) % (count // 10) == 0:
                samples.append(_rss())

    engine_run(0, 1000)  # warm: first-use caches
    samples: list[int] = []
    rss_before = _rss()
    engine_run(1000, cases, samples)
    rss_growth = _rss() - rss_before
    engine_bytes, _ = _traced(lambda: engine_run(1000 + cases, traced))

    def bare_run() -> list[Any]:
        models = bare_models(bound, now)
        bare_triggers(models, at)
        return models

    bare_bytes, kept = _traced(bare_run)
    del kept
    release_all()
    per_case = engine_bytes / traced
    spread = (max(samples) - min(samples)) / 2**20
    return Row(
        2,
        "memory",
        f"memory kept per case ({cases:,} cases × 2 triggers)",
        f"{per_case:,.1f} B/case",
        f"{bare_bytes / bound:,.0f} B/case",
        None,
        MEMORY_TARGET,
        judged=per_case,
        note=f"engine: RSS {rss_growth / 2**20:+.1f} MiB over {cases:,} cases (samples every "
        f"10 % within {spread:.1f} MiB), {engine_bytes:,} B still allocated after {traced:,} "
        "cases (tracemalloc); baseline: bare `transitions` keeping each case bound to its "
        f"machine as a model ({bound:,} cases)",
    )


def release_all() -> None:
    CASE_MACHINE.models.clear()
    STEP_MACHINE.models.clear()


def run(ctx: Context) -> list[Row]:
    ctx.log("timing the trigger path")
    rows = [_timing(ctx)]
    ctx.log("memory over many cases")
    rows.append(_memory(ctx))
    return rows
