"""Scenario 8: advancing cases over HTTP — ``POST /api/cases/{id}/advance`` against a bare
FastAPI endpoint writing the same rows.

Two real server processes, started as the product is deployed (``uvicorn … --factory``, one
process, no access log): the product's app, and ``bench.bare_api`` — a bare FastAPI endpoint
that runs scenario 1's plain Core transaction for the same trigger and reads nothing. Both use
the same database, pool and settings.

Clients: 1, 4 and 16 at once (``httpx`` async, one keep-alive connection each, in this process).
Each client takes cases of its own and sends two requests per case, as a caseworker would:
``schedule_welcome_visit`` with the visit in two hours, then ``complete_registration``. The
product's requests carry a caseworker's API token and answer what the API answers; the bare
ones carry nothing and answer three fields.

Rounds alternate (AB BA …) on fresh cases, after warm-up requests on both; each round's rate
is requests / wall time of the round. Figures: the median round's req/s of each side (target
≥ 0.7× the bare endpoint's), and the p99 latency over all requests (target ≤ 2× the bare
one's). Before timing, one case advanced by each side is compared row by row.
"""

import asyncio
import os
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import httpx2 as httpx

from bench.common import Context, ms, percentile
from bench.persisted import footprint
from bench.report import Row, Target
from bench.services import Child
from core.clock import utc_now
from core.db import unit_of_work
from tests.services import free_port

RATE = Target(">=", 0.7)
TAIL = Target("<=", 2.0)
TRIGGERS = ("schedule_welcome_visit", "complete_registration")


def server(ctx: Context, name: str, factory: str) -> tuple[Child, str]:
    """A uvicorn process serving ``factory`` on a free port, as docker-compose.yml runs it."""
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", factory, "--factory", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--no-access-log", "--log-level", "info"]
    child = Child(name, command, ctx.workdir / f"{name}-{port}.log", b"startup complete")
    return child, f"http://127.0.0.1:{port}"


class Side:
    """One server to send advances to: the product (with a token) or the bare endpoint."""

    def __init__(self, name: str, base: str, path: str, headers: dict[str, str]) -> None:
        self.name, self.base, self.path, self.headers = name, base, path, headers
        self.latencies: list[float] = []
        self.rates: list[float] = []

    def body(self, trigger: str) -> dict[str, Any]:
        if trigger == TRIGGERS[0]:
            return {"trigger": trigger, "at": (utc_now() + timedelta(hours=2)).isoformat()}
        return {"trigger": trigger}

    async def client(self, case_ids: Sequence[int], latencies: list[float]) -> None:
        """One caseworker's client: both requests of each of its cases, one after another."""
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        # A caseworker waits: under 16 clients on SQLite (one writer at a time) a request may
        # queue for seconds; the latency figures show it, a client timeout would only hide it.
        async with httpx.AsyncClient(
            base_url=self.base, headers=self.headers, limits=limits, timeout=120
        ) as c:
            for case_id in case_ids:
                for trigger in TRIGGERS:
                    started = time.perf_counter()
                    answer = await c.post(self.path.format(case_id), json=self.body(trigger))
                    latencies.append(time.perf_counter() - started)
                    if answer.status_code != 200:
                        raise AssertionError(
                            f"{self.name}: {trigger} on case {case_id}: "
                            f"{answer.status_code} {answer.text[:300]}"
                        )

    def round(self, clients: int, case_ids: Sequence[int], *, timed: bool = True) -> None:
        """All clients at once, each on its share of ``case_ids``; the round's rate recorded."""
        latencies: list[float] = []

        async def together() -> None:
            shares = [case_ids[i::clients] for i in range(clients)]
            await asyncio.gather(*(self.client(share, latencies) for share in shares))

        started = time.perf_counter()
        asyncio.run(together())
        seconds = time.perf_counter() - started
        if timed:
            self.rates.append(2 * len(case_ids) / seconds)
            self.latencies.extend(latencies)


def _token(caseworker_id: int) -> str:
    from workflows.directory.accounts import issue_api_token

    with unit_of_work() as session:
        return issue_api_token(session, caseworker_id, "bench")


def run(ctx: Context) -> list[Row]:
    from bench.world import World

    world = World()
    rounds = ctx.size(2, 6)
    per_client = ctx.size(1, 15)  # cases per client and round
    counts = (1, 4, 16)
    needed = sum(2 * rounds * c * per_client for c in counts) + 2 * ctx.size(4, 32) + 2
    ctx.log(f"copying {needed:,} open cases")
    ids = iter(world.cases(needed))
    token = _token(world.caseworker_id)
    product, product_url = server(ctx, "product", "web.app:create_app")
    bare, bare_url = server(ctx, "bare", "bench.bare_api:create_app")
    env = dict(os.environ)
    product.start(env)
    bare.start(env)
    try:
        ours = Side(
            "product", product_url, "/api/cases/{}/advance", {"Authorization": f"Bearer {token}"}
        )
        baseline = Side("bare", bare_url, f"/cases/{{}}/advance?actor={world.caseworker_id}", {})
        # Warm-up (imports, pools, caches), then the same work compared row by row.
        first = [next(ids), next(ids)]
        ours.round(1, first[:1], timed=False)
        baseline.round(1, first[1:], timed=False)
        if footprint(first[0]) != footprint(first[1]):
            raise AssertionError(
                "the bare endpoint no longer writes what the API's advance writes: "
                f"{footprint(first[0])} != {footprint(first[1])}"
            )
        warm = ctx.size(4, 32)
        for side in (ours, baseline):
            side.round(min(16, warm), [next(ids) for _ in range(warm)], timed=False)
        rows = []
        for clients in counts:
            ours.rates, ours.latencies, baseline.rates, baseline.latencies = [], [], [], []
            for r in range(rounds):
                sides = (ours, baseline) if r % 2 == 0 else (baseline, ours)
                for side in sides:
                    side.round(clients, [next(ids) for _ in range(clients * per_client)])
            rows.extend(_rows(ctx, clients, ours, baseline))
            ctx.log(f"{clients} client(s): {rows[-2].value} vs {rows[-2].baseline}")
        return rows
    finally:
        product.stop()
        bare.stop()


def _rows(ctx: Context, clients: int, ours: Side, baseline: Side) -> list[Row]:
    rate, bare_rate = statistics.median(ours.rates), statistics.median(baseline.rates)
    p99, bare_p99 = percentile(ours.latencies, 0.99), percentile(baseline.latencies, 0.99)
    p50, bare_p50 = percentile(ours.latencies, 0.5), percentile(baseline.latencies, 0.5)
    who = f"{clients} client{'s' if clients > 1 else ''}"
    return [
        Row(
            8,
            ctx.db_name,
            f"HTTP advance req/s, {who}",
            f"{rate:,.0f}/s",
            f"{bare_rate:,.0f}/s",
            rate / bare_rate,
            RATE,
            note=f"median of {len(ours.rates)} alternating rounds of "
            f"{2 * len(ours.latencies) // max(1, 2 * len(ours.rates))} requests; "
            f"p50 {ms(p50)} vs {ms(bare_p50)}",
        ),
        Row(
            8,
            ctx.db_name,
            f"HTTP advance p99 latency, {who}",
            ms(p99),
            ms(bare_p99),
            p99 / bare_p99,
            TAIL,
            note=f"{len(ours.latencies)} requests each",
        ),
    ]
