"""Scenario 6: staff pages at scale — PLACEHOLDER until the staff web UI (issue 3) exists.

What it will measure (the runner already lists it; ``Scenario.pending`` in bench/runner.py keeps
it from running and prints why):

- the case list of one office holding 100,000 cases (10,000 in quick mode), and
- the page of one case with a long history (thousands of history entries),

each as server time p95 over repeated requests to the real ASGI app (``web.app:create_app``,
driven in-process with an HTTP client and a signed-in caseworker's session), against the bare
SQL query behind the page (the same rows read with one plain Core ``SELECT``). Target: p95
≤ 2 × the bare query's p95.

How to add it once the pages exist:
1. Data: ``bench.world.World().cases(n)`` copies an opened case n times in bulk (all in the
   world's one office); for the long history, insert case_events rows for one case with Core.
2. Subject: time ``client.get("/cases?…")`` and ``client.get(f"/cases/{id}")`` (the routes the
   UI defines), after signing in once; take p95 of ~200 requests each.
3. Baseline: the bare ``SELECT`` the page needs (the office's open cases ordered by
   ``next_due_at`` with a page's ``LIMIT``; the case with its steps and history), same count.
4. Return ``Row(6, ctx.db_name, "case list p95 …", …, Target("<=", 2.0))`` rows and delete
   ``pending=`` from the scenario in bench/runner.py.
"""

from bench.common import Context
from bench.report import Row


def run(ctx: Context) -> list[Row]:
    raise NotImplementedError("scenario 6 waits for the staff web UI (issue 3)")
