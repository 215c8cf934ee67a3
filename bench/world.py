"""The data the scenarios run on: one office with staff and a partner, and many open cases.

One template case is opened the way staff open it (``parse_intake`` + ``open_case``); the other
cases are exact copies of its rows (household, members, case, steps, history, reminders) written
by bulk Core inserts, so thousands of realistic cases exist in a second instead of minutes.
"""

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlmodel import SQLModel

from core.db import get_engine, unit_of_work
from models import Office, Partner, Staff
from models.enums import Employer, PartnerCategory, Role
from workflows.casework.intake import open_case, parse_intake

# Copied tables in insert order, with the column that ties a row to the template case.
CASE_TABLES = [
    ("households", "id", "household"),
    ("household_members", "household_id", "household"),
    ("consents", "household_id", "household"),
    ("cases", "id", "case"),
    ("case_steps", "case_id", "case"),
    ("case_events", "case_id", "case"),
    ("appointments", "case_id", "case"),
    ("referrals", "case_id", "case"),
    ("reminders", "case_id", "case"),
]
# Foreign keys that point at a copied row and so must point at its copy.
REMAP = {
    "household_id": "households",
    "case_id": "cases",
    "step_id": "case_steps",
    "appointment_id": "appointments",
    "referral_id": "referrals",
}


class World:
    """The smallest office that runs cases: a caseworker, a supervisor and an energy partner."""

    def __init__(self) -> None:
        with unit_of_work() as session:
            office = Office(
                code="eving-scharnhorst",
                name="Eving/Scharnhorst",
                address="Bayrische Straße 135, 44339 Dortmund",
                partner_organisation="DRK",
                email="eving@lokal-willkommen.example",
                districts=["Eving", "Scharnhorst"],
            )
            session.add(office)
            session.flush()
            caseworker = Staff(
                name="Lea Brandt",
                email="lea.brandt@lokal-willkommen.example",
                role=Role.CASEWORKER,
                employer=Employer.CITY,
                employer_name="Stadt Dortmund",
                office_id=office.id,
            )
            supervisor = Staff(
                name="Jonas Albers",
                email="jonas.albers@lokal-willkommen.example",
                role=Role.SUPERVISOR,
                employer=Employer.ASSOCIATION,
                employer_name="DRK",
                office_id=office.id,
            )
            partner = Partner(
                name="Caritas Stromspar-Check",
                category=PartnerCategory.ENERGY_ADVICE,
                email="stromspar@partner.example",
                districts=[],
            )
            session.add_all([caseworker, supervisor, partner])
            session.flush()
            self.office_id = int(office.id)  # type: ignore[arg-type]
            self.caseworker_id = int(caseworker.id)  # type: ignore[arg-type]
            self.supervisor_id = int(supervisor.id)  # type: ignore[arg-type]

    def intake(self) -> dict[str, Any]:
        """A family with a school child that moved in two days ago (fictional)."""
        moved_in = date.today() - timedelta(days=2)  # noqa: DTZ011 - a calendar date
        return {
            "family_name": "Haddad",
            "street": "Evinger Straße 12",
            "postal_code": "44339",
            "district": "Eving",
            "moved_in_on": moved_in.isoformat(),
            "languages": ["ar", "de"],
            "email": "familie.haddad@household.example",
            "members": [
                {"given_name": "Amal", "family_name": "Haddad", "birth_date": "1986-04-02"},
                {"given_name": "Omar", "family_name": "Haddad", "birth_date": "2016-09-10"},
            ],
        }

    def open_case(self) -> int:
        """One case opened as staff open it: intake, steps, deadlines, reminders, history."""
        with unit_of_work() as session:
            case = open_case(session, parse_intake(self.intake()), actor_id=self.caseworker_id)
            return int(case.id)  # type: ignore[arg-type]

    def cases(self, count: int) -> list[int]:
        """``count`` open cases in intake, each an exact copy of one opened through the intake
        (the template itself is left out: its intake emails went to the broker, the copies'
        did not, so all returned cases are alike)."""
        return clone_case(self.open_case(), count) if count > 0 else []


def _table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


def clone_case(case_id: int, copies: int, chunk: int = 2000) -> list[int]:
    """Write ``copies`` copies of the case's rows; returns the new case ids."""
    engine = get_engine()
    with engine.connect() as conn:
        household_id = conn.execute(
            text("SELECT household_id FROM cases WHERE id = :id"), {"id": case_id}
        ).scalar_one()
        owner = {"household": household_id, "case": case_id}
        template = {
            name: [
                dict(r._mapping)
                for r in conn.execute(
                    select(_table(name))
                    .where(_table(name).c[column] == owner[key])
                    .order_by(_table(name).c.id)
                )
            ]
            for name, column, key in CASE_TABLES
        }
    new_cases: list[int] = []
    for start in range(0, copies, chunk):
        batch = min(chunk, copies - start)
        with engine.begin() as conn:
            new_cases += _insert_copies(conn, template, batch)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            for name, _column, _key in CASE_TABLES:
                conn.execute(
                    text(
                        f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                        f"(SELECT coalesce(max(id), 1) FROM {name}))"
                    )
                )
    return new_cases


def _insert_copies(conn: Any, template: dict[str, list[dict[str, Any]]], copies: int) -> list[int]:
    next_id = {
        name: int(conn.execute(select(func.coalesce(func.max(_table(name).c.id), 0))).scalar_one())
        + 1
        for name, _column, _key in CASE_TABLES
    }
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in template}
    new_cases = []
    for k in range(copies):
        new_ids: dict[str, dict[int, int]] = {}
        for name, originals in template.items():
            base = next_id[name] + k * len(originals)
            new_ids[name] = {row["id"]: base + j for j, row in enumerate(originals)}
            for row in originals:
                copy = dict(row, id=new_ids[name][row["id"]])
                for column, target in REMAP.items():
                    if copy.get(column) is not None and column != "id":
                        copy[column] = new_ids[target][copy[column]]
                rows[name].append(copy)
        new_cases.append(new_ids["cases"][template["cases"][0]["id"]])
    for name, _column, _key in CASE_TABLES:
        if rows[name]:
            conn.execute(insert(_table(name)), rows[name])
    return new_cases
