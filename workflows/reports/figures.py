"""A report over a period for one office or all: households and people taken in, consultation
contacts, home visits, referrals by partner category and outcome, registrations within the
legal 14 days, median days from moving in to each step done, and the obstacles still open at
the period's end — counted with a fixed number of grouped queries, without names.
"""

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from core.clock import berlin
from models import (
    Appointment,
    Case,
    CaseStep,
    Household,
    HouseholdMember,
    Office,
    Partner,
    Referral,
)
from models.enums import (
    PARTNER_CATEGORY_LABELS,
    REFERRAL_STATUS_LABELS,
    AppointmentKind,
    AppointmentStatus,
    District,
    PartnerCategory,
    ReferralStatus,
)
from workflows.consultations import figures as consultation_figures
from workflows.consultations.schedule import local_moment
from workflows.move_in import step_label
from workflows.move_in.states import StepKind, StepState
from workflows.obstacles import figures as obstacle_figures
from workflows.reports.cells import Cell, protect

# The legal deadline for registering a new address (Bundesmeldegesetz § 17).
REGISTRATION_DAYS = 14
# A report spans at most this long (a year and a bit: "the last year" from any day).
MAX_DAYS = 400


@dataclass(frozen=True)
class Row:
    label: str
    cell: Cell


@dataclass
class Section:
    key: str
    title: str
    rows: list[Row] = field(default_factory=list)

    def add(self, label: str, cell: Cell) -> None:
        self.rows.append(Row(label, cell))


@dataclass(frozen=True)
class Report:
    first: date
    last: date
    offices: list[str]  # the offices' names ("alle Büros" when None was asked for)
    sections: list[Section]

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)


class PeriodRefused(ValueError):
    pass


def build(
    session: Session,
    office_ids: list[int] | None,
    first: date,
    last: date,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """The report from ``first`` to ``last`` (inclusive) for these offices (None: all)."""
    if last < first:
        raise PeriodRefused("Das Ende liegt vor dem Anfang.")
    if (last - first).days >= MAX_DAYS:
        raise PeriodRefused(f"Höchstens {MAX_DAYS} Tage auf einmal.")
    start, end = local_moment(first, time(0)), local_moment(last + timedelta(days=1), time(0))
    steps: list[tuple[str, Callable[[], Section]]] = [
        ("Aufnahme", lambda: _intake(session, office_ids, start, end)),
        ("Sprechstunden", lambda: _consultations(session, office_ids, first, last)),
        ("Hausbesuche", lambda: _visits(session, office_ids, start, end)),
        ("Weitervermittlungen", lambda: _referrals(session, office_ids, start, end)),
        ("Anmeldung", lambda: _registrations(session, office_ids, start, end)),
        ("Dauer", lambda: _durations(session, office_ids, start, end)),
        ("Hemmnisse", lambda: _obstacles(session, office_ids, first, last)),
    ]
    sections = []
    for name, make in steps:
        if progress is not None:
            progress(name)
        sections.append(make())
    names = select(Office.name).order_by(col(Office.name))
    if office_ids is not None:
        names = names.where(col(Office.id).in_(office_ids))
    offices = list(session.exec(names)) if office_ids is not None else ["alle Büros"]
    return Report(first, last, offices, sections)


def _cases(office_ids: list[int] | None) -> list[ColumnElement[bool]]:
    return [] if office_ids is None else [col(Case.office_id).in_(office_ids)]


def _intake(
    session: Session, office_ids: list[int] | None, start: datetime, end: datetime
) -> Section:
    opened = (col(Case.opened_at) >= start, col(Case.opened_at) < end, *_cases(office_ids))
    households = session.exec(select(func.count()).select_from(Case).where(*opened)).one()
    people = session.exec(
        select(func.count())
        .select_from(HouseholdMember)
        .join(Case, col(Case.household_id) == HouseholdMember.household_id)
        .where(*opened)
    ).one()
    by_district = dict(
        session.exec(
            select(Household.district, func.count())
            .join(Case, col(Case.household_id) == Household.id)
            .where(*opened)
            .group_by(col(Household.district))
        ).all()
    )
    section = Section("intake", "Aufnahme")
    total = Cell.count(households)
    section.add("Haushalte aufgenommen", total)
    section.add("Personen in diesen Haushalten", Cell.count(people))
    # Each served district, so a district council reads its own line (none left out for 0).
    districts = _districts(session, office_ids)
    parts = protect(total, [Cell.count(by_district.get(d, 0)) for d in districts])
    for district, cell in zip(districts, parts, strict=True):
        section.add(f"Haushalte aus {district}", cell)
    return section


def _districts(session: Session, office_ids: list[int] | None) -> list[str]:
    """The districts the offices serve, in the city's order."""
    query = select(Office.districts)
    if office_ids is not None:
        query = query.where(col(Office.id).in_(office_ids))
    served = {district for districts in session.exec(query) for district in districts}
    return [district.value for district in District if district.value in served]


def _consultations(
    session: Session, office_ids: list[int] | None, first: date, last: date
) -> Section:
    counted = consultation_figures.period(session, office_ids, first, last + timedelta(days=1))
    total = counted.total
    section = Section("consultations", "Sprechstunden")
    visits = Cell.count(total.visits)
    section.add("Kontakte (Besuche)", visits)
    section.add("Personen", Cell.count(total.persons))
    section.add("ohne Termin", protect(visits, [Cell.count(total.walk_ins)])[0])
    section.add("mit Sprachmittlung", protect(visits, [Cell.count(total.interpreter)])[0])
    # Each place — the office and its sub-locations — so the hours in the quarters are seen.
    places = protect(visits, [Cell.count(place.visits) for place in counted.places])
    for place, cell in zip(counted.places, places, strict=True):
        section.add(f"Kontakte: {place.name}", cell)
    return section


def _visits(
    session: Session, office_ids: list[int] | None, start: datetime, end: datetime
) -> Section:
    query = (
        select(Appointment.kind, func.count())
        .join(Case, col(Case.id) == Appointment.case_id)
        .where(
            Appointment.status == AppointmentStatus.DONE,
            col(Appointment.kind).in_(
                [AppointmentKind.WELCOME_VISIT, AppointmentKind.FOLLOW_UP_VISIT]
            ),
            col(Appointment.starts_at) >= start,
            col(Appointment.starts_at) < end,
            *_cases(office_ids),
        )
        .group_by(col(Appointment.kind))
    )
    done = dict(session.exec(query).all())
    section = Section("visits", "Hausbesuche")
    section.add("Willkommensbesuche", Cell.count(done.get(AppointmentKind.WELCOME_VISIT, 0)))
    section.add("Nachbesuche", Cell.count(done.get(AppointmentKind.FOLLOW_UP_VISIT, 0)))
    return section


def _referrals(
    session: Session, office_ids: list[int] | None, start: datetime, end: datetime
) -> Section:
    query = (
        select(Partner.category, Referral.status, func.count())
        .join(Partner, col(Partner.id) == Referral.partner_id)
        .join(Case, col(Case.id) == Referral.case_id)
        .where(
            col(Referral.created_at) >= start, col(Referral.created_at) < end, *_cases(office_ids)
        )
        .group_by(col(Partner.category), col(Referral.status))
    )
    counts: dict[str, Counter[str]] = {}
    for category, status, number in session.exec(query):
        counts.setdefault(category, Counter())[status] += number
    section = Section("referrals", "Weitervermittlungen nach Bereich und Ergebnis")
    for category in PartnerCategory:
        if category not in counts:
            continue
        name = PARTNER_CATEGORY_LABELS.get(category, category)
        total = Cell.count(counts[category].total())
        section.add(f"{name}: zusammen", total)
        statuses = [status for status in ReferralStatus if counts[category][status]]
        cells = protect(total, [Cell.count(counts[category][status]) for status in statuses])
        for status, cell in zip(statuses, cells, strict=True):
            section.add(f"{name}: {REFERRAL_STATUS_LABELS.get(status, status)}", cell)
    if not section.rows:
        section.add("Weitervermittlungen", Cell.count(0))
    return section


def _done_on(step: CaseStep) -> date | None:
    if step.done_on is not None:
        return step.done_on
    return berlin(step.closed_at).date() if step.closed_at else None


def _finished_steps(
    session: Session, office_ids: list[int] | None, start, end
) -> list[tuple[CaseStep, date]]:
    query = (
        select(CaseStep, col(Household.moved_in_on))
        .join(Case, col(Case.id) == CaseStep.case_id)
        .join(Household, col(Household.id) == Case.household_id)
        .where(
            CaseStep.state == StepState.DONE,
            col(CaseStep.closed_at) >= start,
            col(CaseStep.closed_at) < end,
            *_cases(office_ids),
        )
    )
    return list(session.exec(query).all())


def _registrations(
    session: Session, office_ids: list[int] | None, start: datetime, end: datetime
) -> Section:
    done = [
        (step, moved_in_on)
        for step, moved_in_on in _finished_steps(session, office_ids, start, end)
        if step.kind == StepKind.REGISTRATION
    ]
    in_time = sum(
        1
        for step, moved_in_on in done
        if (_done_on(step) or moved_in_on) - moved_in_on <= timedelta(days=REGISTRATION_DAYS)
    )
    section = Section("registration", "Anmeldung beim Bürgeramt")
    section.add("Anmeldungen erledigt", Cell.count(len(done)))
    section.add(
        f"davon innerhalb von {REGISTRATION_DAYS} Tagen nach dem Einzug",
        Cell("share", in_time / len(done) if done else None, len(done)),
    )
    return section


def _durations(
    session: Session, office_ids: list[int] | None, start: datetime, end: datetime
) -> Section:
    days: dict[str, list[int]] = {}
    for step, moved_in_on in _finished_steps(session, office_ids, start, end):
        finished = _done_on(step)
        if finished is not None:
            days.setdefault(step.kind, []).append(max(0, (finished - moved_in_on).days))
    section = Section("durations", "Tage vom Einzug bis zum erledigten Schritt (Median)")
    for kind in StepKind:
        values = days.get(kind, [])
        label = step_label(kind)
        section.add(label, Cell("median", float(median(values)) if values else None, len(values)))
    return section


def _obstacles(session: Session, office_ids: list[int] | None, first: date, last: date) -> Section:
    counted = obstacle_figures.count(session, office_ids, first, last)
    held: dict[str, set[int]] = {}
    still_open: Counter[str] = Counter()
    for row in counted.rows:
        held.setdefault(row.label, set()).update(row.cases)
        still_open[row.label] += row.open
    section = Section("obstacles", "Integrationshemmnisse: Fälle im Zeitraum (davon am Ende offen)")
    for label in sorted(held, key=lambda name: (-len(held[name]), name)):
        cases = Cell.count(len(held[label]))
        section.add(f"{label}: Fälle", cases)
        # The rest, overcome in the period, must not be a small number worked out by subtraction.
        section.add(f"{label}: am Ende offen", protect(cases, [Cell.count(still_open[label])])[0])
    if not section.rows:
        section.add("Hemmnisse", Cell.count(0))
    return section
