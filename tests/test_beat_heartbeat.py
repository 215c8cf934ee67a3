"""The beat's health check: healthy only while a beat ticks (a real `celery beat` process)."""

import os
import subprocess
import sys
import time

import pytest

from core import beat
from core.config import get_settings
from tests.services import wait_for

pytestmark = pytest.mark.slow


def check(env: dict[str, str]) -> int:
    command = [sys.executable, "-m", "core.beat", "--check"]
    return subprocess.run(command, env=env, capture_output=True, timeout=30).returncode


def test_the_health_check_follows_a_ticking_beat(env, redis_server, tmp_path):
    """Given no beat has run, the check fails; while a real beat runs it passes; once the beat
    is stopped and its last tick is older than the limit, it fails again."""
    process_env = {**os.environ, **env}
    assert check(process_env) == 1  # never ticked
    command = [sys.executable, "-m", "celery", "-A", "worker", "beat", "--loglevel", "INFO"]
    with (tmp_path / "beat.log").open("wb") as log:
        running = subprocess.Popen(command, env=process_env, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for(lambda: check(process_env) == 0, 60, interval=0.5, what="a ticking beat")
        schedule = get_settings().data_dir.resolve()
        assert any(p.name.startswith("celerybeat-schedule") for p in schedule.iterdir())
    finally:
        running.terminate()
        running.wait(30)
    old = time.time() - beat.MAX_AGE_SECONDS - 5
    os.utime(beat.heartbeat_path(get_settings()), (old, old))  # as if the beat stopped long ago
    assert check(process_env) == 1
