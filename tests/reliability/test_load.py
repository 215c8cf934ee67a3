"""Hundreds of staff at the same moment, against a real server process on PostgreSQL.

Every request is answered (2xx, a redirect, or 409), none with a server error; every change
that was confirmed is written exactly once, every refused one left nothing behind.

CI runs WILLKOMMEN_LOAD_REQUESTS=300 (the default); ``make load`` runs the full size.
"""

import os
import re
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx2 as httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import CaseEvent
from tests.web.conftest import PASSWORD
from tests.web.test_api import token_for

pytestmark = [
    pytest.mark.slow,
    pytest.mark.parametrize("database_url", ["postgres"], indirect=True),
]

REQUESTS = int(os.environ.get("WILLKOMMEN_LOAD_REQUESTS", "300"))
ON_ONE_CASE = 50
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _signed_in(url: str, email: str) -> tuple[httpx.Client, str]:
    """A browser-like client signed in through the form, and the CSRF token of its session."""
    client = httpx.Client(base_url=url, timeout=120, limits=httpx.Limits(max_connections=None))
    token = _CSRF.search(client.get("/login").text).group(1)  # type: ignore[union-attr]
    answer = client.post("/login", data={"email": email, "password": PASSWORD,
                                         "csrf_token": token, "next": "/"})  # fmt: skip
    assert answer.status_code == 303, answer.text
    return client, _CSRF.search(client.get("/cases").text).group(1)  # type: ignore[union-attr]


def _api(url: str, web_world) -> httpx.Client:  # type: ignore[no-untyped-def]
    """An API client with the caseworker's token, as many connections as threads use it."""
    headers = token_for(web_world, "caseworker")
    limits = httpx.Limits(max_connections=None)
    return httpx.Client(base_url=url, timeout=120, headers=headers, limits=limits)


def _all_at_once(calls: list) -> list[httpx.Response]:
    """Send every call from its own thread, released together."""
    barrier = threading.Barrier(len(calls))

    def run(call):  # type: ignore[no-untyped-def]
        barrier.wait()
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _history(trigger: str) -> Counter[int]:
    with unit_of_work() as session:
        query = select(CaseEvent.case_id, func.count()).where(CaseEvent.trigger == trigger)
        return Counter(dict(session.exec(query.group_by(col(CaseEvent.case_id))).all()))


def test_hundreds_of_staff_advancing_different_cases_at_once(web_world, live_server):
    """Given REQUESTS cases, when as many staff requests (half through the API, half through
    the form) plan each case's welcome visit at the same moment, then none fails with a 5xx,
    every API call is 200 or 409, and each confirmed change is in the history exactly once."""
    cases = [web_world.open_case() for _ in range(REQUESTS)]
    browser, csrf = _signed_in(live_server, web_world.emails["caseworker"])
    api = _api(live_server, web_world)
    at = berlin(utc_now() + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)

    def by_api(case_id: int):  # type: ignore[no-untyped-def]
        body = {"trigger": "schedule_welcome_visit", "at": at.isoformat()}
        return lambda: api.post(f"/api/cases/{case_id}/advance", json=body)

    def by_form(case_id: int):  # type: ignore[no-untyped-def]
        form = {"trigger": "schedule_welcome_visit", "at": at.strftime("%Y-%m-%dT%H:%M"),
                "csrf_token": csrf}  # fmt: skip
        return lambda: browser.post(f"/cases/{case_id}/advance", data=form)

    calls = [(by_api if i % 2 else by_form)(case_id) for i, case_id in enumerate(cases)]
    answers = _all_at_once(calls)

    statuses = Counter(answer.status_code for answer in answers)
    assert not [s for s in statuses if s >= 500], statuses
    api_answers = answers[1::2]
    assert {a.status_code for a in api_answers} <= {200, 409}, statuses
    assert {a.status_code for a in answers[0::2]} == {303}, statuses
    written = _history("schedule_welcome_visit")
    confirmed = [case_id for case_id, a in zip(cases[1::2], api_answers, strict=True)
                 if a.status_code == 200] + cases[0::2]  # fmt: skip
    refused = [c for c, a in zip(cases[1::2], api_answers, strict=True) if a.status_code == 409]
    lost = [case_id for case_id in confirmed if written[case_id] == 0]
    doubled = [case_id for case_id, times in written.items() if times > 1]
    print(  # the figures README "Reliability" quotes (make load shows them)
        f"\nload: {len(answers)} requests at once, answers {dict(statuses)}, "
        f"confirmed {len(confirmed)}, lost {len(lost)}, doubled {len(doubled)}"
    )
    assert lost == [] and doubled == []
    assert all(written[case_id] == 0 for case_id in refused)
    assert sum(written.values()) == len(confirmed)


def test_fifty_staff_on_one_case_at_once_one_wins(web_world, live_server):
    """Given one case, when fifty staff mark its registration done at the same moment (half
    naming the version they saw), then exactly one is confirmed, the rest get 409, no 5xx, and
    the history holds the change once."""
    case_id = web_world.open_case()
    api = _api(live_server, web_world)
    version = api.get(f"/api/cases/{case_id}").json()["version"]

    def call(index: int):  # type: ignore[no-untyped-def]
        body = {"trigger": "complete_registration"}
        if index % 2:
            body["expected_version"] = version
        return lambda: api.post(f"/api/cases/{case_id}/advance", json=body)

    answers = _all_at_once([call(i) for i in range(ON_ONE_CASE)])

    statuses = Counter(answer.status_code for answer in answers)
    assert statuses == {200: 1, 409: ON_ONE_CASE - 1}, statuses
    assert _history("complete_registration")[case_id] == 1
