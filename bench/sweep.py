"""Scenario 5: the due-reminder sweep at scale — the same 10,000 due among ever more reminders.

One database per size (100,000, 1,000,000, 10,000,000 on PostgreSQL; 1,000,000 at most on
SQLite), each filled by bulk ``INSERT … SELECT`` over a number series (``generate_series`` on
PostgreSQL, a recursive CTE on SQLite) — never through ``advance``. The rows are realistic: one
case (and household) per ten reminders, every reminder ``scheduled`` with a due time spread
pseudo-randomly over the next 90 days, so the due ones lie all over the table, as they do when
reminders are written over weeks; and the outbox as the product keeps it — a week's relayed
rows (``outbox_keep_days`` of the 90 days' reminders; the nightly prune takes older ones).

At each size the sweep runs at the moment when exactly 10,000 reminders are due (the due time of
the 10,000th scheduled one): ``workflows.engine.reminders.dispatch_due`` in batches, one
committed transaction each, exactly as the ``reminders.dispatch_due`` task does, less the after-
commit publishing to Redis (a cost per reminder that does not depend on the table's size;
scenario 3 measures it). Afterwards the dispatched reminders are marked sent and their outbox
rows relayed (both stay in their tables), and the next sweep takes the next 10,000. The sizes
alternate (ABC CBA ABC, after one warm-up sweep each), so drift on a busy machine hits every
size alike. The figure is the median sweep time at each size; the ratio is against the
smallest table.
"""

import os
import time
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from bench.common import Context, median, timed
from bench.report import Row, Target
from core.clock import utc_now
from core.config import get_settings
from core.db import get_engine
from workflows.engine import reminders

TARGET = Target("<=", 1.2)
# Due times: t0 + (g × 2654435761 mod 90 days) for row g — Knuth's multiplier spreads them
# pseudo-randomly over the rows.
PER_CASE = 10  # ten scheduled reminders per case, as the issue expects

POSTGRES = {
    "households": """
        INSERT INTO households (id, office_id, family_name, street, postal_code, city, district,
            moved_in_on, languages, contact_channels, created_at)
        SELECT g, :office, 'Haushalt ' || g, 'Evinger Straße ' || (g % 200 + 1), '44339',
            'Dortmund', 'Eving', CAST(:moved AS date), CAST('["ar", "de"]' AS json),
            CAST('["visit"]' AS json), CAST(:now AS timestamptz)
        FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS s(g)""",
    "cases": """
        INSERT INTO cases (id, household_id, office_id, workflow, workflow_version, state,
            version, opened_at, updated_at)
        SELECT g, g, :office, 'move_in', 1, 'intake', 1, CAST(:now AS timestamptz),
            CAST(:now AS timestamptz)
        FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS s(g)""",
    "reminders": """
        INSERT INTO reminders (case_id, kind, recipient, milestone, due_at, status, attempts,
            created_at)
        SELECT (g - 1) / 10 + 1, 'milestone_overdue', 'supervisors', 'welcome_visit',
            CAST(:t0 AS timestamptz)
                + make_interval(secs => ((g * 2654435761) % 7776000)::double precision),
            'scheduled', 0, CAST(:now AS timestamptz)
        FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS s(g)""",
    "outbox": """
        INSERT INTO outbox (task, arguments, created_at, relayed_at, attempts)
        SELECT 'messages.send_reminder', CAST('{"reminder_id": ' || g || '}' AS json),
            CAST(:now AS timestamptz), CAST(:now AS timestamptz), 1
        FROM generate_series(CAST(:a AS bigint), CAST(:b AS bigint)) AS s(g)""",
}

_SERIES = "WITH RECURSIVE s(g) AS (SELECT :a UNION ALL SELECT g + 1 FROM s WHERE g < :b) "
SQLITE = {
    "households": _SERIES
    + """
        INSERT INTO households (id, office_id, family_name, street, postal_code, city, district,
            moved_in_on, languages, contact_channels, created_at)
        SELECT g, :office, 'Haushalt ' || g, 'Evinger Straße ' || (g % 200 + 1), '44339',
            'Dortmund', 'Eving', :moved, '["ar", "de"]', '["visit"]', :now FROM s""",
    "cases": _SERIES
    + """
        INSERT INTO cases (id, household_id, office_id, workflow, workflow_version, state,
            version, opened_at, updated_at)
        SELECT g, g, :office, 'move_in', 1, 'intake', 1, :now, :now FROM s""",
    "reminders": _SERIES
    + """
        INSERT INTO reminders (case_id, kind, recipient, milestone, due_at, status, attempts,
            created_at)
        SELECT (g - 1) / 10 + 1, 'milestone_overdue', 'supervisors', 'welcome_visit',
            strftime('%Y-%m-%d %H:%M:%S', :t0 + ((g * 2654435761) % 7776000), 'unixepoch')
                || '.000000',
            'scheduled', 0, :now FROM s""",
    "outbox": _SERIES
    + """
        INSERT INTO outbox (task, arguments, created_at, relayed_at, attempts)
        SELECT 'messages.send_reminder', '{"reminder_id": ' || g || '}', :now, :now, 1
        FROM s""",
}


class Table:
    """The reminders table of one database, grown to its size."""

    def __init__(self, office_id: int) -> None:
        self.engine = get_engine()  # its own: the sweep runs on it whichever is current
        self.postgres = self.engine.dialect.name == "postgresql"
        self.office_id = office_id
        self.size = 0
        self.t0 = utc_now().replace(microsecond=0) + timedelta(minutes=1)
        self.now = utc_now()

    def _params(self, a: int, b: int) -> dict[str, Any]:
        if self.postgres:
            return {
                "a": a,
                "b": b,
                "office": self.office_id,
                "now": self.now,
                "t0": self.t0,
                "moved": self.now.date(),
            }
        stamp = _naive(self.now)
        return {
            "a": a,
            "b": b,
            "office": self.office_id,
            "now": stamp,
            "t0": int(self.t0.timestamp()),
            "moved": self.now.date().isoformat(),
        }

    def grow(self, size: int, chunk: int = 1_000_000) -> None:
        """Add scheduled reminders (and their cases) until ``size`` are in the table."""
        statements = POSTGRES if self.postgres else SQLITE
        for a in range(self.size + 1, size + 1, chunk):
            b = min(size, a + chunk - 1)
            first_case, last_case = (a - 1) // PER_CASE + 1, (b - 1) // PER_CASE + 1
            with self.engine.begin() as conn:
                if first_case <= last_case:
                    params = self._params(first_case, last_case)
                    conn.execute(text(statements["households"]), params)
                    conn.execute(text(statements["cases"]), params)
                conn.execute(text(statements["reminders"]), self._params(a, b))
        # The outbox as the product keeps it: relayed rows stay until the nightly prune takes
        # those older than outbox_keep_days — a week of the 90 days' reminders.
        kept = (size - self.size) * get_settings().outbox_keep_days // 90
        for a in range(1, kept + 1, chunk):
            with self.engine.begin() as conn:
                conn.execute(text(statements["outbox"]), self._params(a, min(kept, a + chunk - 1)))
        self.size = size
        self.maintain()

    def maintain(self) -> None:
        """As in production: PostgreSQL's autovacuum keeps statistics and the visibility map
        fresh (done here at once); the product never runs ANALYZE on SQLite, so neither do we
        (with statistics SQLite would scan the table for the sweep's lost-reminder query)."""
        if self.postgres:
            with self.engine.connect() as conn:
                conn = conn.execution_options(isolation_level="AUTOCOMMIT")
                for table in ("households", "cases", "reminders", "outbox"):
                    conn.execute(text(f"VACUUM (ANALYZE) {table}"))

    def moment_when_due(self, due: int) -> tuple[datetime, int]:
        """The sweep time at which ``due`` scheduled reminders are due, and how many exactly
        (a few more when several fall due in the same second)."""
        query = text(
            "SELECT due_at FROM reminders WHERE status = 'scheduled' "
            "ORDER BY due_at LIMIT 1 OFFSET :n"
        )
        count = text("SELECT count(*) FROM reminders WHERE status = 'scheduled' AND due_at <= :at")
        with self.engine.connect() as conn:
            value = conn.execute(query, {"n": due - 1}).scalar_one()
            due_now = conn.execute(count, {"at": value}).scalar_one()
        if isinstance(value, str):
            value = datetime.fromisoformat(value)
        return (value.replace(tzinfo=UTC) if value.tzinfo is None else value), int(due_now)

    def mark_sent(self) -> None:
        """The dispatched reminders were sent; their outbox rows were relayed (and are kept)."""
        with self.engine.begin() as conn:
            conn.execute(
                text(
                    "UPDATE reminders SET status = 'sent', sent_at = queued_at "
                    "WHERE status = 'queued'"
                )
            )
            conn.execute(text("UPDATE outbox SET relayed_at = created_at WHERE relayed_at IS NULL"))
        self.maintain()

    def plan(self, now: datetime) -> str:
        """How the database finds the due and the lost reminders: index scans, or a scan."""
        lease_end = now - timedelta(seconds=get_settings().sending_lease_seconds)
        queries = {
            "due": "SELECT id FROM reminders WHERE status = 'scheduled' AND due_at <= :now "
            "ORDER BY due_at LIMIT 500",
            # dispatch_due asks once per status (an OR lost the index on SQLite after ANALYZE)
            "lost sending": "SELECT id FROM reminders WHERE status = 'sending' "
            "AND claimed_at < :lease LIMIT 500",
            "lost queued": "SELECT id FROM reminders WHERE status = 'queued' "
            "AND queued_at < :lease LIMIT 500",
        }
        plans = []
        with self.engine.connect() as conn:
            for name, sql in queries.items():
                if self.postgres:
                    rows = conn.execute(text("EXPLAIN " + sql), {"now": now, "lease": lease_end})
                    steps = [r[0].strip(" ->").split("  (")[0] for r in rows]
                    found = [step for step in steps if "Scan" in step]
                else:
                    params = {"now": _naive(now), "lease": _naive(lease_end)}
                    rows = conn.execute(text("EXPLAIN QUERY PLAN " + sql), params)
                    found = [str(r[-1]) for r in rows]
                plans.append(f"{name}: {', '.join(found)}")
        return "; ".join(plans)

    def disk(self) -> str:
        if self.postgres:
            with self.engine.connect() as conn:
                size = conn.execute(text("SELECT pg_total_relation_size('reminders')")).scalar_one()
            return f"reminders table with indexes {int(size) / 2**20:,.0f} MiB"
        path = Path(self.engine.url.database or "")
        size = sum(os.path.getsize(p) for p in path.parent.glob(path.name + "*"))
        return f"database file {size / 2**20:,.0f} MiB"


def _naive(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def sweep(table: "Table", now: datetime) -> int:
    """The body of the ``reminders.dispatch_due`` task at ``now``, without the broker."""
    settings = get_settings()
    total = 0
    while True:
        with Session(table.engine, expire_on_commit=False) as session:
            queued = reminders.dispatch_due(session, now, settings)
            session.commit()
        total += queued
        if queued < settings.dispatch_batch_size:
            return total


def _once(table: Table, due: int) -> float:
    """One sweep when ``due`` are due; the dispatched ones are then marked sent."""
    now, due_now = table.moment_when_due(due)
    found: list[int] = []
    spent = timed(lambda: found.append(sweep(table, now)))
    if found[0] != due_now:
        raise AssertionError(f"the sweep queued {found[0]} reminders, {due_now} were due")
    table.mark_sent()
    return spent


def run(ctx: Context) -> list[Row]:
    from bench.world import World

    assert ctx.db is not None
    postgres = ctx.db.kind == "postgres"
    due = ctx.size(1_000, 10_000)
    sizes = ctx.size(
        [10_000, 50_000],
        [100_000, 1_000_000, 10_000_000] if postgres else [100_000, 1_000_000],
    )
    repeats = ctx.size(2, 3)
    with ExitStack() as stack:
        tables: list[Table] = []
        for size in sizes:  # one database per size (the first is the scenario's own)
            if tables:
                stack.enter_context(ctx.services.database(ctx.db.kind))
            table = Table(World().office_id)
            stack.callback(table.engine.dispose)
            started = time.monotonic()
            table.grow(size)
            built = time.monotonic() - started
            ctx.log(f"{size:,} scheduled reminders built in {built:.0f} s ({table.disk()})")
            tables.append(table)
        for table in tables:
            _once(table, due)  # warms the caches, as a sweep a minute before would
        seconds: dict[int, list[float]] = {size: [] for size in sizes}
        for r in range(repeats):  # the sizes alternate: ABC CBA ABC, so drift hits all alike
            for table in tables if r % 2 == 0 else tables[::-1]:
                seconds[table.size].append(_once(table, due))
        plan = tables[-1].plan(tables[-1].moment_when_due(due)[0])
        disks = {table.size: table.disk() for table in tables}
    smallest = median(seconds[sizes[0]])
    return [
        Row(
            5,
            ctx.db_name,
            f"sweep {due:,} due among {size:,}",
            f"{median(seconds[size]) * 1000:,.0f} ms",
            f"{smallest * 1000:,.0f} ms",
            median(seconds[size]) / smallest,
            TARGET if size != sizes[0] else None,
            note=f"median of {repeats}, sizes alternating; outbox kept "
            f"({size * get_settings().outbox_keep_days // 90:,} relayed rows, a week's); "
            + (f"{disks[size]}; plan: {plan}" if size == sizes[-1] else disks[size]),
        )
        for size in sizes
    ]
