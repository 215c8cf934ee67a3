"""What every command shares: output, one-line errors, parsing case numbers and local times."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import NoReturn

import typer
from rich.console import Console, RenderableType
from rich.markup import escape
from rich.style import StyleType
from rich.table import Table
from rich.text import Text
from sqlalchemy import func
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, select

from core.clock import BERLIN
from core.config import get_settings
from models import Staff
from workflows.engine.errors import DomainError

_CASE_NUMBER = re.compile(r"^(?:LW-?)?0*(\d{1,9})$", re.IGNORECASE)
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%d.%m.%Y %H:%M")


def out() -> Console:
    # Made per call, so the width follows COLUMNS even when the CLI runs inside tests.
    return Console()


def err() -> Console:
    return Console(stderr=True)


class PlainTable(Table):
    """A table whose text cells show what was typed: brackets in a note are not Rich markup."""

    def add_row(
        self,
        *renderables: RenderableType | None,
        style: StyleType | None = None,
        end_section: bool = False,
    ) -> None:
        cells = [Text(cell) if isinstance(cell, str) else cell for cell in renderables]
        super().add_row(*cells, style=style, end_section=end_section)


def fail(message: str) -> NoReturn:
    """Print one red line on stderr and exit with status 1."""
    err().print(f"[bold red]Fehler:[/] {escape(message)}", soft_wrap=True)
    raise typer.Exit(1)


@contextmanager
def readable_errors() -> Iterator[None]:
    """Domain refusals and an unprepared database become one line, never a traceback."""
    try:
        yield
    except DomainError as exc:
        fail(str(exc))
    except OperationalError as exc:
        fail(f"Datenbankfehler ({exc.orig}). Ist das Schema aktuell? `willkommen db upgrade`.")


def database_label() -> str:
    """The configured database URL without its password, for messages."""
    return make_url(get_settings().resolved_database_url).render_as_string(hide_password=True)


def parse_case_id(text: str) -> int:
    """``42``, ``LW-000042`` or ``lw-42`` → 42."""
    match = _CASE_NUMBER.match(text.strip())
    if match is None or int(match.group(1)) == 0:
        raise typer.BadParameter(
            f"'{text}' ist keine Fallnummer. Erwartet z. B. 42 oder LW-000042."
        )
    return int(match.group(1))


def parse_local_time(text: str) -> datetime:
    """``2026-12-01 10:00`` or ``01.12.2026 10:00``, read as Europe/Berlin local time."""
    for pattern in _LOCAL_FORMATS:
        try:
            return datetime.strptime(text.strip(), pattern).replace(tzinfo=BERLIN)
        except ValueError:
            continue
    raise typer.BadParameter(
        f"'{text}' ist kein Zeitpunkt. Erwartet z. B. \"2026-12-01 10:00\" (Ortszeit Berlin)."
    )


def staff_by_email(session: Session, email: str) -> Staff:
    """The active staff member with this email (any case), or fail with a clear message."""
    query = select(Staff).where(func.lower(Staff.email) == email.strip().lower())
    staff = session.exec(query).first()
    if staff is None:
        fail(f"Keine Mitarbeiterin und kein Mitarbeiter mit der E-Mail '{email}'.")
    if not staff.active:
        fail(f"{staff.name} ist nicht mehr aktiv und kann keine Fälle ändern.")
    return staff
