"""Flower as supervisors run it (``willkommen flower``): celery's Flower with its ``/metrics``
behind the same login as its pages.

Flower 2.2 serves ``/metrics`` (task counts and runtimes per worker and task name) to anyone who
can reach the port, login or not; its other handlers are ``@tornado.web.authenticated``. Here the
metrics handler gets the same decorator before Flower starts, so Prometheus scrapes it with the
supervisors' basic-auth credentials. ``/healthcheck`` stays open for the container's check.
"""

import sys

import tornado.web
from flower.views import monitor


def protect_metrics() -> None:
    get = monitor.Metrics.get
    if not getattr(get, "__wrapped_by_willkommen__", False):
        protected = tornado.web.authenticated(get)
        protected.__wrapped_by_willkommen__ = True  # type: ignore[attr-defined]
        monitor.Metrics.get = protected  # type: ignore[method-assign]


def main(arguments: list[str]) -> None:
    """``python -m core.flower --address … --port …``: Flower for the app in worker.py."""
    from celery.bin.celery import main as celery_main

    protect_metrics()
    sys.argv = ["celery", "-A", "worker", "flower", *arguments]
    celery_main()


if __name__ == "__main__":
    main(sys.argv[1:])
