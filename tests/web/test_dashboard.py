"""The supervisors' overview: numbers per office, overdue deadlines, failed messages, Flower."""

import re
from datetime import timedelta

from sqlmodel import select

from core.clock import utc_now
from core.config import get_settings
from core.db import unit_of_work
from models import Reminder
from models.enums import ReminderKind
from tests.helpers import in_hours, pass_time, step
from tests.web.conftest import csrf, login
from workflows.casework.intake import open_case, parse_intake
from workflows.engine import reminders
from workflows.messaging.delivery import deliver

ADULT = {"given_name": "Amal", "family_name": "Haddad", "birth_date": "1986-04-02"}


def open_in(world, office: str, **overrides: object) -> int:
    """A household of one adult (registration and energy open) in office "a" or "b"."""
    if office == "b":
        overrides = {"district": "Lütgendortmund", "postal_code": "44388", **overrides}
    actor = world.ids["caseworker" if office == "a" else "other_caseworker"]
    with unit_of_work() as session:
        data = parse_intake(world.intake(members=[ADULT], **overrides))
        return int(open_case(session, data, actor_id=actor).id)  # type: ignore[arg-type]


def visited(world, case_id: int, actor: int) -> None:
    step(case_id, "schedule_welcome_visit", actor, at=in_hours(2))
    step(case_id, "record_welcome_visit", actor, confirm=True)


def number(page: str, element_id: str) -> int:
    match = re.search(rf'id="{element_id}">(?:<a [^>]*>)?(\d+)<', page)
    assert match, f"no #{element_id}"
    return int(match.group(1))


def section(page: str, element_id: str) -> str:
    """The HTML of the table with this id."""
    start = page.index(f'id="{element_id}"')
    return page[start : page.index("</table>", start)]


def late_steps(web_world) -> dict[str, int]:
    """Two late steps in office A, one in office B; every welcome visit has taken place."""
    cw, other = web_world.ids["caseworker"], web_world.ids["other_caseworker"]
    a1, a2, b1 = open_in(web_world, "a"), open_in(web_world, "a"), open_in(web_world, "b")
    for case_id, actor in ((a1, cw), (a2, cw), (b1, other)):
        visited(web_world, case_id, actor)
    step(a1, "complete_energy", cw)
    step(a2, "complete_registration", cw)
    step(b1, "complete_energy", other)
    pass_time(20)
    return {"a1": a1, "a2": a2, "b1": b1}


def test_office_supervisor_sees_her_offices_late_steps_and_the_head_sees_all(web_world, client):
    """Given two late steps in office A and one in office B,
    when A's supervisor and then the head of the social welfare office open the overview,
    then A's supervisor sees 2 overdue deadlines, only A's cases, and only A in the tables;
    the head sees 3 and both offices."""
    cases = late_steps(web_world)

    login(client, web_world.emails["supervisor"])
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert number(page.text, "overdue-count") == 2
    overdue = section(page.text, "overdue-table")
    assert overdue.count('<tr class="overdue">') == 2
    assert f"LW-{cases['a1']:06d}" in overdue and f"LW-{cases['a2']:06d}" in overdue
    assert f"LW-{cases['b1']:06d}" not in page.text
    assert "Lütgendortmund" not in page.text
    steps = section(page.text, "steps-table")
    for kind in ("registration", "energy"):  # one case each, its deadline passed
        cell = re.search(rf'data-step="{kind}" data-late="1">(.*?)</td>', steps)
        assert cell, kind
        shown = re.sub(r"<[^>]+>", "", cell.group(1))  # the numbers as read, without the links
        assert shown.startswith("1") and "1 überfällig" in shown
    assert "gesetzliche Frist" in overdue
    assert number(page.text, "open-cases") == 2

    client.cookies.clear()
    login(client, web_world.emails["head"])
    page = client.get("/dashboard")
    assert number(page.text, "overdue-count") == 3
    assert section(page.text, "overdue-table").count('<tr class="overdue">') == 3
    assert 'data-office="Lütgendortmund"' in section(page.text, "steps-table")
    assert number(page.text, "open-cases") == 3


def test_a_failed_message_is_shown_to_the_offices_supervisor_only(web_world, client, smtp):
    """Given a household in A whose mail server refuses its address, and one without any email
    address, whose registration reminders are due, when A's and B's supervisors open the
    overview, then A's sees one failure, on email, with its reason, case and where the message
    went next (a call), and one open call beside it; B's sees none."""
    smtp.inbox.refuse.add("refused@household.example")
    refused = open_in(web_world, "a", email="refused@household.example", contact_channels=["email"])
    without = open_in(web_world, "a", email=None, phone="0231 654321", contact_channels=["phone"])
    with unit_of_work() as session:
        reminders.dispatch_due(session, utc_now() + timedelta(days=30), get_settings())
        due = {
            r.case_id: r.id
            for r in session.exec(
                select(Reminder).where(Reminder.kind == ReminderKind.REGISTRATION_DEADLINE)
            )
        }
    assert deliver(due[refused]).status == "next channel"  # type: ignore[arg-type]
    assert deliver(due[refused]).status == "task"  # type: ignore[arg-type]
    assert deliver(due[without]).status == "task"  # type: ignore[arg-type]

    login(client, web_world.emails["supervisor"])
    page = client.get("/dashboard").text
    assert number(page, "failed-count") == 1
    assert "E-Mail 1" in page  # failures per channel
    assert number(page, "task-count") == 2
    failed = section(page, "failed-table")
    assert f"LW-{refused:06d}" in failed and f"LW-{without:06d}" not in failed
    assert "Erinnerung an die Anmeldefrist" in failed and "Haushalt" in failed
    assert "550" in failed and "beim Büro zu erledigen (Anruf)" in failed

    client.cookies.clear()
    login(client, web_world.emails["other_supervisor"])
    page = client.get("/dashboard").text
    assert number(page, "failed-count") == 0 and 'id="failed-table"' not in page


def test_overview_links_to_flower_in_a_new_tab_and_shows_durations(web_world, client):
    """Given a registration done two days after moving in, when the supervisor opens the
    overview, then Flower is linked (new tab, no opener) and the median shows 2 days."""
    case_id = open_in(web_world, "a")
    step(case_id, "complete_registration", web_world.ids["caseworker"])
    login(client, web_world.emails["supervisor"])
    page = client.get("/dashboard").text
    link = re.search(r'<a href="([^"]+)" target="_blank" rel="noopener"[^>]*id="flower-link"', page)
    assert link and link.group(1) == get_settings().flower_url
    durations = section(page, "durations-table")
    assert "Anmeldung beim Bürgeramt" in durations and "2 Tage" in durations


def test_only_supervisors_see_the_overview(web_world, client):
    """Given a caseworker and an administrator, when they ask for the overview, then 403;
    without signing in, the sign-in page."""
    anonymous = client.get("/dashboard")
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    for role in ("caseworker", "admin"):
        client.cookies.clear()
        login(client, web_world.emails[role])
        assert client.get("/dashboard").status_code == 403, role


def test_the_dashboard_numbers_link_to_the_lists_they_count(web_world, client):
    """Each number opens the case list filtered to what it counts; an office filter narrows
    what one may see, never widens it."""
    case_id = web_world.open_case()
    login(client, web_world.emails["head"])
    page = client.get("/dashboard").text
    office = web_world.office_id
    link = f'href="/cases?step=school&amp;office={office}"'
    assert link in page
    listed = client.get(f"/cases?step=school&office={office}")
    assert f"/cases/{case_id}" in listed.text
    assert 'href="/cases?overdue=1"' in page
    assert f'href="/cases?state=intake&amp;office={office}"' in page
    client.post("/logout", data={"csrf_token": csrf(client, "/cases")})
    login(client, web_world.emails["other_caseworker"])
    assert f'/cases/{case_id}"' not in client.get(f"/cases?office={office}").text
