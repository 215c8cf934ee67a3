"""A round table's minutes as a PDF for its guests and the district council: when and where,
who was invited (name and organisation), the agenda, the minutes, the decisions and actions with
owner and due date, and the district's obstacle figures the table drew on — no household named,
counts 1–4 as "< 5" as in every report (the PDF leaves the office).
"""

from dataclasses import dataclass
from datetime import datetime

from jinja2 import Environment
from sqlmodel import Session

from core.clock import berlin, utc_now
from models import Office, RoundTable
from workflows.messaging import i18n
from workflows.reports.cells import Cell, protect
from workflows.roundtables import items, meetings
from workflows.roundtables.meetings import STATUS_LABELS

TEMPLATE = "round_table_minutes.html.jinja"


@dataclass(frozen=True)
class ObstacleLine:
    label: str
    cases: Cell
    still_open: Cell
    median_days_open: Cell


@dataclass(frozen=True)
class Minutes:
    office: Office
    meeting: RoundTable
    starts: datetime  # local
    status: str
    guests: list[meetings.Guest]
    items: list[items.Item]
    obstacles: list[ObstacleLine]
    obstacles_from: str
    obstacles_to: str
    made_on: str


def gather(session: Session, meeting: RoundTable) -> Minutes:
    office = session.get(Office, meeting.office_id)
    assert office is not None and meeting.id is not None
    figures = meetings.obstacle_agenda(session, meeting)
    lines = []
    for row in figures.rows:
        cases = Cell.count(row.affected)
        lines.append(
            ObstacleLine(
                row.label, cases, protect(cases, [Cell.count(row.open)])[0],
                Cell("median", row.median_waiting, len(row.waiting)),
            )
        )  # fmt: skip
    return Minutes(
        office=office,
        meeting=meeting,
        starts=berlin(meeting.starts_at),
        status=STATUS_LABELS.get(meeting.status, meeting.status),
        guests=meetings.guests(session, meeting.id),
        items=items.of_meeting(session, meeting.id),
        obstacles=lines,
        obstacles_from=f"{figures.first:%d.%m.%Y}",
        obstacles_to=f"{figures.last:%d.%m.%Y}",
        made_on=f"{berlin(utc_now()):%d.%m.%Y}",
    )


def html(minutes: Minutes) -> str:
    environment: Environment = i18n.environment(i18n.SOURCE_LANGUAGE, True)
    return environment.get_template(TEMPLATE).render(m=minutes)


def pdf(minutes: Minutes) -> bytes:
    from weasyprint import HTML  # loads Pango: only when minutes are printed

    result = HTML(string=html(minutes)).write_pdf()
    assert result is not None
    return bytes(result)
