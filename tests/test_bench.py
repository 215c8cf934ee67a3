"""The benchmarks' quick mode as a smoke run: every scenario must run and print its row."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.services import postgres_available

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.timeout(600)
def test_quick_benchmark_runs_every_scenario_and_prints_the_table():
    """Given the services this machine offers,
    when `python -m bench --quick` runs on one database (PostgreSQL, the production one, when
    it answers; `make bench` runs both),
    then it exits 0 and its table has a row for every scenario
    (timings are printed, never judged here: a slow machine must not fail CI)."""
    database = "postgres" if postgres_available() is None else "sqlite"
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--db", database],
        cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    rows = re.findall(r"^\| (\d) +\| (\w+|–) +\| (.+?) +\|", result.stdout, flags=re.MULTILINE)
    seen = {(int(number), db) for number, db, _figure in rows}
    expected = {(number, database) for number in (1, 3, 4, 5, 6, 7, 8)}
    expected |= {(2, "memory")}
    assert expected <= seen, f"missing rows {sorted(expected - seen)}:\n{result.stdout[-3000:]}"
    assert not [row for row in rows if row[2] == "CRASHED"], result.stdout[-3000:]
    assert "Machine:" in result.stdout and "CPU:" in result.stdout
