"""``willkommen db upgrade`` and ``willkommen demo``: the demo data a newcomer meets first."""

from datetime import timedelta
from pathlib import Path

from alembic.script import ScriptDirectory
from sqlalchemy import func
from sqlmodel import col, select
from typer.testing import CliRunner

from cli.demo_data import CITY_EMPLOYER
from cli.main import app
from core.clock import berlin, utc_now
from core.db import reset_engine, unit_of_work
from core.migrate import alembic_config
from models import (
    Case,
    CaseEvent,
    CaseStep,
    ConsultationHour,
    Household,
    HouseholdMember,
    Office,
    Partner,
    RoundTable,
    RoundTableGuest,
    RoundTableItem,
    Staff,
    SubLocation,
    Volunteer,
)
from models.enums import Employer, PartnerCategory, Role
from models.network import PartnerContact
from workflows.consultations import figures as consultation_figures
from workflows.definitions import local_steps, variants
from workflows.engine.facts import age_on
from workflows.move_in.states import CaseState
from workflows.roundtables import invitations, items

PARTNER_ORGANISATIONS = {
    "Brackel/Aplerbeck": "Caritas",
    "Eving/Scharnhorst": "Deutsches Rotes Kreuz (DRK)",
    "Hörde/Hombruch": "AWO",
    "Mengede/Huckarde": "Diakonie",
    "Innenstadt Nord": "VMDO (Der Paritätische)",
    "Innenstadt West/Ost": "Projekt Ankommen",
    "Lütgendortmund": "EHC",
}
# People named in the press release: the demo must not use them.
REAL_NAMES = ("Hoerth", "Nakath", "Volbert", "Zoerner", "Ortmann", "Süshardt")


def counts() -> dict[str, int]:
    with unit_of_work() as session:
        return {
            model.__name__: session.exec(select(func.count()).select_from(model)).one()
            for model in (
                Office,
                SubLocation,
                ConsultationHour,
                Staff,
                Partner,
                Household,
                Case,
                PartnerContact,
                Volunteer,
                RoundTable,
            )  # fmt: skip
        }


def test_db_upgrade_reports_the_head_revision(data_dir: Path, runner: CliRunner) -> None:
    """Given an empty data directory, when `db upgrade` runs, then it creates the schema and
    prints the head revision."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()

    result = runner.invoke(app, ["db", "upgrade"])

    assert result.exit_code == 0, result.output
    assert f"Revision {head}" in result.output
    assert (data_dir / "willkommen.db").exists()


def test_demo_loads_the_seven_offices_and_is_idempotent(data_dir: Path, runner: CliRunner) -> None:
    """Given an empty database, when the demo is loaded twice, then the seven offices have their
    real partner organisations, and offices, staff and partners exist once; households add up."""
    first = runner.invoke(app, ["demo", "--households", "5"])
    after_first = counts()
    second = runner.invoke(app, ["demo", "--households", "3", "--seed", "2"])
    after_second = counts()

    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    with unit_of_work() as session:
        offices = {o.name: o.partner_organisation for o in session.exec(select(Office))}
    assert offices == PARTNER_ORGANISATIONS
    for name in (
        "Office", "SubLocation", "ConsultationHour", "Staff", "Partner",
        "PartnerContact", "Volunteer", "RoundTable",
    ):  # fmt: skip
        assert after_second[name] == after_first[name], name
    assert after_first["Household"] == after_first["Case"] == 5
    assert after_second["Household"] == after_second["Case"] == 8
    assert "katrin.hollmann@lokal-willkommen.example" in first.output  # the demo logins


def test_eving_scharnhorst_has_its_address_and_two_outreach_hours(demo_dir: Path) -> None:
    """Given the demo, when the Eving/Scharnhorst office is read, then it sits in Bayrische
    Straße 135, serves both districts and holds one weekly hour in Lanstrop and Scharnhorst-Ost."""
    with unit_of_work() as session:
        office = session.exec(select(Office).where(Office.code == "eving-scharnhorst")).one()
        places = {
            place.name: len(
                session.exec(
                    select(ConsultationHour).where(ConsultationHour.sub_location_id == place.id)
                ).all()
            )
            for place in session.exec(select(SubLocation).where(SubLocation.office_id == office.id))
        }

    assert office.address == "Bayrische Straße 135, 44339 Dortmund"
    assert office.districts == ["Eving", "Scharnhorst"]
    assert places == {"Lanstrop": 1, "Scharnhorst-Ost": 1}


def test_every_office_is_staffed_in_tandem(demo_dir: Path) -> None:
    """Given the demo, when the staff are read, then every office has a city caseworker, a
    caseworker of its association and a supervisor, and one head and one admin work city-wide."""
    with unit_of_work() as session:
        offices = list(session.exec(select(Office)))
        staff = list(session.exec(select(Staff)))

    for office in offices:
        own = [s for s in staff if s.office_id == office.id]
        caseworkers = [s for s in own if s.role == Role.CASEWORKER]
        assert any(
            s.employer == Employer.CITY and s.employer_name == CITY_EMPLOYER for s in caseworkers
        ), office.name
        assert any(
            s.employer == Employer.ASSOCIATION and s.employer_name == office.partner_organisation
            for s in caseworkers
        ), office.name
        assert [s.role for s in own].count(Role.SUPERVISOR) == 1, office.name
    citywide = sorted(s.role for s in staff if s.office_id is None)
    assert citywide == [Role.ADMIN, Role.SUPERVISOR]


def test_demo_people_are_fictional_and_addresses_are_examples(demo_dir: Path) -> None:
    """Given the demo, when names and addresses are read, then no one from the press release
    appears and every email address uses an .example domain."""
    with unit_of_work() as session:
        staff = list(session.exec(select(Staff)))
        partner_emails = list(session.exec(select(Partner.email)))
        household_emails = list(session.exec(select(Household.email)))
        office_emails = list(session.exec(select(Office.email)))
        network_emails = list(session.exec(select(PartnerContact.email)))
        network_emails += list(session.exec(select(Volunteer.email)))

    assert not [s.name for s in staff if any(real in s.name for real in REAL_NAMES)]
    emails = [s.email for s in staff] + partner_emails + office_emails
    emails += [e for e in household_emails if e] + [e for e in network_emails if e]
    assert emails and all(e.endswith(".example") for e in emails)


def test_every_office_has_a_round_table_to_follow_up_and_one_to_prepare(demo_dir: Path) -> None:
    """Given the demo, when an office's round tables are read, then one was held with minutes,
    a decision and an overdue action its owner will be reminded of, and the next is planned with
    an agenda and guests still to be invited; each office works with volunteers who consented."""
    today = berlin(utc_now()).date()
    with unit_of_work() as session:
        offices = list(session.exec(select(Office)))
        overdue = items.overdue(session, today, utc_now())
        for office in offices:
            held, planned = sorted(
                session.exec(select(RoundTable).where(RoundTable.office_id == office.id)),
                key=lambda meeting: meeting.starts_at,
            )
            assert held.status == "held" and held.minutes, office.name
            assert planned.status == "planned" and planned.starts_at > utc_now(), office.name
            assert planned.agenda, office.name
            kept = list(
                session.exec(select(RoundTableItem).where(RoundTableItem.round_table_id == held.id))
            )
            assert {item.kind for item in kept} == {"decision", "action"}, office.name
            late = [i for i in kept if i.due_on and i.due_on < today and i.done_at is None]
            assert len(late) == 1 and late[0].id in overdue, office.name
            waiting = invitations.due(session, planned)
            assert waiting and not invitations.due(session, held), office.name
            people = list(session.exec(select(Volunteer).where(Volunteer.office_id == office.id)))
            assert people and all(p.contact_consent_on for p in people), office.name
        assert session.exec(select(func.count()).select_from(RoundTableGuest)).one() > 0
        assert session.exec(select(func.count()).select_from(PartnerContact)).one() > 0


def test_two_offices_run_their_own_variant_of_the_workflow(demo_dir: Path) -> None:
    """Given the demo, then Eving/Scharnhorst and Innenstadt Nord each run a variant with its
    reason, their cases were opened under it, and the other offices run the definition."""
    with unit_of_work() as session:
        offices = {o.code: o for o in session.exec(select(Office))}
        varied = {
            code: variants.current(session, office.id, "move_in")  # type: ignore[arg-type]
            for code, office in offices.items()
        }
        cases = list(session.exec(select(Case)))
        rows = session.exec(select(CaseStep.case_id, CaseStep.kind)).all()
        own = {case_id for case_id, kind in rows if local_steps.is_local(kind)}
    assert {code for code, v in varied.items() if v is not None} == {
        "eving-scharnhorst", "innenstadt-nord",
    }  # fmt: skip
    assert varied["eving-scharnhorst"].overrides["due_days"] == {"energy": 21}  # type: ignore[union-attr]
    assert varied["innenstadt-nord"].overrides["milestone_days"] == {"welcome_visit": 10}  # type: ignore[union-attr]
    by_id = {v.id: code for code, v in varied.items() if v is not None}
    for case in cases:
        office = next(code for code, o in offices.items() if o.id == case.office_id)
        assert by_id.get(case.variant_id) == (office if office in by_id.values() else None)  # type: ignore[arg-type]
        # Eving's own Stromspar-Check opens at intake; Innenstadt Nord's walk only on request.
        assert (case.id in own) == (office == "eving-scharnhorst"), office


def test_every_place_with_hours_had_visitors_at_the_desk(demo_dir: Path) -> None:
    """Given the demo, when the last month's report is built, then every office and sub-location
    holding hours counts visits at its desk, none of them named."""
    today = berlin(utc_now()).date()
    with unit_of_work() as session:
        places = {(h.office_id, h.sub_location_id) for h in session.exec(select(ConsultationHour))}
        month = consultation_figures.period(session, None, today - timedelta(days=30), today)
    counted = {(p.office_id, p.sub_location_id): p.visits for p in month.places}
    assert all(counted[place] > 0 for place in places)


def test_partners_cover_every_category_citywide(demo_dir: Path) -> None:
    """Given the demo, when partners are read, then every category has a city-wide partner and
    some partners serve only particular districts."""
    with unit_of_work() as session:
        partners = list(session.exec(select(Partner)))

    citywide = {p.category for p in partners if not p.districts}
    assert citywide == set(PartnerCategory)
    assert any(p.districts for p in partners)


def test_demo_cases_are_in_every_state_and_attributed(demo_dir: Path) -> None:
    """Given the demo, when the cases are counted by state, then every case state occurs, every
    household came in through intake, and every history entry names a person."""
    with unit_of_work() as session:
        states = set(session.exec(select(Case.state)))
        openings = session.exec(
            select(func.count()).select_from(CaseEvent).where(CaseEvent.trigger == "open_case")
        ).one()
        anonymous = session.exec(
            select(func.count()).select_from(CaseEvent).where(col(CaseEvent.actor_id).is_(None))
        ).one()

    assert states == {state.value for state in CaseState}
    assert openings == 40
    assert anonymous == 0


def test_steps_respect_who_lives_in_the_household(demo_dir: Path) -> None:
    """Given the demo, when each case's steps are compared with the members' ages at opening,
    then a school step exists exactly when a member aged 6-17 had no school place, and a
    kindergarten step exactly when a member aged 1-5 had no kita place."""
    with unit_of_work() as session:
        cases = list(session.exec(select(Case)))
        members = list(session.exec(select(HouseholdMember)))
        steps = list(session.exec(select(CaseStep)))

    for case in cases:
        opened_on = berlin(case.opened_at).date()
        household = [m for m in members if m.household_id == case.household_id]
        ages = [(m, age_on(m.birth_date, opened_on)) for m in household]
        kinds = {s.kind for s in steps if s.case_id == case.id}
        needs_school = any(6 <= age <= 17 and not m.in_school for m, age in ages)
        needs_kita = any(1 <= age <= 5 and not m.in_childcare for m, age in ages)
        assert ("school" in kinds) == needs_school, case.number
        assert ("kindergarten" in kinds) == needs_kita, case.number
        assert {"registration", "energy"} <= kinds, case.number


def test_the_same_seed_gives_the_same_households(data_dir: Path, runner: CliRunner) -> None:
    """Given an empty database, when the demo is loaded with a seed, the database is removed and
    the demo loaded again with that seed, then both hold the same households and members."""

    def load() -> list[tuple[str, str, str]]:
        result = runner.invoke(app, ["demo", "--households", "6", "--seed", "7"])
        assert result.exit_code == 0, result.output
        with unit_of_work() as session:
            query = select(Household.family_name, Household.street, HouseholdMember.given_name)
            query = query.join(HouseholdMember, col(HouseholdMember.household_id) == Household.id)
            rows = list(session.exec(query.order_by(col(HouseholdMember.id))))
        reset_engine()
        return rows

    first = load()
    for path in data_dir.glob("willkommen.db*"):
        path.unlink()
    second = load()

    assert first == second
    assert len({family for family, _, _ in first}) > 1
