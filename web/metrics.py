"""Prometheus metrics of the web app and the engine, served at ``/metrics`` (routes/metrics.py).

Two kinds: what this process saw (requests by route and status, their durations: counted by
``RequestMetrics``, the outermost middleware) and what the database says for every process at
once (outbox backlog and age, reminders by status, the last due-reminder sweep, case events by
trigger: read by ``EngineCollector`` at each scrape, from ``workflows.oversight.operations``).
Labels are route templates, statuses and trigger names: never an id, a name or a link token.
The alerts worth setting on them are in docs/operations.md.
"""

import threading
import time
from collections import Counter as Tally
from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from core.clock import utc_now
from core.config import get_settings
from core.db import new_session
from workflows.oversight import operations

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)

REQUESTS = Counter(
    "willkommen_http_requests",
    "Requests answered, by method, route template and status code.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
DURATION = Histogram(
    "willkommen_http_request_duration_seconds",
    "Time to answer a request, by method and route template.",
    ["method", "route"],
    registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)


def route_label(scope: Scope) -> str:
    """The matched route's template (``/cases/{case_id}``), never the path itself: a path can
    carry a partner's link token or an id, and would make a new series for every case."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if isinstance(template, str):
        return template
    if scope.get("path", "").startswith("/static/"):
        return "/static"
    return "unmatched"


class RequestMetrics:
    """Counts and times every HTTP request, including those the inner middlewares answer
    themselves (400 for malformed input, 503 when the admission queue is full); ``also`` is
    called with each answer's status too (the access log). A plain ASGI middleware:
    ``BaseHTTPMiddleware`` would stream every response through a task of its own."""

    def __init__(self, app: ASGIApp, also: Callable[[Scope, int], None] | None = None) -> None:
        self.app, self.also = app, also

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            method, route = scope["method"], route_label(scope)
            REQUESTS.labels(method, route, str(status)).inc()
            DURATION.labels(method, route).observe(time.perf_counter() - started)
            if self.also is not None:
                self.also(scope, status)


class EngineCollector(Collector):
    """The engine's state, read from the database at each scrape (a few index lookups)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._after: int | None = None  # case events up to this id are counted
        self._events: Tally[str] = Tally()

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        with self._lock:
            yield from self._collect()

    def _collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        up = GaugeMetricFamily("willkommen_database_up", "1 when the database answered.")
        now = utc_now()
        try:
            with new_session() as session:
                state = operations.read(session, now, get_settings())
                if self._after is None:  # counted from this process's first scrape on
                    self._after = operations.latest_event_id(session)
                else:
                    self._after, new = operations.events_after(session, self._after)
                    self._events.update(new)
        except SQLAlchemyError:
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield _gauge("willkommen_outbox_pending", state.outbox_pending)
        age = state.outbox_age.total_seconds() if state.outbox_age else 0.0
        yield _gauge("willkommen_outbox_oldest_age_seconds", age)
        reminders = GaugeMetricFamily(
            "willkommen_reminders", HELP["willkommen_reminders"], labels=["status"]
        )
        reminders.add_metric(["due"], state.due_not_queued)
        for status, count in state.by_status.items():
            reminders.add_metric([status], count)
        yield reminders
        due_age = (now - state.oldest_due_at).total_seconds() if state.oldest_due_at else 0.0
        yield _gauge("willkommen_reminders_due_oldest_age_seconds", due_age)
        if state.last_sweep_at is not None:
            sweep = state.last_sweep_at.timestamp()
            yield _gauge("willkommen_dispatch_last_sweep_timestamp_seconds", sweep)
        yield _gauge("willkommen_dispatch_stopped", int(state.sweep_stopped))
        events = CounterMetricFamily(
            "willkommen_case_events", HELP["willkommen_case_events"], labels=["trigger"]
        )
        for trigger, count in sorted(self._events.items()):
            events.add_metric([trigger], count)
        yield events


HELP = {
    "willkommen_outbox_pending": "Outbox messages not yet handed to the broker.",
    "willkommen_outbox_oldest_age_seconds": "Age of the oldest message waiting in the outbox "
    "(0: none).",
    "willkommen_reminders": "Reminders by status: due (its time has come, not yet queued), "
    "queued, sending, task (a call or letter for staff), failed (given up; shown on the case).",
    "willkommen_reminders_due_oldest_age_seconds": "How long the oldest due reminder has waited "
    "for the sweep (0: none).",
    "willkommen_dispatch_last_sweep_timestamp_seconds": "When the due-reminder sweep (started "
    "by celery beat) last finished, Unix time.",
    "willkommen_dispatch_stopped": "1 when the sweep is late (beat, broker or workers stopped): "
    "reminders stay unsent.",
    "willkommen_case_events": "Case history entries (transitions and other events) by trigger, "
    "since this process's first scrape, written by any process.",
}


def _gauge(name: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, HELP[name], value=value)


REGISTRY.register(EngineCollector())
