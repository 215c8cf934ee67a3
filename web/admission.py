"""How many requests the app works on at once: as many as it has database connections.

FastAPI runs a request's dependencies and its route in separate threadpool calls, and the
request's session keeps its connection in between. With more requests in flight than
connections, requests holding a connection can wait for a thread while the threads wait for a
connection: every one of them times out with a 500. So each web process admits at most
``db_pool_size`` requests at a time; the others wait their turn here, in order, holding
nothing. An admitted request uses at most one connection (its session), so none waits on the
pool. The pool's overflow serves the relay thread and the readiness check.
"""

from typing import Any

import anyio
import anyio.to_thread
from anyio.lowlevel import RunVar
from starlette.types import ASGIApp, Receive, Scope, Send

# Paths that touch no database (or, for readiness, use the pool's overflow) are never queued.
# Health and metrics answer even when the queue is full: that is when operators look.
UNGATED = ("/static/", "/healthz", "/readyz", "/metrics", "/favicon.ico")


class AdmissionGate:
    """ASGI middleware: at most ``limit`` requests inside the app at once, the rest queue."""

    def __init__(self, app: ASGIApp, limit: int, threads: int) -> None:
        self.app, self.limit, self.threads = app, limit, threads
        # One gate per event loop (a test client may start several, one after the other).
        self._gate: RunVar[anyio.Semaphore] = RunVar(f"admission_gate_{id(self)}")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            # Threads for the admitted requests plus the ungated paths (anyio's default is 40).
            anyio.to_thread.current_default_thread_limiter().total_tokens = self.threads
        if scope["type"] != "http" or scope["path"].startswith(UNGATED):
            await self.app(scope, receive, send)
            return
        try:
            gate = self._gate.get()
        except LookupError:  # the first request in this event loop
            gate = anyio.Semaphore(self.limit, fast_acquire=True)
            self._gate.set(gate)
        async with gate:
            await self.app(scope, receive, send)


def gate_options(pool_size: int, overflow: int) -> dict[str, Any]:
    """The gate's limits for a pool: a request per connection, a thread per request and more."""
    return {"limit": pool_size, "threads": pool_size + max(overflow, 2)}
