"""The result table and the machine it was measured on."""

import os
import platform
import sqlite3
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

import psutil


@dataclass(frozen=True)
class Target:
    """``ratio >= 0.7`` or ``ratio <= 1.5``; None where the issue sets no target."""

    op: str
    bound: float
    unit: str = ""  # set when the target bounds the figure itself, not a ratio

    def met(self, value: float) -> bool:
        return value >= self.bound if self.op == ">=" else value <= self.bound

    def __str__(self) -> str:
        unit = f" {self.unit}" if self.unit else ""
        return f"{'≥' if self.op == '>=' else '≤'} {self.bound:g}{unit}"


@dataclass(frozen=True)
class Row:
    """One figure measured side by side with its baseline in the same run."""

    scenario: int
    db: str
    figure: str
    value: str
    baseline: str
    ratio: float | None = None
    target: Target | None = None
    note: str = ""
    judged: float | None = None  # what the target bounds, when not the ratio

    @property
    def met(self) -> str:
        judged = self.ratio if self.judged is None else self.judged
        if judged is None or self.target is None:
            return "–"
        return "yes" if self.target.met(judged) else "NO"


def failed_row(scenario: int, db: str, error: str) -> Row:
    return Row(scenario, db, "CRASHED", "–", "–", note=error)


def skipped_row(scenario: int, db: str, reason: str) -> Row:
    return Row(scenario, db, "skipped", "–", "–", note=reason)


HEADERS = ("scenario", "db", "figure", "value", "baseline", "ratio", "target", "met?")


def _cells(row: Row) -> tuple[str, ...]:
    ratio = "–" if row.ratio is None else f"{row.ratio:.2f}"
    target = "–" if row.target is None else str(row.target)
    return (str(row.scenario), row.db, row.figure, row.value, row.baseline, ratio, target, row.met)


def table(rows: list[Row]) -> str:
    """A Markdown table (readable in a terminal and in RESULTS.md), notes listed below it."""
    cells = [HEADERS] + [_cells(row) for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(HEADERS))]

    def line(values: tuple[str, ...]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    out = [line(cells[0]), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(values) for values in cells[1:]]
    notes = [f"- {row.scenario}/{row.db} {row.figure}: {row.note}" for row in rows if row.note]
    if notes:
        out += ["", "Notes:", *notes]
    return "\n".join(out)


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            for text in cpuinfo:
                if text.startswith("model name"):
                    return text.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def _package(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def machine(extra: dict[str, str]) -> str:
    """CPU, cores, memory, OS and the versions of everything measured."""
    memory = psutil.virtual_memory().total / 2**30
    facts = {
        "CPU": f"{_cpu_model()}, {os.cpu_count()} cores",
        "RAM": f"{memory:.1f} GiB",
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "SQLite": sqlite3.sqlite_version,
        **extra,
        "libraries": ", ".join(
            f"{name} {_package(name)}"
            for name in ("SQLAlchemy", "psycopg", "transitions", "celery", "kombu", "redis")
        )
        + f", SpiffWorkflow {_package('SpiffWorkflow')}",
    }
    return "\n".join(f"- {key}: {value}" for key, value in facts.items())
