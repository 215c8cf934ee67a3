"""``python -m bench [--quick|--full] [--db sqlite|postgres|both] [--only 1,2,...]``.

Starts its own services, runs every chosen scenario on every chosen database (each on a fresh
database of its own), prints the table and the machine. Timing never fails the run: the exit
status is 1 only when a scenario crashed, so CI catches broken code, not a slow machine.
"""

import argparse
import importlib
import shlex
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Context, Scenario
from bench.report import Row, failed_row, machine, skipped_row, table
from bench.services import Services, postgres_unavailable

# Needed by one scenario only; missing, that scenario is skipped (with how to install it).
OPTIONAL = {"SpiffWorkflow": "pip install -e '.[bench]' (or pip install SpiffWorkflow)"}


def _lazy(module: str) -> Callable[[Context], list[Row]]:
    """Import a scenario's module only when it runs (scenario 7 needs SpiffWorkflow)."""

    def run(ctx: Context) -> list[Row]:
        try:
            scenario = importlib.import_module(f"bench.{module}")
        except ModuleNotFoundError as exc:
            if exc.name not in OPTIONAL:
                raise
            return [
                skipped_row(
                    ctx.number, ctx.db_name, f"{exc.name} not installed: {OPTIONAL[exc.name]}"
                )
            ]
        rows: list[Row] = scenario.run(ctx)
        return rows

    return run


SCENARIOS = [
    Scenario(1, "Persisted transitions", _lazy("persisted")),
    Scenario(2, "Machine overhead and memory", _lazy("machine"), databases=()),
    Scenario(3, "Outbox relay", _lazy("relay")),
    Scenario(4, "End to end", _lazy("end_to_end")),
    Scenario(5, "Due-reminder sweep at scale", _lazy("sweep")),
    Scenario(6, "Staff pages at scale", _lazy("pages")),
    Scenario(7, "Peer engine: SpiffWorkflow", _lazy("peer")),
    Scenario(8, "Advancing cases over HTTP", _lazy("over_http")),
]


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--quick", dest="mode", action="store_const", const="quick")
    mode.add_argument("--full", dest="mode", action="store_const", const="full")
    parser.set_defaults(mode="quick")
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--only", default="", help="scenario numbers, e.g. 1,3,5")
    parser.add_argument("--markdown", type=Path, help="also write the report to this file")
    return parser.parse_args(argv)


def chosen(options: argparse.Namespace) -> list[Scenario]:
    numbers = {int(n) for n in options.only.split(",") if n.strip()}
    return [s for s in SCENARIOS if not numbers or s.number in numbers]


class Run:
    def __init__(self, options: argparse.Namespace, workdir: Path) -> None:
        self.options, self.workdir = options, workdir
        self.services = Services(workdir)
        self.rows: list[Row] = []
        self.crashed = False
        self.versions: dict[str, str] = {}

    def databases(self) -> list[str]:
        wanted = ["sqlite", "postgres"] if self.options.db == "both" else [self.options.db]
        if "postgres" in wanted:
            reason = postgres_unavailable()
            if reason:
                print(f"PostgreSQL skipped: {reason}", flush=True)
                self.rows.append(skipped_row(0, "postgres", reason))
                wanted.remove("postgres")
            else:
                self.versions["PostgreSQL"] = _postgres_version()
        return wanted

    def scenario(self, scenario: Scenario, databases: list[str]) -> None:
        print(f"\n== {scenario.number}. {scenario.title}", flush=True)
        if scenario.pending:
            print(f"  {scenario.pending}", flush=True)
            self.rows.append(skipped_row(scenario.number, "–", scenario.pending))
            return
        targets: list[str | None] = (
            [d for d in databases if d in scenario.databases] if scenario.databases else [None]
        )
        for kind in targets:
            self.once(scenario, kind)

    def once(self, scenario: Scenario, kind: str | None) -> None:
        started = time.monotonic()
        name = kind or "memory"
        try:
            if kind is None:
                ctx = Context(scenario.number, self.options.mode, None, self.services, self.workdir)
                rows = scenario.run(ctx)
            else:
                with self.services.database(kind) as database:
                    ctx = Context(
                        scenario.number, self.options.mode, database, self.services, self.workdir
                    )
                    rows = scenario.run(ctx)
        except Exception as exc:  # noqa: BLE001 - report it, run the rest, exit non-zero
            traceback.print_exc()
            self.crashed = True
            rows = [failed_row(scenario.number, name, f"{type(exc).__name__}: {exc}"[:300])]
        print(f"  [{scenario.number}/{name}] done in {time.monotonic() - started:.1f} s")
        self.rows.extend(rows)

    def report(self, command: str, seconds: float) -> str:
        self.versions["Redis"] = self.services.redis_version()
        lines = [
            f"Command: `{command}`",
            f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; wall time {seconds:.0f} s",
            "",
            "Machine:",
            machine(self.versions),
            "",
            table(self.rows),
        ]
        return "\n".join(lines)


def _postgres_version() -> str:
    import psycopg

    from tests.services import postgres_admin_url

    with psycopg.connect(postgres_admin_url()) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "?"


def main(argv: list[str] | None = None) -> int:
    options = parse(argv)
    command = "python -m bench " + shlex.join(sys.argv[1:] if argv is None else argv)
    workdir = Path(tempfile.mkdtemp(prefix="willkommen-bench-"))
    run = Run(options, workdir)
    started = time.monotonic()
    print(f"{command}: {options.mode} mode, work directory {workdir}", flush=True)
    try:
        run.services.start()
        databases = run.databases()
        for scenario in chosen(options):
            run.scenario(scenario, databases)
        report = run.report(command, time.monotonic() - started)
    finally:
        run.services.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    print("\n" + report, flush=True)
    if options.markdown:
        options.markdown.write_text(report + "\n", encoding="utf-8")
    if run.crashed:
        print("\nA scenario crashed (see above): exit status 1.", flush=True)
    return 1 if run.crashed else 0
