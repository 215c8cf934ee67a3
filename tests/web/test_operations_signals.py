"""What operators watch: /metrics (Prometheus, behind a bearer token) and the dashboard's line
on the automatic sending, which turns into an alert when the due-reminder sweep has stopped."""

from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families

from core.clock import utc_now
from core.db import unit_of_work
from models import Heartbeat
from tasks.reminders import dispatch_due
from tests.helpers import in_hours, pass_time, step
from tests.web.conftest import login
from workflows.oversight.operations import DISPATCH

TOKEN = "ein-langes-metrik-token-0123456789"


@pytest.fixture
def metrics_on(env, monkeypatch):
    from tests.conftest import apply_settings

    monkeypatch.setenv("WILLKOMMEN_METRICS_TOKEN", TOKEN)
    apply_settings()


def scrape(client) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def requests(method: str, route: str, status: int) -> tuple[str, tuple[tuple[str, str], ...]]:
    labels = (("method", method), ("route", route), ("status", str(status)))
    return "willkommen_http_requests_total", labels


def test_metrics_are_off_without_a_token_and_refused_without_the_right_one(client, metrics_on):
    """Given a metrics token, then /metrics answers 401 without it or with a wrong one, and the
    metrics with it; given none (the default), /metrics does not exist."""
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer falsch"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": f"Basic {TOKEN}"}).status_code == 401
    assert scrape(client)[("willkommen_database_up", ())] == 1


def test_without_a_token_metrics_do_not_exist(client):
    assert client.get("/metrics").status_code == 404


def test_requests_are_counted_by_route_template_never_by_path(client, web_world, metrics_on):
    """Given a caseworker opening a case page, then the requests are counted under the route's
    template with their status; no case id, path or name of the household appears."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    before = scrape(client)
    key = requests("GET", "/cases/{case_id:int}", 200)
    assert client.get(f"/cases/{case_id}").status_code == 200
    assert client.get(f"/cases/{case_id}").status_code == 200
    assert client.get("/gibt-es-nicht").status_code == 404
    after = scrape(client)
    assert after[key] - before.get(key, 0) == 2
    unmatched = requests("GET", "unmatched", 404)
    assert after[unmatched] >= 1
    text = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).text
    assert f"/cases/{case_id}" not in text and "Haddad" not in text and "gibt-es" not in text


def test_engine_signals_follow_the_reminders_the_sweep_and_the_transitions(
    client, web_world, metrics_on
):
    """Given a case three weeks on (its welcome-visit reminders are due) and no sweep yet, then
    the due reminder is counted and the sweep counts as stopped; after a sweep the reminder is
    queued and the sweep's time is known; a transition is counted by its trigger; a sweep ten
    minutes old counts as stopped again."""
    scrape(client)  # the first scrape: case events are counted from here on
    case_id = web_world.open_case()
    pass_time(days=21)
    samples = scrape(client)
    assert samples[("willkommen_reminders", (("status", "due"),))] >= 1
    assert samples[("willkommen_dispatch_stopped", ())] == 1
    assert samples[("willkommen_reminders_due_oldest_age_seconds", ())] >= 0

    assert dispatch_due() >= 1  # what beat starts every minute (here in this process)
    samples = scrape(client)
    assert samples[("willkommen_reminders", (("status", "due"),))] == 0
    assert samples[("willkommen_reminders", (("status", "queued"),))] >= 1
    assert samples[("willkommen_dispatch_stopped", ())] == 0
    swept = samples[("willkommen_dispatch_last_sweep_timestamp_seconds", ())]
    assert abs(swept - utc_now().timestamp()) < 60

    step(case_id, "schedule_welcome_visit", web_world.caseworker_id, at=in_hours(30))
    samples = scrape(client)
    key = ("willkommen_case_events_total", (("trigger", "schedule_welcome_visit"),))
    assert samples[key] == 1

    with unit_of_work() as session:
        session.get(Heartbeat, DISPATCH).at = utc_now() - timedelta(minutes=10)  # type: ignore[union-attr]
    assert scrape(client)[("willkommen_dispatch_stopped", ())] == 1


def test_the_dashboard_says_when_the_automatic_sending_has_stopped(client, web_world):
    """Given a sweep a minute ago, the supervisor's dashboard says when it last ran; given one
    ten minutes ago while a reminder is due, it shows an alert naming the services to check."""
    web_world.open_case()
    pass_time(days=21)
    dispatch_due()
    login(client, web_world.emails["supervisor"])
    page = client.get("/dashboard").text
    assert 'id="sweep-status"' in page and "Automatischer Versand: zuletzt vor" in page
    assert 'id="sweep-stopped"' not in page

    with unit_of_work() as session:
        session.get(Heartbeat, DISPATCH).at = utc_now() - timedelta(minutes=10)  # type: ignore[union-attr]
    page = client.get("/dashboard").text
    assert 'id="sweep-stopped"' in page
    assert "steht seit 10 Minuten" in page and "beat" in page
