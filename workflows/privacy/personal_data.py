"""Where a household's personal data is, and erasing it: read from the declarations on the models
(``models.personal``), not from a list kept here.

A table belongs to a household when it is ``households`` or reaches it through its foreign keys:
directly (``household_id``), through the household's cases (``case_id``), or through another
table that belongs (an appointment's answers). Every column declared personal in such a table
is erased for one household at once, in one UPDATE per table.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Column, ColumnElement, Table, select, update
from sqlmodel import Session, SQLModel

from models.personal import ANONYMISED, Erase, erase_how

HOUSEHOLDS = "households"
CASES = "cases"


@dataclass(frozen=True)
class Owned:
    """A table that belongs to households, and the column that leads to its household."""

    table: Table
    via: Column[Any]  # households.id, or a foreign key towards a household
    parent: "Owned | None"  # the owned table that column points to (None: households itself)

    def rows_of(self, household_id: int) -> ColumnElement[bool]:
        """The rows of this table that belong to ``household_id``."""
        if self.parent is None:
            return self.via == household_id
        parent_ids = select(self.parent.table.c.id).where(self.parent.rows_of(household_id))
        return self.via.in_(parent_ids)


def owned_tables() -> dict[str, Owned]:
    """Every table that holds a household's rows, found through the foreign keys; a table with
    several ways prefers the household itself, then its cases."""
    owned: dict[str, Owned] = {}
    for table in SQLModel.metadata.sorted_tables:  # parents before children
        if table.name == HOUSEHOLDS:
            owned[table.name] = Owned(table, table.c.id, None)
            continue
        ways = [
            (fk.parent, owned[fk.column.table.name])
            for fk in table.foreign_keys
            if fk.column.table.name in owned and fk.column.name == "id"
        ]
        if not ways:
            continue
        rank = {HOUSEHOLDS: 0, CASES: 1}
        column, parent = min(ways, key=lambda way: rank.get(way[1].table.name, 2))
        owned[table.name] = Owned(table, column, parent)
    return owned


def personal_columns(table: Table) -> Iterator[tuple[Column[Any], Erase]]:
    for column in table.columns:
        how = erase_how(column)
        if how is not None:
            yield column, how


REPLACEMENT: dict[Erase, object] = {Erase.NULL: None, Erase.MARK: ANONYMISED, Erase.BLANK: ""}


def erase(session: Session, household_id: int) -> dict[str, int]:
    """Erase every declared personal column of the household's rows in every table; the counts
    and codes that reports need stay. Returns how many rows each table had changed."""
    session.flush()
    changed: dict[str, int] = {}
    for name, owned in owned_tables().items():
        columns = list(personal_columns(owned.table))
        if not columns:
            continue
        rows = owned.rows_of(household_id)
        values = {c.name: REPLACEMENT[how] for c, how in columns if how in REPLACEMENT}
        if values:
            result = session.execute(update(owned.table).where(rows).values(values))
            changed[name] = result.rowcount  # type: ignore[attr-defined]
        for column, how in columns:
            if how == Erase.YEAR:
                _cut_to_year(session, owned.table, column, rows)
    session.expire_all()  # objects loaded before see the erased values
    return changed


def _cut_to_year(
    session: Session, table: Table, column: Column[Any], rows: ColumnElement[bool]
) -> None:
    key = table.c.id
    for row_id, value in session.execute(select(key, column).where(rows)).all():
        if isinstance(value, date):
            cut = date(value.year, 1, 1)
            session.execute(update(table).where(key == row_id).values({column.name: cut}))
