"""Scenario 6: staff pages at scale — the case list and a case page, against the bare SQL.

Data: one office holding 100,000 open cases (2,000 in quick mode), copied in bulk from one case
opened through the intake (``bench.world``), their next due dates spread over the last 20 days
so the list really sorts (some overdue, none alike). One of them gets a long history written
with Core: 5,000 history entries (300 in quick mode) — notes, visits moved, referrals started
and ended — plus one sent reminder per ten entries and one answered referral per hundred.

Subject: the real ASGI app (``web.app:create_app``) driven in-process by Starlette's
``TestClient`` with a caseworker signed in through the login form (CSRF token, password). The
server time of one request is ``time.perf_counter()`` around ``client.get``: routing, session
cookie, dependencies, the reads, rendering — no network. Pages: ``GET /cases`` (the office's
cases, most urgent first, 25 a page, with the total) and ``GET /cases/{id}`` of the long case.

Baseline: the plain Core ``SELECT`` statements behind each page, rows fetched, nothing built —
for the list the count of the office's open cases (and of those with a due date), page 1 (open
cases with a due date by date, joined with household, office and assignee, ``LIMIT 25``) and
the steps of the 25 cases; for the case page the case, its household, members and steps, and
per timeline source (history, reminders, referrals, answers) the newest 51 rows up to now and
the planned ones after it (``ORDER BY time … LIMIT``), then the staff and partners they name.

Subject and baseline alternate in blocks of ten requests (AB BA …) after warm-up requests. The
garbage collector runs as in a server; an untimed collection at the start of each block keeps
one side from paying for the other's garbage. Figures: p95 (p50 in the note) of each; target
p95 ≤ 2 × the bare query's p95. Before timing, each page is checked against its baseline (the
list's page and total; the case page's 50 timeline entries are the 50 newest of the bare rows,
with a link to older ones) — a page showing less would flatter the app.
"""

import gc
import logging
import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import and_, bindparam, case, func, insert, select, text, update
from sqlmodel import SQLModel

from bench.common import Context, ms, percentile
from bench.report import Row, Target
from core.clock import utc_now
from core.db import get_engine
from core.passwords import hash_password
from workflows.move_in.states import CaseState

LIST_TARGET = Target("<=", 2.0)
PAGE_TARGET = Target("<=", 1.5)
PASSWORD = "bench-seite-passwort"
PER_PAGE = 25  # web.routes.cases.PER_PAGE
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
TIMELINE_PAGE = 50  # workflows.casework.timeline.PAGE_SIZE
_TIME = re.compile(r'<time datetime="([^"]+)"')  # one per timeline entry (cases/_timeline.html)


def _t(name: str) -> Any:
    return SQLModel.metadata.tables[name]


# --------------------------------------------------------------------------------------------
# Data


def spread_due_dates(case_ids: list[int], chunk: int = 5000) -> None:
    """Copies share one due date; spread them pseudo-randomly over the 20 days before it (the
    milestone moves with it, so it stays the earliest due date of each case)."""
    cases = _t("cases")
    engine = get_engine()
    with engine.connect() as conn:
        base = conn.execute(select(cases.c.next_due_at).where(cases.c.id == case_ids[0])).scalar()
    if base is None:
        raise AssertionError("the copied case has no next due date")
    span = 20 * 24 * 3600
    statement = (
        update(cases)
        .where(cases.c.id == bindparam("b_id"))
        .values(next_due_at=bindparam("b_due"), milestone_due_at=bindparam("b_due"))
    )
    for start in range(0, len(case_ids), chunk):
        params = [
            {"b_id": i, "b_due": base - timedelta(seconds=(i * 2654435761) % span)}
            for i in case_ids[start : start + chunk]
        ]
        with engine.begin() as conn:
            conn.execute(statement, params)


# A long-running case's history, repeated: what staff and the engine write over months.
HISTORY = [
    ("add_note", None, None, None, "Telefonat mit Frau Haddad: Unterlagen fürs Jobcenter fehlen."),
    (
        "reschedule_welcome_visit",
        None,
        "welcome_visit_scheduled",
        "welcome_visit_scheduled",
        "Familie nicht angetroffen.",
    ),
    ("refer_energy", "energy", "open", "referred", None),
    ("add_note", None, None, None, "Termin beim Bürgeramt am Montag, Dolmetscherin organisiert."),
    ("end_referral_energy", "energy", "referred", "open", "Partner hat nicht erreicht."),
    ("grant_consent", None, None, None, None),
    ("add_note", None, None, None, "Schulplatz angefragt, Rückmeldung der Schule steht aus."),
    ("complete_registration", "registration", "open", "done", None),
]


def long_history(case_id: int, entries: int, actor_id: int) -> dict[str, int]:
    """Write ``entries`` history entries for one case, one sent reminder per ten entries and one
    answered referral per hundred, spread over the past; returns what was written."""
    engine = get_engine()
    now = utc_now()
    with engine.begin() as conn:
        steps = {
            kind: step_id
            for step_id, kind in conn.execute(
                select(_t("case_steps").c.id, _t("case_steps").c.kind).where(
                    _t("case_steps").c.case_id == case_id
                )
            )
        }
        step_id = steps.get("energy") or next(iter(steps.values()))
        partner_id = conn.execute(select(func.min(_t("partners").c.id))).scalar_one()
        start = now - timedelta(hours=entries + 1)
        events = []
        for n in range(entries):
            trigger, step_kind, from_state, to_state, note = HISTORY[n % len(HISTORY)]
            events.append(
                {
                    "case_id": case_id,
                    "at": start + timedelta(hours=n),
                    "actor_id": actor_id,
                    "trigger": trigger,
                    "step_kind": step_kind,
                    "from_state": from_state,
                    "to_state": to_state,
                    "note": note,
                }
            )
        conn.execute(insert(_t("case_events")), events)
        reminders = [
            {
                "case_id": case_id,
                "kind": "visit",
                "recipient": "caseworker",
                "due_at": start + timedelta(hours=n, minutes=30),
                "status": "sent",
                "attempts": 1,
                "created_at": start + timedelta(hours=n),
                "queued_at": start + timedelta(hours=n, minutes=30),
                "sent_at": start + timedelta(hours=n, minutes=31),
            }
            for n in range(0, entries, 10)
        ]
        conn.execute(insert(_t("reminders")), reminders)
        referrals = [
            {
                "case_id": case_id,
                "step_id": step_id,
                "partner_id": partner_id,
                "status": "done",
                "created_at": start + timedelta(hours=n, minutes=5),
                "created_by_id": actor_id,
                "answered_at": start + timedelta(hours=n + 20),
                "answer_note": "Stromspar-Check durchgeführt, Tarif gewechselt.",
                "link_nonce": f"bench{n}",
            }
            for n in range(0, entries, 100)
        ]
        conn.execute(insert(_t("referrals")), referrals)
    return {"events": len(events), "reminders": len(reminders), "referrals": len(referrals)}


def maintain() -> None:
    """As autovacuum does on PostgreSQL after a bulk load: statistics and visibility map."""
    engine = get_engine()
    if engine.dialect.name != "postgresql":
        return  # the product never runs ANALYZE on SQLite (see scenario 5)
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        for table in ("households", "household_members", "cases", "case_steps", "case_events"):
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))
        for table in ("reminders", "referrals", "consents", "appointments", "staff"):
            conn.execute(text(f"VACUUM (ANALYZE) {table}"))


# --------------------------------------------------------------------------------------------
# The two sides


def bare_list(office_id: int) -> tuple[Sequence[Any], int]:
    """The list's queries in plain Core: the count of the office's open cases (and of those
    with a due date), page 1 — open cases with a due date by date joined with household,
    office and assignee, ``LIMIT 25`` (the rest from those without one if it runs short) —
    and the steps of the cases shown."""
    cases, households, offices, staff = _t("cases"), _t("households"), _t("offices"), _t("staff")
    where = (cases.c.office_id == office_id, cases.c.state != CaseState.CLOSED.value)
    count = select(func.count(), func.count(cases.c.next_due_at)).where(*where)
    joined = (
        cases.join(households, households.c.id == cases.c.household_id)
        .join(offices, offices.c.id == cases.c.office_id)
        .outerjoin(staff, staff.c.id == cases.c.assignee_id)
    )
    shown = select(cases, households.c.family_name, offices.c.name, staff.c.name)
    shown = shown.select_from(joined).where(*where)
    with get_engine().connect() as conn:
        total, dated = conn.execute(count).one()
        rows = conn.execute(
            shown.where(cases.c.next_due_at.is_not(None))
            .order_by(cases.c.next_due_at, cases.c.id)
            .limit(PER_PAGE)
        ).all()
        if len(rows) < PER_PAGE:
            rows += conn.execute(
                shown.where(cases.c.next_due_at.is_(None))
                .order_by(cases.c.id)
                .limit(PER_PAGE - len(rows))
            ).all()
        steps = _t("case_steps")
        conn.execute(select(steps).where(steps.c.case_id.in_([r.id for r in rows]))).all()
    return rows, int(total)


def _reminder_time() -> Any:
    """When a reminder stands on the timeline (sent, last attempt, planned, due), in SQL."""
    r = _t("reminders").c
    return case(
        (and_(r.status == "sent", r.sent_at.is_not(None)), r.sent_at),
        (r.status == "failed", func.coalesce(r.claimed_at, r.queued_at, r.due_at)),
        (r.status == "cancelled", r.created_at),
        else_=r.due_at,
    )


def _timeline_sources() -> list[tuple[str, Any, Any, Any]]:
    """(name, table, time, id) of each source of the timeline, in the order of its rank."""
    events, reminders, referrals = _t("case_events"), _t("reminders"), _t("referrals")
    return [
        ("reminder", reminders, _reminder_time(), reminders.c.id),
        ("answer", referrals, referrals.c.answered_at, referrals.c.id),
        ("referral", referrals, referrals.c.created_at, referrals.c.id),
        ("event", events, events.c.at, events.c.id),
    ]


def bare_case(case_id: int, now: datetime) -> dict[str, Sequence[Any]]:
    """The case page's rows in plain Core: case, household, members, steps, and per timeline
    source the newest ``TIMELINE_PAGE + 1`` rows up to now and the planned ones after it
    (``ORDER BY time LIMIT``), then the staff and partners they name."""
    cases, households = _t("cases"), _t("households")
    with get_engine().connect() as conn:
        case = conn.execute(select(cases).where(cases.c.id == case_id)).one()
        found: dict[str, Sequence[Any]] = {"case": [case]}
        found["household"] = conn.execute(
            select(households).where(households.c.id == case.household_id)
        ).all()
        members = _t("household_members")
        found["members"] = conn.execute(
            select(members).where(members.c.household_id == case.household_id)
        ).all()
        steps = _t("case_steps")
        found["case_steps"] = conn.execute(select(steps).where(steps.c.case_id == case_id)).all()
        for name, table, at, row_id in _timeline_sources():
            mine = select(table, at.label("placed_at")).where(table.c.case_id == case_id)
            found[name] = conn.execute(
                mine.where(at <= now).order_by(at.desc(), row_id.desc()).limit(TIMELINE_PAGE + 1)
            ).all()
            found[f"planned {name}"] = conn.execute(
                mine.where(at > now).order_by(at, row_id).limit(TIMELINE_PAGE)
            ).all()
        people = {r.actor_id for r in found["event"]} | {
            r.created_by_id for r in (*found["referral"], *found["answer"])
        }
        staff = _t("staff")
        found["staff"] = conn.execute(select(staff).where(staff.c.id.in_(people))).all()
        partners = {r.partner_id for r in (*found["referral"], *found["answer"])}
        found["partners"] = conn.execute(
            select(_t("partners")).where(_t("partners").c.id.in_(partners))
        ).all()
    return found


def newest_entries(found: dict[str, Sequence[Any]]) -> list[Any]:
    """The moments of the entries the first page shows, newest first, from the bare rows."""
    ranked = [
        (_aware(row.placed_at), rank, row.id)
        for rank, (name, *_) in enumerate(_timeline_sources())
        for row in found[name]
    ]
    return [at for at, *_ in sorted(ranked, reverse=True)[:TIMELINE_PAGE]]


def _count_events(case_id: int) -> int:
    events = _t("case_events")
    with get_engine().connect() as conn:
        query = select(func.count()).select_from(events).where(events.c.case_id == case_id)
        return int(conn.execute(query).scalar_one())


def _aware(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@contextmanager
def quiet_request_logs() -> Iterator[None]:
    """The app logs one line per request (``web.app``), httpx one per client call: kept off
    the terminal (the app's log call still runs and makes its record; only the output is gone)."""
    names = ("web.app", "httpx", "httpx2")  # TestClient's transport is httpx2 or httpx
    saved = {
        name: (logging.getLogger(name).propagate, logging.getLogger(name).level) for name in names
    }
    handler = logging.NullHandler()
    for name in names:
        logger = logging.getLogger(name)
        logger.addHandler(handler)
        logger.propagate = False
    for name in names[1:]:
        logging.getLogger(name).setLevel(logging.WARNING)
    try:
        yield
    finally:
        for name, (propagate, level) in saved.items():
            logger = logging.getLogger(name)
            logger.removeHandler(handler)
            logger.propagate = propagate
            logger.setLevel(level)


def signed_in_client(email: str) -> TestClient:
    """The app in-process with ``email`` signed in through the login form."""
    from web.app import create_app

    client = TestClient(create_app(), base_url="http://testserver", follow_redirects=False)
    match = _CSRF.search(client.get("/login").text)
    if match is None:
        raise AssertionError("no CSRF token on the login page")
    response = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": match.group(1), "next": "/"},
    )
    if response.status_code != 303:
        raise AssertionError(f"sign-in refused: {response.status_code} {response.text[:300]}")
    return client


def get_page(client: TestClient, path: str) -> str:
    response = client.get(path)
    if response.status_code != 200:
        raise AssertionError(f"GET {path}: {response.status_code} {response.text[:300]}")
    return response.text


def alternate(
    rounds: int,
    warmup: int,
    subject: Callable[[], object],
    baseline: Callable[[], object],
    block: int = 10,
) -> tuple[list[float], list[float], list[int]]:
    """Seconds of each of ``rounds`` calls of ``subject`` and ``baseline``: in blocks of
    ``block`` calls per side, the blocks alternating AB BA AB … so drift hits both alike.

    The garbage collector runs as in a server (nothing frozen, never disabled), so a page pays
    for the collections its own allocations set off across the whole process. An untimed
    collection at the start of each block clears the other side's garbage: neither side pays
    for the other's. Also returns how many full (generation 2) collections ran inside each
    side's calls.
    """
    for _ in range(warmup):
        subject()
        baseline()
    times: tuple[list[float], list[float]] = ([], [])
    full = [0, 0]
    sides = (subject, baseline)
    for b in range(-(-rounds // block)):
        for k in (0, 1) if b % 2 == 0 else (1, 0):
            gc.collect()
            for _ in range(min(block, rounds - b * block)):
                before = gc.get_stats()[2]["collections"]
                start = time.perf_counter()
                sides[k]()
                times[k].append(time.perf_counter() - start)
                full[k] += gc.get_stats()[2]["collections"] - before
    return times[0], times[1], full


def _row(
    ctx: Context,
    figure: str,
    times: tuple[list[float], list[float], list[int]],
    note: str,
    target: Target,
) -> Row:
    subject, baseline, full = times
    p95, p95_bare = percentile(subject, 0.95), percentile(baseline, 0.95)
    p50, p50_bare = percentile(subject, 0.5), percentile(baseline, 0.5)
    note = (
        f"p50 {ms(p50)} vs {ms(p50_bare)}; {len(subject)} requests each; full garbage "
        f"collections {full[0] / len(subject):.2f} vs {full[1] / len(baseline):.2f} per request; "
        + note
    )
    return Row(6, ctx.db_name, figure, ms(p95), ms(p95_bare), p95 / p95_bare, target, note=note)


# --------------------------------------------------------------------------------------------


def run(ctx: Context) -> list[Row]:
    from bench.world import World

    cases = ctx.size(2_000, 100_000)
    entries = ctx.size(300, 5_000)
    rounds = ctx.size(50, 200)
    warmup = ctx.size(5, 10)

    started = time.monotonic()
    world = World()
    case_ids = world.cases(cases)
    spread_due_dates(case_ids)
    long_case = case_ids[len(case_ids) // 2]
    written = long_history(long_case, entries, world.caseworker_id)
    staff = _t("staff")
    with get_engine().begin() as conn:
        conn.execute(
            update(staff)
            .where(staff.c.id == world.caseworker_id)
            .values(password_hash=hash_password(PASSWORD))
        )
        email = conn.execute(
            select(staff.c.email).where(staff.c.id == world.caseworker_id)
        ).scalar_one()
    maintain()
    ctx.log(
        f"{cases:,} cases and a history of {entries:,} entries built in "
        f"{time.monotonic() - started:.0f} s"
    )

    rows = []
    with quiet_request_logs(), signed_in_client(email) as client:
        # The list: the same first case and the same total as the bare query.
        first, total = bare_list(world.office_id)
        html = get_page(client, "/cases")
        number = f"LW-{first[0].id:06d}"
        # The office holds the copies and the case they were copied from.
        if total != cases + 1 or f"{total} Fälle" not in html:
            raise AssertionError(f"the list does not count {total} cases")
        places = [html.find(f"LW-{row.id:06d}") for row in first]
        if len(places) != PER_PAGE or -1 in places or places != sorted(places):
            raise AssertionError(f"the list does not show the bare query's page ({number} first)")
        times = alternate(
            rounds,
            warmup,
            lambda: get_page(client, "/cases"),
            lambda: bare_list(world.office_id),
        )
        rows.append(
            _row(
                ctx,
                f"case list p95 ({cases:,} cases, {PER_PAGE} a page)",
                times,
                "baseline: count of the office's open cases; page 1 by next due date joined "
                "with household, office and assignee (LIMIT 25); the steps of the 25 cases",
                LIST_TARGET,
            )
        )

        # The case page: the newest entries of the timeline, as the bare queries find them.
        path = f"/cases/{long_case}"
        now = utc_now()
        found = bare_case(long_case, now)
        html = get_page(client, path)
        history = _count_events(long_case)
        listing = html.split('id="verlauf-eintraege"', 1)[1].split("</ol>", 1)[0]
        shown = _TIME.findall(listing)
        expected = [at.isoformat() for at in newest_entries(found)]
        if shown != expected or len(shown) != TIMELINE_PAGE:
            raise AssertionError(f"the case page shows {len(shown)} entries, not the newest 50")
        if "Ältere Einträge anzeigen" not in html:
            raise AssertionError("the case page has no link to older entries")
        times = alternate(
            rounds, warmup, lambda: get_page(client, path), lambda: bare_case(long_case, utc_now())
        )
        rows.append(
            _row(
                ctx,
                f"case page p95 ({history:,} history entries)",
                times,
                f"timeline: the newest {TIMELINE_PAGE} entries (of {history:,} history "
                f"entries, {written['reminders']} sent reminders, {written['referrals']} answered "
                f"referrals) and a link to older ones; page {len(html.encode()) / 1024:,.0f} KiB; "
                "baseline: case, household, members, steps, per timeline source the newest "
                f"{TIMELINE_PAGE + 1} rows and the planned ones (ORDER BY time LIMIT), staff "
                "and partners named",
                PAGE_TARGET,
            )
        )
    return rows
