"""The product's Celery app (``celery -A worker``) plus the no-op task of scenario 4's baseline.

``bench.noop`` does nothing but note when it ran (one Redis RPUSH), so the benchmark can tell
Celery's own end-to-end rate and latency on this machine, next to the product's.
"""

import time
from functools import cache

import redis

from core.config import get_settings
from worker import app

NOOP_DONE = "bench:noop:done"


@cache
def _client() -> "redis.Redis[bytes]":
    return redis.Redis.from_url(get_settings().broker_url or "")


@app.task(name="bench.noop")
def noop(number: int) -> None:
    """Nothing at all, except saying when."""
    _client().rpush(NOOP_DONE, f"{number} {time.time():.6f}")


__all__ = ["app", "noop"]
