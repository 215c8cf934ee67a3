"""Demo data: the seven offices with staff and partners (once), and generated households.

Households enter only through ``parse_intake`` and ``open_case`` and move on only through
``advance``, exactly as staff would move them; only consent is written directly, as there is no
workflow trigger for it yet.
"""

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from cli import demo_network
from cli.demo_data import CITY_EMPLOYER, OFFICES, PARTNERS, STAFF, OfficeDef
from cli.demo_people import household
from cli.demo_story import ALL_STEPS_CLOSED, Story, moved_in_for, pick_plan, slot
from core.clock import berlin, utc_now
from core.db import unit_of_work
from core.passwords import hash_password
from models import (
    Case,
    ConsultationDuty,
    ConsultationHour,
    Household,
    Office,
    Partner,
    Staff,
    SubLocation,
)
from models.enums import Employer, Role
from workflows.casework.intake import open_case, parse_intake
from workflows.obstacles import kinds, tags

Progress = Callable[[int, int], None]


@dataclass
class DemoSummary:
    """What ``load_demo`` added, and what the database holds now."""

    offices_added: int = 0
    staff_added: int = 0
    partners_added: int = 0
    households_added: int = 0
    totals: dict[str, int] = field(default_factory=dict)
    cases_by_state: dict[str, int] = field(default_factory=dict)


# Every demo account signs in with this password (development only; `demo` refuses production).
DEMO_PASSWORD = "willkommen-demo"


def load_demo(households: int = 40, seed: int = 1, progress: Progress | None = None) -> DemoSummary:
    """Load the offices, staff and partners (only those missing) and ``households`` new cases."""
    summary = DemoSummary()
    with unit_of_work() as session:
        summary.offices_added = _ensure_offices(session)
        summary.staff_added = _ensure_staff(session)
        _ensure_duties(session)
        for office_id in session.exec(select(Office.id)):
            kinds.add_suggestions(session, office_id)  # type: ignore[arg-type]
        summary.partners_added = _ensure_partners(session)
        demo_network.ensure_network(session)
        demo_network.ensure_round_tables(session)
        demo_network.ensure_variants(session)
    # All households in one transaction: the demo loads completely or not at all.
    with unit_of_work() as session:
        summary.households_added = add_households(session, households, seed, progress)
        demo_network.ensure_desk_contacts(session, random.Random(seed))
    with unit_of_work() as session:
        _count(session, summary)
    return summary


def _ensure_offices(session: Session) -> int:
    existing = set(session.exec(select(Office.code)))
    missing = [office for office in OFFICES if office.code not in existing]
    for definition in missing:
        _add_office(session, definition)
    return len(missing)


def _add_office(session: Session, definition: OfficeDef) -> None:
    office = Office(
        code=definition.code,
        name=definition.name,
        address=definition.address,
        partner_organisation=definition.partner_organisation,
        email=definition.email,
        phone=definition.phone,
        districts=[d.value for d in definition.districts],
    )
    session.add(office)
    session.flush()
    places: dict[str, int] = {}
    for name, address in definition.sub_locations:
        place = SubLocation(office_id=office.id, name=name, address=address)  # type: ignore[arg-type]
        session.add(place)
        session.flush()
        places[name] = place.id  # type: ignore[assignment]
    for hour in definition.hours:
        session.add(
            ConsultationHour(
                office_id=office.id,  # type: ignore[arg-type]
                sub_location_id=places.get(hour.sub_location or ""),
                weekday=hour.weekday,
                starts=time.fromisoformat(hour.starts),
                ends=time.fromisoformat(hour.ends),
                languages=list(hour.languages),
            )
        )
    session.flush()


def _ensure_staff(session: Session) -> int:
    offices = {office.code: office for office in session.exec(select(Office))}
    password_hash = hash_password(DEMO_PASSWORD)  # once: argon2 is slow on purpose
    existing = {email.lower() for email in session.exec(select(Staff.email))}
    added = 0
    for person in STAFF:
        if person.email in existing:
            continue
        office = offices[person.office] if person.office else None
        association = person.employer == Employer.ASSOCIATION and office is not None
        session.add(
            Staff(
                name=person.name,
                email=person.email,
                role=person.role,
                employer=person.employer,
                employer_name=office.partner_organisation if association else CITY_EMPLOYER,  # type: ignore[union-attr]
                office_id=office.id if office else None,
                languages=list(person.languages),
                password_hash=password_hash,
            )
        )
        added += 1
    session.flush()
    return added


def _ensure_duties(session: Session) -> None:
    """Someone on duty at each hour without: the office's caseworker who speaks most of the
    hour's languages (the first of them when none does)."""
    staffed = set(session.exec(select(ConsultationDuty.hour_id)))
    for hour in session.exec(select(ConsultationHour).order_by(col(ConsultationHour.id))):
        if hour.id in staffed:
            continue
        query = select(Staff).where(
            Staff.office_id == hour.office_id, Staff.role == Role.CASEWORKER
        )
        caseworkers = list(session.exec(query.order_by(col(Staff.id))))
        if caseworkers:
            best = max(caseworkers, key=lambda s: len(set(s.languages) & set(hour.languages)))
            session.add(ConsultationDuty(hour_id=hour.id, staff_id=best.id))  # type: ignore[arg-type]
    session.flush()


def _ensure_partners(session: Session) -> int:
    existing = set(session.exec(select(Partner.name)))
    missing = [partner for partner in PARTNERS if partner.name not in existing]
    for partner in missing:
        session.add(
            Partner(
                name=partner.name,
                category=partner.category,
                email=partner.email,
                phone=partner.phone,
                districts=[d.value for d in partner.districts],
            )
        )
    session.flush()
    return len(missing)


def add_households(
    session: Session, count: int, seed: int, progress: Progress | None = None
) -> int:
    """Generate ``count`` households and replay each case up to now; returns how many."""
    until = utc_now()
    today = berlin(until).date()
    existing = session.exec(select(func.count()).select_from(Household)).one()
    # Reproducible for a fresh database, and a second run adds new households, not copies.
    rng = random.Random(f"{seed}:{existing}")
    offices = list(session.exec(select(Office)))
    caseworkers = {
        office.id: list(
            session.exec(
                select(Staff)
                .where(
                    Staff.office_id == office.id,
                    Staff.role == Role.CASEWORKER,
                    col(Staff.active).is_(True),
                )
                .order_by(col(Staff.id))
            )
        )
        for office in offices
    }
    for index in range(count):
        plan = pick_plan(rng, existing + index)
        moved_in = moved_in_for(plan, rng, today)
        expecting = plan not in ALL_STEPS_CLOSED and rng.random() < 0.1
        intake = parse_intake(household(rng, moved_in, expecting=expecting))
        office = next(o for o in offices if intake.district in o.districts)
        actor = rng.choice(caseworkers[office.id])
        opened = slot(rng, moved_in + timedelta(days=rng.randint(0, 3)))
        opened = min(opened, until - timedelta(minutes=rng.randint(5, 120)))
        case = open_case(session, intake, actor_id=actor.id, now=opened)
        story = Story(session, case.id, case.household_id, actor.id, opened, until, rng)  # type: ignore[arg-type]
        story.play(plan)
        if case.closed_at is None and rng.random() < 0.3:
            _hold_up(session, case, rng, opened, until)
        if progress is not None:
            progress(index + 1, count)
    return count


def _hold_up(
    session: Session, case: Case, rng: random.Random, opened: datetime, until: datetime
) -> None:
    """An obstacle from the office's list on the case, overcome in half of the cases."""
    offered = kinds.kinds_of(session, case.office_id, active_only=True)
    noted_at = opened + (until - opened) * rng.uniform(0.1, 0.5)
    kind = rng.choice(offered)
    data = tags.ObstacleIn(kind_id=kind.id)  # type: ignore[arg-type]
    obstacle = tags.note(session, case, data, actor_id=case.assignee_id, now=noted_at)
    if rng.random() < 0.5:
        resolved_at = noted_at + (until - noted_at) * rng.uniform(0.2, 0.9)
        assert obstacle.id is not None
        done = tags.ResolveIn()
        tags.resolve(session, case, obstacle.id, done, actor_id=case.assignee_id, now=resolved_at)


def _count(session: Session, summary: DemoSummary) -> None:
    for name, model in (
        ("offices", Office),
        ("staff", Staff),
        ("partners", Partner),
        ("households", Household),
        ("cases", Case),
    ):
        summary.totals[name] = session.exec(select(func.count()).select_from(model)).one()
    rows = session.exec(select(Case.state, func.count()).group_by(Case.state))
    summary.cases_by_state = {state: number for state, number in rows}
