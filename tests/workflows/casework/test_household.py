"""Household edits: recorded with who and when, steps looked at again, deadlines and mail follow."""

from datetime import date, timedelta

import pytest
from sqlmodel import col, select

from core.clock import berlin, utc_now
from core.db import unit_of_work
from models import Case, CaseEvent, CaseNotice, CaseStep, Household, HouseholdMember, Reminder
from models.enums import ReminderKind, ReminderStatus
from tests.helpers import pass_time, run_sweep
from tests.services import wait_for
from workflows.casework import household as edits
from workflows.casework.intake import MemberIn
from workflows.engine.errors import CaseNotFound, InvalidInput, StaleCase


def today() -> date:
    """Today in Berlin, asked when needed (a module constant goes stale across midnight)."""
    return berlin(utc_now()).date()


def years_ago(years: int, days: int = 0) -> str:
    return (today().replace(year=today().year - years) - timedelta(days=days)).isoformat()


def edit(case_id: int, actor_id: int, **fields: object):  # type: ignore[no-untyped-def]
    with unit_of_work() as session:
        return edits.edit_household(
            session, case_id, edits.parse(edits.HouseholdEdit, fields), actor_id=actor_id
        )


def steps_of(case_id: int) -> dict[str, str]:
    with unit_of_work() as session:
        rows = session.exec(select(CaseStep).where(CaseStep.case_id == case_id))
        return {row.kind: row.state for row in rows}


def notices_of(case_id: int) -> list[str]:
    with unit_of_work() as session:
        query = select(CaseNotice.text).where(CaseNotice.case_id == case_id)
        return list(session.exec(query.order_by(col(CaseNotice.id))))


def history(case_id: int) -> list[tuple[str, int | None, str | None]]:
    with unit_of_work() as session:
        query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id))
        return [(e.trigger, e.actor_id, e.note) for e in session.exec(query)]


def test_an_edit_is_on_the_history_with_who_and_what_and_bumps_the_version(world):
    case_id = world.open_case()
    with unit_of_work() as session:
        version = session.get(Case, case_id).version
    edit(case_id, world.caseworker_id, phone="0231 999999", languages=["de", "ar"])
    assert history(case_id)[-1] == (
        "edit_household",
        world.caseworker_id,
        "Geändert: Sprachen, Telefon",
    )
    with unit_of_work() as session:
        household = session.get(Household, session.get(Case, case_id).household_id)
        assert (household.phone, household.languages) == ("0231 999999", ["de", "ar"])
        assert session.get(Case, case_id).version == version + 1
    # The same values again change nothing and write nothing.
    edit(case_id, world.caseworker_id, phone="0231 999999")
    assert [entry[0] for entry in history(case_id)].count("edit_household") == 1


def test_an_edit_on_an_old_version_or_another_office_is_refused_and_nothing_is_written(world):
    case_id = world.open_case()
    with unit_of_work() as session, pytest.raises(StaleCase):
        edits.edit_household(
            session, case_id, edits.HouseholdEdit(phone="0231 1"), actor_id=world.caseworker_id,
            expected_version=99,
        )  # fmt: skip
    with unit_of_work() as session:
        other = world_office_caseworker(session)
    with unit_of_work() as session, pytest.raises(CaseNotFound):
        edits.edit_household(session, case_id, edits.HouseholdEdit(phone="0231 1"), actor_id=other)
    with pytest.raises(InvalidInput) as refused:
        edit(case_id, world.caseworker_id, district="Lütgendortmund")
    assert "übergeben" in refused.value.errors["district"]
    with pytest.raises(InvalidInput) as empty:
        edit(case_id, world.caseworker_id, street=None)
    assert "street" in empty.value.errors
    with pytest.raises(InvalidInput) as twice:
        edit(case_id, world.caseworker_id, languages=["ar", "ar"])
    assert "einmal" in twice.value.errors["languages"]
    assert "edit_household" not in [entry[0] for entry in history(case_id)]
    with unit_of_work() as session:
        assert session.get(Case, case_id).version == 1


def world_office_caseworker(session) -> int:  # type: ignore[no-untyped-def]
    from models import Office, Staff
    from models.enums import Employer, Role

    office = Office(code="huckarde", name="Huckarde", address="x", partner_organisation="AWO",
                    email="h@example.org", districts=["Huckarde"])  # fmt: skip
    session.add(office)
    session.flush()
    staff = Staff(name="Ina Other", email="ina@example.org", role=Role.CASEWORKER,
                  employer=Employer.CITY, employer_name="Stadt", office_id=office.id)  # fmt: skip
    session.add(staff)
    session.flush()
    return int(staff.id)  # type: ignore[arg-type]


def test_an_expected_birth_opens_the_birth_step_with_a_notice(world):
    case_id = world.open_case()
    assert "birth" not in steps_of(case_id)
    expected = today() + timedelta(days=90)
    found = edit(case_id, world.caseworker_id, expected_birth_on=expected.isoformat())
    assert found.opened == ["birth"]
    assert steps_of(case_id)["birth"] == "open"
    assert notices_of(case_id) == [
        f"Haushalt geändert: „Geburt beurkunden“ wurde geöffnet – Geburt erwartet am "
        f"{expected:%d.%m.%Y}."
    ]
    with unit_of_work() as session:
        birth = session.exec(select(CaseStep).where(CaseStep.kind == "birth")).one()
        assert berlin(birth.due_at).date() == expected + timedelta(days=8)  # end of day 7
    # A later date moves the deadline, and its escalation with it.
    later = expected + timedelta(days=10)
    edit(case_id, world.caseworker_id, expected_birth_on=later.isoformat())
    with unit_of_work() as session:
        birth = session.exec(select(CaseStep).where(CaseStep.kind == "birth")).one()
        assert berlin(birth.due_at).date() == later + timedelta(days=8)
        escalations = session.exec(
            select(Reminder).where(
                Reminder.step_id == birth.id, Reminder.kind == ReminderKind.STEP_OVERDUE
            )
        ).all()
        assert sorted(r.status for r in escalations) == ["cancelled", "scheduled"]


def test_a_newborn_is_added_and_a_member_who_moved_out_flags_the_step_never_removes_it(world):
    case_id = world.open_case()  # Amal (adult) and Omar (school age)
    assert steps_of(case_id)["school"] == "open"
    with unit_of_work() as session:
        newborn = MemberIn(given_name="Lina", family_name="Haddad", birth_date=today())
        member, found = edits.add_member(session, case_id, newborn, actor_id=world.caseworker_id)
    assert found.offered == [] and found.opened == ["birth"]
    assert steps_of(case_id)["birth"] == "open"
    with unit_of_work() as session:
        omar = session.exec(
            select(HouseholdMember).where(HouseholdMember.given_name == "Omar")
        ).one()
        found = edits.remove_member(
            session, case_id, omar.id, reason="zieht zum Vater", actor_id=world.caseworker_id
        )
    assert found.flagged == ["school"]
    assert steps_of(case_id)["school"] == "open"  # flagged, never removed
    assert notices_of(case_id)[-1].startswith(
        "Person ausgetragen: „Einschulung“ trifft nicht mehr zu (Kein Haushaltsmitglied"
    )
    assert history(case_id)[-1] == (
        "remove_member",
        world.caseworker_id,
        "Person ausgetragen: zieht zum Vater",
    )


def test_a_child_who_starts_school_is_noted_on_the_member(world):
    case_id = world.open_case()
    with unit_of_work() as session:
        omar = session.exec(
            select(HouseholdMember).where(HouseholdMember.given_name == "Omar")
        ).one()
        found = edits.edit_member(
            session, case_id, omar.id, edits.MemberEdit(in_school=True),
            actor_id=world.caseworker_id,
        )  # fmt: skip
    assert found.flagged == ["school"]
    assert history(case_id)[-1][2] == "Person geändert: Schule"


def test_a_corrected_move_in_date_moves_the_legal_registration_deadline(world):
    case_id = world.open_case()
    moved_in = today() - timedelta(days=5)
    edit(case_id, world.caseworker_id, moved_in_on=moved_in.isoformat())
    with unit_of_work() as session:
        registration = session.exec(select(CaseStep).where(CaseStep.kind == "registration")).one()
        assert berlin(registration.due_at).date() == moved_in + timedelta(days=15)
        pending = session.exec(
            select(Reminder).where(
                Reminder.kind == ReminderKind.REGISTRATION_DEADLINE,
                Reminder.status == ReminderStatus.SCHEDULED,
            )
        ).all()
        assert len(pending) == 1


@pytest.mark.slow
def test_the_next_reminder_goes_to_the_new_address_in_the_new_first_language(
    world, smtp, start_worker
):
    start_worker()
    case_id = world.open_case()
    smtp.wait_for_messages(1)  # the welcome information, in Arabic, to the old address
    edit(case_id, world.caseworker_id, email="neu@household.example", languages=["uk", "ar"])
    pass_time(9)
    run_sweep()
    reminder = wait_for(
        lambda: [m for m in smtp.messages if m["To"] == "neu@household.example"],
        what="the registration reminder at the new address",
    )[0]
    assert reminder["Content-Language"] == "uk"
    assert all(m["Date"] is not None for m in smtp.messages)  # every message is dated
    assert [m["To"] for m in smtp.messages].count("familie.haddad@household.example") == 1


def test_a_new_case_knows_why_each_step_applies_so_the_first_change_is_told(world):
    case_id = world.open_case(
        members=[
            {"given_name": "Amal", "family_name": "Haddad", "birth_date": "1986-04-02"},
            {"given_name": "Nour", "family_name": "Haddad", "birth_date": years_ago(3)},
        ]
    )
    with unit_of_work() as session:
        applies = session.get(Case, case_id).applies
        nour = session.exec(
            select(HouseholdMember).where(HouseholdMember.given_name == "Nour")
        ).one()
    assert f"kindergarten:{nour.id}" in applies
    assert "registration:household" in applies
