"""A step on a waiting list: no deadline, no escalation, a follow-up date for the caseworker."""

from datetime import date, timedelta

import pytest
from sqlmodel import select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Case, CaseStep, Reminder
from models.enums import ReminderKind
from tests.helpers import in_hours, pass_time, run_sweep, step
from tests.services import wait_for
from workflows.casework.worklist import CaseQuery, find_cases
from workflows.engine.errors import GuardFailed


def today() -> date:
    """Today in Berlin, asked when needed (a module constant goes stale across midnight)."""
    return berlin(utc_now()).date()


TODDLER = [
    {"given_name": "Amal", "family_name": "Haddad", "birth_date": "1986-04-02"},
    {"given_name": "Nour", "family_name": "Haddad",
     "birth_date": today().replace(year=today().year - 3).isoformat()},
]  # fmt: skip


def kita(case_id: int) -> CaseStep:
    with unit_of_work() as session:
        return session.exec(
            select(CaseStep).where(CaseStep.case_id == case_id, CaseStep.kind == "kindergarten")
        ).one()


def reminders_of(step_id: int) -> dict[str, str]:
    with unit_of_work() as session:
        rows = session.exec(select(Reminder).where(Reminder.step_id == step_id))
        return {f"{r.kind}:{r.id}": r.status for r in rows}


def test_a_held_step_leaves_the_overdue_list_and_its_escalation_ends(world):
    case_id = world.open_case(members=TODDLER)
    for done in ("registration", "energy"):
        step(case_id, f"complete_{done}", world.caseworker_id)
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(1))
    step(case_id, "record_welcome_visit", world.caseworker_id, confirm=True)
    pass_time(60)  # only the Kita step is left, and overdue now (56 days)
    with unit_of_work() as session:
        overdue = find_cases(session, CaseQuery(overdue=True), utc_now())
        assert [row.id for row in overdue.rows] == [case_id]
    follow_up = today() + timedelta(days=60)
    step(
        case_id, "hold_kindergarten", world.caseworker_id,
        note="Warteliste Kita Sonnenschein, Platz ab März", on=follow_up,
    )  # fmt: skip
    held = kita(case_id)
    assert (held.state, held.hold_until) == ("waiting", follow_up)
    assert held.hold_reason == "Warteliste Kita Sonnenschein, Platz ab März"
    statuses = reminders_of(held.id)
    assert sorted(v for k, v in statuses.items() if k.startswith("step_overdue")) == ["cancelled"]
    assert [v for k, v in statuses.items() if k.startswith("hold_follow_up")] == ["scheduled"]
    with unit_of_work() as session:
        assert find_cases(session, CaseQuery(overdue=True), utc_now()).rows == []
        follow = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.HOLD_FOLLOW_UP)
        ).one()
        assert berlin(follow.due_at).date() == follow_up and berlin(follow.due_at).hour == 8

    # Still unfinished: the case does not go on to its follow-up visit without it.
    with unit_of_work() as session:
        assert session.get(Case, case_id).state == "accompanying"

    # Taken up again: open, with a new deadline and its escalation.
    step(case_id, "resume_kindergarten", world.caseworker_id)
    resumed = kita(case_id)
    assert resumed.state == "open" and resumed.hold_until is None
    assert berlin(resumed.due_at).date() > today()
    statuses = reminders_of(resumed.id)
    assert [v for k, v in statuses.items() if k.startswith("hold_follow_up")] == ["cancelled"]
    assert "scheduled" in [v for k, v in statuses.items() if k.startswith("step_overdue")]


def test_a_hold_needs_a_reason_and_a_follow_up_date_within_a_year(world):
    case_id = world.open_case(members=TODDLER)
    with pytest.raises(GuardFailed, match="Datum für die Wiedervorlage"):
        step(case_id, "hold_kindergarten", world.caseworker_id, note="Warteliste")
    with pytest.raises(GuardFailed, match="höchstens ein Jahr"):
        step(
            case_id, "hold_kindergarten", world.caseworker_id,
            note="Warteliste", on=today() + timedelta(days=400),
        )  # fmt: skip
    with pytest.raises(GuardFailed, match="Grund"):
        step(case_id, "hold_kindergarten", world.caseworker_id, on=today() + timedelta(days=9))
    assert kita(case_id).state == "open"


@pytest.mark.slow
def test_the_caseworker_is_reminded_on_the_follow_up_date(world, smtp, start_worker):
    start_worker()
    case_id = world.open_case(members=TODDLER)
    step(
        case_id, "hold_kindergarten", world.caseworker_id,
        note="Warteliste", on=today() + timedelta(days=30),
    )  # fmt: skip
    pass_time(31)  # the follow-up morning (08:00) has come, whatever the hour now
    run_sweep()
    mail = wait_for(
        lambda: [m for m in smtp.messages if str(m["Subject"]).startswith("Wiedervorlage")],
        what="the follow-up reminder",
    )[0]
    assert mail["To"] == "lea.brandt@lokal-willkommen.example"
    assert "Kindergartenplatz" in mail["Subject"] and "Warteliste" in mail.get_content()
    assert f"Zum Fall: http://127.0.0.1:8000/cases/{case_id}" in mail.get_content()
    assert mail["Date"] is not None and mail["Date"].datetime.tzinfo is not None  # RFC 5322
