"""What every scenario gets (its context) and gives (rows), and the side-by-side timing helpers."""

import gc
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from bench.report import Row
from bench.services import Database, Services

T = TypeVar("T")


@dataclass
class Context:
    """One scenario on one database (or none), in quick or full mode."""

    number: int
    mode: str  # "quick" or "full"
    db: Database | None
    services: Services
    workdir: Path

    @property
    def quick(self) -> bool:
        return self.mode == "quick"

    @property
    def db_name(self) -> str:
        return self.db.kind if self.db is not None else "memory"

    def size(self, quick: T, full: T) -> T:
        return quick if self.quick else full

    def log(self, message: str) -> None:
        print(f"  [{self.number}/{self.db_name}] {message}", flush=True)


@dataclass(frozen=True)
class Scenario:
    number: int
    title: str
    run: Callable[[Context], list[Row]]
    # The databases it runs on; () for a scenario that needs none (it runs once, "memory").
    databases: tuple[str, ...] = ("sqlite", "postgres")
    # Why it cannot run yet (e.g. the web UI it measures does not exist); printed as a row.
    pending: str | None = None


def timed(action: Callable[[], object]) -> float:
    """Seconds ``action`` took, with the garbage collector out of the measurement."""
    gc.collect()
    gc.disable()
    try:
        start = time.perf_counter()
        action()
        return time.perf_counter() - start
    finally:
        gc.enable()


def side_by_side(
    rounds: int,
    subject: Callable[[int], object],
    baseline: Callable[[int], object],
    prepare: Callable[[int], object] | None = None,
) -> tuple[float, float]:
    """Total seconds of ``subject(r)`` and ``baseline(r)`` over ``rounds`` alternating rounds.

    The order flips every round (AB BA AB ...) so drift on a noisy machine hits both alike;
    ``prepare(r)`` runs before each round, untimed.
    """
    total_subject = total_baseline = 0.0
    for r in range(rounds):
        if prepare is not None:
            prepare(r)
        if r % 2 == 0:
            total_subject += timed(lambda: subject(r))  # noqa: B023 - called at once
            total_baseline += timed(lambda: baseline(r))  # noqa: B023
        else:
            total_baseline += timed(lambda: baseline(r))  # noqa: B023
            total_subject += timed(lambda: subject(r))  # noqa: B023
    return total_subject, total_baseline


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` (0..1) percentile by the nearest-rank method."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(0, min(len(ordered) - 1, round(share * len(ordered) + 0.5) - 1))
    return ordered[rank]


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def rate(count: float, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s" if seconds > 0 else "∞"


def ms(seconds: float) -> str:
    return f"{seconds * 1000:,.2f} ms" if seconds < 1 else f"{seconds:,.2f} s"


def us(seconds: float) -> str:
    return f"{seconds * 1e6:,.1f} µs"
