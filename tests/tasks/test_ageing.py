"""The morning look: a birthday or a passed birth date changes the steps, told once."""

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from core.celery_app import app as celery_app
from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Case, CaseEvent, CaseNotice, CaseStep, Household, HouseholdMember
from tests.services import wait_for
from workflows.casework import ageing

pytestmark = pytest.mark.slow


def today() -> date:
    """Today in Berlin, asked when needed (a module constant goes stale across midnight)."""
    return berlin(utc_now()).date()


def birthday_in(days: int, years: int) -> str:
    """The birth date of someone who turns ``years`` in ``days`` days."""
    return (today().replace(year=today().year - years) + timedelta(days=days)).isoformat()


def a_day_passes_for(case_id: int) -> None:
    """Everyone in the household is a day older (what the calendar does overnight)."""
    with unit_of_work() as session:
        household_id = session.get(Case, case_id).household_id
        for member in session.exec(
            select(HouseholdMember).where(HouseholdMember.household_id == household_id)
        ):
            member.birth_date -= timedelta(days=1)
        household = session.get(Household, household_id)
        if household.expected_birth_on is not None:
            household.expected_birth_on -= timedelta(days=1)


def run_the_morning_look(expected_notices: int, case_id: int) -> list[CaseNotice]:
    celery_app.send_task("casework.look_at_open_cases")

    def notices() -> list[CaseNotice]:
        with unit_of_work() as session:
            query = select(CaseNotice).where(CaseNotice.case_id == case_id)
            return list(session.exec(query.order_by(col(CaseNotice.id))))

    return wait_for(
        lambda: len(notices()) >= expected_notices and notices(), what="the morning's notices"
    )


def test_a_child_turning_six_opens_school_flags_kita_and_is_told_once(world, start_worker):
    start_worker()
    case_id = world.open_case(
        members=[
            {"given_name": "Amal", "family_name": "Haddad", "birth_date": "1986-04-02"},
            {"given_name": "Nour", "family_name": "Haddad", "birth_date": birthday_in(1, 6)},
        ]
    )
    with unit_of_work() as session:
        steps = {s.kind: s.state for s in session.exec(select(CaseStep))}
    assert steps.get("kindergarten") == "open" and "school" not in steps

    a_day_passes_for(case_id)
    notices = run_the_morning_look(2, case_id)
    assert [n.text for n in notices] == [
        "Neuer Stand: „Einschulung“ wurde geöffnet – Nour (6 Jahre).",
        "Neuer Stand: „Kindergartenplatz“ trifft nicht mehr zu (Kein Haushaltsmitglied im "
        "Alter von 1 bis 5 Jahren ohne Platz.) – bitte prüfen und ggf. mit Grund als "
        "„entfällt“ schließen.",
    ]
    with unit_of_work() as session:
        steps = {s.kind: s.state for s in session.exec(select(CaseStep))}
        opened = session.exec(select(CaseEvent).where(CaseEvent.trigger == "open_school")).one()
    assert steps["school"] == "open" and steps["kindergarten"] == "open"
    assert opened.actor_id is None and opened.note == "automatisch geöffnet: Nour (6 Jahre)"

    # The next look (the same code the worker runs) finds nothing new: told once.
    with unit_of_work() as session:
        version = session.get(Case, case_id).version
    found = ageing.look_at(case_id, utc_now())
    assert (found.opened, found.flagged) == ([], [])
    with unit_of_work() as session:
        assert session.get(Case, case_id).version == version
        assert len(session.exec(select(CaseNotice)).all()) == 2


def test_a_passed_birth_date_asks_once_for_the_child(world, start_worker):
    start_worker()
    case_id = world.open_case(expected_birth_on=(today() + timedelta(days=1)).isoformat())
    a_day_passes_for(case_id)
    a_day_passes_for(case_id)
    notices = run_the_morning_look(1, case_id)
    assert (
        "Geburtstermin" in notices[0].text and "als Haushaltsmitglied erfassen" in notices[0].text
    )
    ageing.look_at(case_id, utc_now())
    with unit_of_work() as session:
        assert len(session.exec(select(CaseNotice)).all()) == 1
