"""Flower for supervisors: only with a login, showing the engine's tasks with ids, never names."""

import base64
import json
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from tests.helpers import in_hours, reminders, step
from tests.services import ROOT, free_port, wait_for

pytestmark = pytest.mark.slow

WILLKOMMEN = str(Path(sys.executable).parent / "willkommen")
LOGIN = "aufsicht:ein-langes-flower-passwort"


def get(url: str, auth: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if auth:
        request.add_header("Authorization", "Basic " + base64.b64encode(auth.encode()).decode())
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status), response.read().decode()
    except urllib.error.HTTPError as error:
        return int(error.code), ""
    except OSError:
        return 0, ""


def test_flower_asks_for_a_login_and_shows_tasks_without_personal_data(
    world, smtp, start_worker, env, tmp_path
):
    """Given Flower started with credentials and a worker running, when a caseworker plans a
    visit, then anonymous requests are refused, and the logged-in API lists the reminder task
    by its name with the reminder's id as its only argument, and the queue lengths by name."""
    start_worker()
    port = free_port()
    user, password = LOGIN.split(":")
    flower_env = {**env, "WILLKOMMEN_FLOWER_USER": user, "WILLKOMMEN_FLOWER_PASSWORD": password}
    log = (tmp_path / "flower.log").open("wb")
    flower = subprocess.Popen(
        [WILLKOMMEN, "flower", "--port", str(port)],
        cwd=ROOT,
        env=flower_env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: get(f"{base}/api/workers", LOGIN)[0] == 200, 40, what="Flower")
        assert get(f"{base}/api/workers")[0] == 401
        assert get(f"{base}/api/workers", "aufsicht:falsch")[0] == 401
        # Its Prometheus metrics too (Flower itself serves them to anyone).
        assert get(f"{base}/metrics")[0] == 401
        assert get(f"{base}/metrics", "aufsicht:falsch")[0] == 401
        status, metrics = get(f"{base}/metrics", LOGIN)
        assert status == 200 and "flower_worker_online" in metrics
        assert get(f"{base}/healthcheck")[0] == 200  # the container's health check
        wait_for(
            lambda: json.loads(get(f"{base}/api/workers", LOGIN)[1] or "{}"),
            40,
            what="Flower to see the worker",
        )

        case_id = world.open_case()
        step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(2))
        smtp.wait_for_messages(1)

        def listed() -> dict:
            status, body = get(f"{base}/api/tasks", LOGIN)
            tasks = json.loads(body) if status == 200 and body else {}
            return {k: t for k, t in tasks.items() if t.get("name") == "messages.send_reminder"}

        # The caseworker's reminder, and the household's welcome information and invitation.
        ids = {r.id for r in reminders(case_id)}
        tasks = wait_for(lambda: len(listed()) >= 3 and listed(), 30, what="the reminder tasks")
        (visit,) = [r for r in reminders(case_id) if r.kind == "visit"]
        shown = [t["kwargs"] for t in tasks.values()]
        assert f"{{'reminder_id': {visit.id}}}" in shown or {"reminder_id": visit.id} in shown
        for task in tasks.values():
            kwargs = task["kwargs"]
            assert kwargs in [f"{{'reminder_id': {i}}}" for i in ids] + [
                {"reminder_id": i} for i in ids
            ]
            assert task["args"] in ("()", "[]", [])
            page = json.dumps(task)
            assert not [w for w in ("Haddad", "Amal", "Evinger", "household.example") if w in page]

        status, body = get(f"{base}/api/queues/length", LOGIN)
        queues = {q["name"]: q["messages"] for q in json.loads(body)["active_queues"]}
        assert status == 200 and {"messages", "referrals", "maintenance"} <= set(queues)
    finally:
        flower.terminate()
        flower.wait(10)
        log.close()


def test_flower_refuses_to_start_in_production_with_the_development_password(env):
    """Given production settings and no Flower password set, when Flower is started,
    then it refuses with a message instead of exposing the queues with a known password."""
    production = {
        **env,
        "WILLKOMMEN_ENVIRONMENT": "production",
        "WILLKOMMEN_SECRET_KEY": "ein-echtes-geheimnis-fuer-den-test",
    }
    production.pop("WILLKOMMEN_FLOWER_PASSWORD", None)
    result = subprocess.run(
        [WILLKOMMEN, "flower", "--port", str(free_port())],
        cwd=ROOT,
        env=production,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert "WILLKOMMEN_FLOWER_PASSWORD" in result.stderr + result.stdout
