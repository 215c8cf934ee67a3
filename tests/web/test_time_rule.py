"""Time is one rule everywhere: a reminder relative to a local time is the same on every path.

A welcome visit booked for 10:00 on the Sunday summer time begins (28 March 2027) through the
page, the API or the command line: the caseworker's reminder ("24 hours before") and the
household's are due at 10:00 on Saturday, Berlin time, not an hour off.
"""

from datetime import datetime

from sqlmodel import select
from typer.testing import CliRunner

from cli.main import app as cli
from core.clock import BERLIN
from core.db import unit_of_work
from models import Appointment, Reminder
from models.enums import ReminderKind
from tests.web.conftest import csrf, login
from tests.web.test_api import token_for

SUNDAY_OF_THE_CLOCK_CHANGE = "2027-03-28T10:00"
SATURDAY_TEN = datetime(2027, 3, 27, 10, 0, tzinfo=BERLIN)


def _booked_and_reminded(case_id: int) -> tuple[datetime, dict[str, datetime]]:
    with unit_of_work() as session:
        visit = session.exec(select(Appointment).where(Appointment.case_id == case_id)).one()
        found = session.exec(select(Reminder).where(Reminder.case_id == case_id)).all()
        kinds = (ReminderKind.VISIT, ReminderKind.APPOINTMENT_REMINDER)
        return visit.starts_at, {r.kind: r.due_at for r in found if r.kind in kinds}


def test_page_api_and_command_line_book_and_remind_on_one_rule(web_world, client):
    """Given three new cases, when the same Sunday visit is booked through the form, the API
    (a UTC time) and the CLI, then all three visits start at 10:00 Berlin time and every
    reminder before them is due at 10:00 Berlin time on the Saturday."""
    by_form, by_api, by_cli = (web_world.open_case() for _ in range(3))
    login(client, web_world.emails["caseworker"])
    page = f"/cases/{by_form}"
    client.get(page)
    answer = client.post(
        f"/cases/{by_form}/advance",
        data={
            "trigger": "schedule_welcome_visit",
            "at": SUNDAY_OF_THE_CLOCK_CHANGE,
            "csrf_token": csrf(client, page),
        },
    )
    assert answer.status_code == 303
    answer = client.post(
        f"/api/cases/{by_api}/advance",
        json={"trigger": "schedule_welcome_visit", "at": "2027-03-28T08:00:00Z"},
        headers=token_for(web_world, "caseworker"),
    )
    assert answer.status_code == 200, answer.text
    result = CliRunner().invoke(
        cli,
        ["cases", "advance", str(by_cli), "schedule_welcome_visit", "--actor",
         web_world.emails["caseworker"], "--at", "2027-03-28 10:00"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output

    for case_id in (by_form, by_api, by_cli):
        starts_at, reminded = _booked_and_reminded(case_id)
        assert starts_at == datetime(2027, 3, 28, 10, 0, tzinfo=BERLIN)
        assert reminded[ReminderKind.VISIT] == SATURDAY_TEN, case_id
        assert reminded[ReminderKind.APPOINTMENT_REMINDER] == SATURDAY_TEN, case_id
