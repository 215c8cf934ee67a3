"""Anonymisation is complete by construction: every text column of a household's tables is
declared personal or not (models.personal), and after the retention job not one marker written
into a declared column of a case is left anywhere in the database, while the counts reports need
stay (SQLite and PostgreSQL)."""

import json
from datetime import date, time, timedelta
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    select,
)
from sqlalchemy import update as sql_update
from sqlmodel import SQLModel, func

from core.clock import utc_now
from core.db import unit_of_work
from models import (
    Agreement,
    Appointment,
    AppointmentAnswer,
    Case,
    CaseEvent,
    CaseNotice,
    CaseObstacle,
    CaseRead,
    CaseStep,
    Consent,
    ConsentEvidence,
    ConsultationBooking,
    ConsultationContact,
    ConsultationHour,
    HouseholdMember,
    ObstacleKind,
    Referral,
    VisitRecord,
    Volunteer,
    VolunteerSuggestion,
)
from models.enums import EvidenceKind, PartnerCategory
from models.personal import declared, erase_how
from tasks.maintenance import anonymise_case
from tests.helpers import in_hours, step
from workflows.privacy.personal_data import owned_tables

HOUSEHOLD_TABLES = {
    "households", "household_members", "consents", "cases", "case_steps", "case_events",
    "referrals", "case_notices", "visit_records", "agreements", "reminders", "appointments",
    "appointment_answers", "case_reads", "consent_evidence", "consultation_bookings",
    "consultation_contacts", "case_obstacles", "volunteer_suggestions",
}  # fmt: skip


def holds_text(column: Column[Any]) -> bool:
    """Text or JSON, whatever the SQL type is called (SQLModel's AutoString, String, Text)."""
    kind = column.type
    if isinstance(kind, TypeDecorator):
        kind = kind.impl_instance
    return isinstance(kind, String | JSON)


def holds_bytes(column: Column[Any]) -> bool:
    """A file (a signed form): as personal as any text."""
    return isinstance(column.type, LargeBinary)


def undeclared(tables: list[Table]) -> list[str]:
    """Text and JSON columns declared neither personal nor not (keys and ids aside)."""
    return [
        f"{table.name}.{column.name}"
        for table in tables
        for column in table.columns
        if (holds_text(column) or holds_bytes(column))
        and not column.primary_key
        and not column.foreign_keys
        and not declared(column)
    ]


def test_every_text_column_of_a_households_tables_is_declared():
    """Given the models, then the tables that belong to a household are found through their
    foreign keys, and each of their text columns says whether it holds personal data; a new
    free-text column without a declaration is caught."""
    owned = owned_tables()
    assert set(owned) == HOUSEHOLD_TABLES
    assert undeclared([o.table for o in owned.values()]) == []

    new = Table(
        "case_diaries", MetaData(),
        Column("id", Integer, primary_key=True),
        Column("case_id", Integer, ForeignKey("cases.id")),
        Column("entry", Text),
    )  # fmt: skip
    assert undeclared([new]) == ["case_diaries.entry"]


MARKED_DATE = date(1987, 6, 23)


def unique(column: Column[Any]) -> bool:
    """Unique by itself, or by a unique index (a partial one, too) of that column alone."""
    by_index = any(
        index.unique and list(index.columns) == [column] for index in column.table.indexes
    )
    return bool(column.unique) or by_index


def fill_a_case_completely(world) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """A closed case with a row in every table a household has, every personal column holding
    a marker (§ and a number, or a marked date)."""
    case_id = world.open_case()
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(30))
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        visit = session.exec(select(Appointment).where(Appointment.case_id == case_id)).scalar_one()
        record = VisitRecord(case_id=case_id, appointment_id=visit.id, held_at=utc_now(),
                             participants="x", topics="x")  # fmt: skip
        session.add(record)
        session.flush()
        session.add(Agreement(case_id=case_id, visit_record_id=record.id, what="x", owner="x",
                              due_on=MARKED_DATE + timedelta(days=1)))  # fmt: skip
        session.add(Referral(case_id=case_id, partner_id=world.partner_id, message="x"))
        session.add(CaseNotice(case_id=case_id, key="test", text="x"))
        session.add(CaseRead(staff_id=world.caseworker_id, case_id=case_id, what="page"))
        session.add(AppointmentAnswer(appointment_id=visit.id, sequence=0, token="t" * 20))
        hour = ConsultationHour(
            office_id=world.office_id, weekday=1, starts=time(10), ends=time(12)
        )
        session.add(hour)
        session.flush()
        session.add(ConsultationBooking(hour_id=hour.id, starts_at=utc_now(), case_id=case_id))
        session.add(ConsultationContact(office_id=world.office_id, case_id=case_id,
                                        occurred_at=utc_now(), outcome="referred"))  # fmt: skip
        kind = ObstacleKind(office_id=world.office_id, code="x", label="x", area="kita")
        session.add(kind)
        session.flush()
        session.add(CaseObstacle(case_id=case_id, kind_id=kind.id, noted_at=utc_now(),
                                 note="x", resolution="x"))  # fmt: skip
        helper = Volunteer(office_id=world.office_id, name="x", helps_with=["kita"])
        session.add(helper)
        session.flush()
        agreed = utc_now().date()  # not a marker: a consent's date is kept
        session.add(VolunteerSuggestion(case_id=case_id, volunteer_id=helper.id, area="kita",
                                        household_consent_on=agreed, note="x"))  # fmt: skip
        given = Consent(household_id=case.household_id, granted_by_id=world.caseworker_id,
                        partner_category=PartnerCategory.ENERGY_ADVICE)  # fmt: skip
        session.add(given)
        session.flush()
        session.add(ConsentEvidence(consent_id=given.id, kind=EvidenceKind.TABLET,
                                    content_type="image/png", data=b"x",
                                    recorded_by_id=world.caseworker_id))  # fmt: skip
        household_id = case.household_id
    step(case_id, "close_case", world.caseworker_id, note="x")
    with unit_of_work() as session:
        session.get(Case, case_id).closed_at = utc_now() - timedelta(days=800)
        number = 0
        for owned in owned_tables().values():
            rows = owned.rows_of(household_id)
            present = select(func.count()).where(rows).select_from(owned.table)
            assert session.execute(present).scalar(), f"no {owned.table.name} row: add one here"
            for column in owned.table.columns:
                how = erase_how(column)
                if how is None:
                    continue
                number += 1
                if holds_bytes(column):  # a file: the marker as its bytes
                    marked = {column.name: f"§{number:03d}".encode()}
                    session.execute(sql_update(owned.table).where(rows).values(marked))
                    continue
                if not holds_text(column):  # a date (a birth date, an expected birth)
                    marked = {column.name: MARKED_DATE}
                    session.execute(sql_update(owned.table).where(rows).values(marked))
                    continue
                for (row_id,) in session.execute(select(owned.table.c.id).where(rows)):
                    marker = f"§{number:03d}" + (f"-{row_id}" if unique(column) else "")
                    key = owned.table.c.id == row_id
                    session.execute(
                        sql_update(owned.table).where(key).values({column.name: marker})
                    )
    return case_id, household_id


def markers_anywhere() -> list[str]:
    """Every value in every table that still holds a marker."""
    found = []
    with unit_of_work() as session:
        for table in SQLModel.metadata.sorted_tables:
            for row in session.execute(select(table)).mappings():
                for name, value in row.items():
                    if isinstance(value, bytes):
                        value = value.decode("utf-8", "replace")
                    text = json.dumps(value, default=str, ensure_ascii=False)
                    if "§" in text or MARKED_DATE.isoformat() in text:
                        found.append(f"{table.name}.{name}={text}")
    return found


def counts() -> dict[str, Any]:
    with unit_of_work() as session:
        return {
            "cases": session.exec(select(func.count()).select_from(Case)).one(),
            "steps": sorted(session.exec(select(CaseStep.kind, CaseStep.state)).all()),
            "events": session.exec(select(func.count()).select_from(CaseEvent)).one(),
            "birth years": sorted(
                b.year for b in session.exec(select(HouseholdMember.birth_date)).scalars()
            ),
        }


def test_after_retention_no_marker_is_left_in_any_table(world):
    """Given a closed case past the retention period with a marker in every personal column of
    every table a household has, when the retention job anonymises it, then no table holds a
    marker any more, and the numbers reports count (cases, steps by state, history entries,
    birth years) are what they were."""
    case_id, _household_id = fill_a_case_completely(world)
    before = counts()
    assert len(markers_anywhere()) >= 20

    assert anonymise_case(case_id) is True

    assert markers_anywhere() == []
    after = counts()
    assert after == {**before, "birth years": [1987] * len(before["birth years"])}
