"""Supervisors' read models on a real database (SQLite and PostgreSQL): workload per office,
overdue deadlines, failed messages and how long steps take, built from cases opened and advanced
through the engine as staff would."""

from datetime import date, datetime, timedelta

import pytest
from sqlmodel import select

from core.clock import BERLIN, berlin, utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import Office, Reminder, Staff
from models.enums import Employer, ReminderKind, Role
from tests.conftest import World
from tests.helpers import in_hours, pass_time, step
from workflows.casework.intake import open_case, parse_intake
from workflows.engine import reminders
from workflows.messaging.delivery import deliver
from workflows.oversight import figures

ADULT = {"given_name": "Amal", "family_name": "Haddad", "birth_date": "1986-04-02"}


def today() -> date:
    return berlin(utc_now()).date()


class TwoOffices:
    """The base world (Eving/Scharnhorst) plus Lütgendortmund with its own caseworker."""

    def __init__(self, world: World) -> None:
        self.world = world
        with unit_of_work() as session:
            office = Office(
                code="luetgendortmund",
                name="Lütgendortmund",
                address="Limbecker Straße 20",
                partner_organisation="EHC",
                email="luedo@lokal-willkommen.example",
                districts=["Lütgendortmund"],
            )
            session.add(office)
            session.flush()
            caseworker = Staff(
                name="Mia Ortmann",
                email="mia.ortmann@lokal-willkommen.example",
                role=Role.CASEWORKER,
                employer=Employer.ASSOCIATION,
                employer_name="EHC",
                office_id=office.id,
            )
            session.add(caseworker)
            session.flush()
            self.a, self.b = world.office_id, office.id
            self.b_caseworker = caseworker.id

    def case_in_a(self, **overrides: object) -> int:
        """A household of one adult (steps: registration and energy) in office A."""
        return self.world.open_case(members=[ADULT], **overrides)

    def case_in_b(self, **overrides: object) -> int:
        """The same household in office B, opened by B's caseworker."""
        data = self.world.intake(
            members=[ADULT], district="Lütgendortmund", postal_code="44388", **overrides
        )
        with unit_of_work() as session:
            case = open_case(session, parse_intake(data), actor_id=self.b_caseworker)
            return int(case.id)  # type: ignore[arg-type]

    def visit(self, case_id: int, actor: int) -> None:
        """The welcome visit planned and held: no case-level deadline left."""
        step(case_id, "schedule_welcome_visit", actor, at=in_hours(2))
        step(case_id, "record_welcome_visit", actor, confirm=True)


@pytest.fixture
def offices(world: World) -> TwoOffices:
    return TwoOffices(world)


def test_office_loads_count_open_and_overdue_steps_and_active_cases_per_office(offices):
    """Given two cases in office A (one with energy done), one in office B and a closed case in A,
    when three weeks pass,
    then A shows 2 open registrations (both overdue) and 1 open energy step (overdue), 2 active
    cases; B shows its own case; the closed case counts nowhere; a filter to A shows only A."""
    cw = offices.world.caseworker_id
    offices.case_in_a()
    second = offices.case_in_a()
    step(second, "complete_energy", cw)
    closed = offices.case_in_a()
    step(closed, "close_case", cw, note="Umzug in andere Stadt")
    offices.case_in_b()
    pass_time(20)

    with unit_of_work() as session:
        loads = {load.office_name: load for load in figures.office_loads(session, None, utc_now())}
        only_a = figures.office_loads(session, [offices.a], utc_now())

    eving = loads["Eving/Scharnhorst"]
    assert eving.open_steps == {"registration": 2, "energy": 1}
    assert eving.overdue_steps == {"registration": 2, "energy": 1}
    assert eving.cases_by_state == {"intake": 2} and eving.open_cases == 2
    luedo = loads["Lütgendortmund"]
    assert luedo.open_steps == {"registration": 1, "energy": 1} and luedo.open_cases == 1
    assert [load.office_name for load in only_a] == ["Eving/Scharnhorst"]


def test_overdue_lists_steps_and_missed_visits_of_the_visible_offices_longest_first(offices):
    """Given a case in A whose welcome visit took place but whose registration is late, and a case
    in B with nothing done, when three weeks pass,
    then A's supervisor sees only A's late registration (legal deadline, with assignee); the head
    sees all four late deadlines, the welcome visit of B among them, longest overdue first."""
    cw = offices.world.caseworker_id
    in_a = offices.case_in_a()
    offices.visit(in_a, cw)
    step(in_a, "complete_energy", cw)
    in_b = offices.case_in_b()
    pass_time(21)

    with unit_of_work() as session:
        for_a = figures.overdue(session, [offices.a], utc_now())
        for_all = figures.overdue(session, None, utc_now())

    assert for_a.total == 1
    (item,) = for_a.rows
    assert (item.case_id, item.kind, item.milestone) == (in_a, "registration", False)
    assert item.legal_deadline and item.assignee_name == "Lea Brandt"
    assert item.case_number == f"LW-{in_a:06d}" and item.office_name == "Eving/Scharnhorst"
    assert item.days_overdue(utc_now()) >= 6

    assert for_all.total == 4
    kinds = {(row.case_id, row.kind, row.milestone) for row in for_all.rows}
    assert kinds == {
        (in_a, "registration", False),
        (in_b, "registration", False),
        (in_b, "energy", False),
        (in_b, "welcome_visit", True),
    }
    dues = [row.due_at for row in for_all.rows]
    assert dues == sorted(dues)
    assert figures.milestone_label("welcome_visit") == "Willkommensbesuch"


def test_overdue_list_is_limited_but_counts_all(offices):
    """Given three cases with late deadlines, when the list is limited to two rows,
    then two rows come back and the total still says how many there are."""
    for _ in range(3):
        offices.case_in_a()
    pass_time(20)
    with unit_of_work() as session:
        listing = figures.overdue(session, None, utc_now(), limit=2)
    assert len(listing.rows) == 2 and listing.total == 9  # registration, energy, visit each


def test_failed_messages_show_what_could_not_be_delivered_in_the_visible_offices(offices, smtp):
    """Given two households in A whose registration reminders are due, one whose mail server
    refuses its address (550) and one that simply has no email address, when the workers
    deliver them, then only the refused one is a failure (on email, gone on as a call), shown
    to A's supervisor and the head, not to B's; the one without email is no failure at all."""
    smtp.inbox.refuse.add("refused@household.example")
    refused = offices.case_in_a(email="refused@household.example", contact_channels=["email"])
    offices.case_in_a(email=None)
    with unit_of_work() as session:
        reminders.dispatch_due(session, utc_now() + timedelta(days=30), get_settings())
    with unit_of_work() as session:
        due = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.REGISTRATION_DEADLINE)
        ).all()
    outcomes = {r.case_id: deliver(r.id).status for r in due}  # type: ignore[arg-type]
    assert sorted(outcomes.values()) == ["next channel", "task"]
    refused_id = next(r.id for r in due if r.case_id == refused)
    assert deliver(refused_id).status == "task"  # type: ignore[arg-type]

    with unit_of_work() as session:
        for_a = figures.failed_messages(session, [offices.a])
        for_b = figures.failed_messages(session, [offices.b])
        for_all = figures.failed_messages(session, None)
        by_channel = figures.failures_by_channel(session, [offices.a])
    assert for_b.total == 0 and for_all.total == 1 and for_a.total == 1
    (failed,) = for_a.rows
    assert failed.case_id == refused and failed.kind == ReminderKind.REGISTRATION_DEADLINE
    assert failed.recipient == "household" and failed.channels == ["email"]
    assert (failed.now_status, failed.now_channel) == ("task", "phone")
    assert "550" in (failed.last_error or "")
    assert by_channel == {"email": 1}


def test_median_days_from_move_in_to_step_done_per_step(offices):
    """Given registrations done 2, 4 and 10 days after moving in, one waived, and one done in B,
    when the durations are read for A,
    then the median for registration is 4 days over 3 steps; waived and B's steps do not count."""
    cw = offices.world.caseworker_id
    for days in (2, 4, 10, 7):
        case_id = offices.case_in_a(moved_in_on=(today() - timedelta(days=days)).isoformat())
        if days == 7:
            step(case_id, "waive_registration", cw, note="schon angemeldet")
        else:
            step(case_id, "complete_registration", cw)
    energy = offices.case_in_a(moved_in_on=(today() - timedelta(days=3)).isoformat())
    step(energy, "complete_energy", cw)
    in_b = offices.case_in_b(moved_in_on=(today() - timedelta(days=30)).isoformat())
    step(in_b, "complete_registration", offices.b_caseworker)

    with unit_of_work() as session:
        for_a = figures.step_durations(session, [offices.a], utc_now())
        for_all = figures.step_durations(session, None, utc_now())

    assert [(d.kind, d.median_days, d.count) for d in for_a] == [
        ("registration", 4.0, 3),
        ("energy", 3.0, 1),
    ]
    registration = next(d for d in for_all if d.kind == "registration")
    assert (registration.median_days, registration.count) == (7.0, 4)  # 2, 4, 10, 30


def test_nothing_visible_means_empty_read_models(offices):
    """Given cases in both offices, when someone who sees no office asks, then everything is
    empty (an administrator sees no cases)."""
    offices.case_in_a()
    offices.case_in_b()
    pass_time(20)
    with unit_of_work() as session:
        assert figures.office_loads(session, [], utc_now()) == []
        assert figures.overdue(session, [], utc_now()).total == 0
        assert figures.failed_messages(session, []).total == 0
        assert figures.step_durations(session, [], utc_now()) == []


def test_a_deadline_at_midnight_ends_the_day_before_and_lateness_counts_calendar_days():
    """Given a step due at midnight (Berlin) starting 10 March, when it is read on 10 and on 12
    March, then its last day is 9 March and it is 1 and 3 days overdue."""
    due = datetime(2026, 3, 10, tzinfo=BERLIN)
    item = figures.OverdueItem(
        case_id=1,
        case_number="LW-000001",
        office_name="Eving/Scharnhorst",
        kind="registration",
        milestone=False,
        due_at=due,
        legal_deadline=True,
        assignee_name=None,
    )
    assert item.last_day == date(2026, 3, 9)
    assert item.days_overdue(datetime(2026, 3, 10, 8, 0, tzinfo=BERLIN)) == 1
    assert item.days_overdue(datetime(2026, 3, 12, 23, 0, tzinfo=BERLIN)) == 3
