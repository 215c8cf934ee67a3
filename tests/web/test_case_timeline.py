"""The case page's timeline in pages, over HTTP, on SQLite and PostgreSQL: the newest 50 entries
on the case page, older ones on request — appended by HTMX, or as a page of their own without
JavaScript."""

import html
import re
from datetime import timedelta

from core.clock import utc_now
from core.db import unit_of_work
from models import CaseEvent
from tests.web.conftest import login

NOTES = 120
_OLDER = re.compile(r'<a href="(/cases/\d+/verlauf\?vor=[^"]+)"[^>]*hx-get="\1"')


def write_notes(case_id: int, actor_id: int, count: int = NOTES) -> None:
    """``count`` notes an hour apart, the newest an hour ago: N0 the oldest."""
    start = utc_now() - timedelta(hours=count + 1)
    with unit_of_work() as session:
        session.add_all(
            CaseEvent(
                case_id=case_id,
                at=start + timedelta(hours=n),
                actor_id=actor_id,
                trigger="add_note",
                note=f"Notiz Nummer {n}.",
            )
            for n in range(count)
        )


def timeline_items(page: str) -> list[str]:
    """The entries of the paged list (#verlauf-eintraege) of a page, or of an HTMX fragment."""
    if '<ol class="timeline" id="verlauf-eintraege">' in page:
        page = page.split('id="verlauf-eintraege">', 1)[1].split("</ol>", 1)[0]
    return [html.unescape(item) for item in re.findall(r'<li class="entry .*?</li>', page, re.S)]


def notes_in(items: list[str]) -> list[int]:
    return [int(n) for item in items for n in re.findall(r"Notiz Nummer (\d+)\.", item)]


def older_link(page: str) -> str | None:
    match = _OLDER.search(page)
    return html.unescape(match.group(1)) if match else None


def test_the_case_page_shows_the_newest_50_and_the_rest_page_by_page(web_world, client):
    """Given a case with 120 notes, when its page is opened, then the timeline shows the 50
    newest entries and a link to older ones; following the links as HTMX does, then every note
    comes exactly once, newest first, and the last page says there is nothing older."""
    case_id = web_world.open_case()
    write_notes(case_id, web_world.caseworker_id)
    login(client, web_world.emails["caseworker"])

    page = client.get(f"/cases/{case_id}")

    first = timeline_items(page.text)
    assert len(first) == 50
    assert notes_in(first)[0] == NOTES - 1
    assert "Ältere Einträge anzeigen" in page.text
    seen, link, fragments = notes_in(first), older_link(page.text), 0
    while link is not None:
        part = client.get(link, headers={"HX-Request": "true"})
        assert part.status_code == 200 and "HX-Request" in part.headers["Vary"]
        assert "<html" not in part.text and 'hx-swap-oob="true"' in part.text
        items = timeline_items(part.text)
        assert 0 < len(items) <= 50
        seen += notes_in(items)
        link, fragments, last = older_link(part.text), fragments + 1, part.text
    assert seen == list(range(NOTES - 1, -1, -1))  # no note twice, none left out
    assert fragments == 2 and "Keine älteren Einträge." in last
    assert "Fall eröffnet" in "".join(first)  # opened today, after the notes were written


def test_without_javascript_the_link_opens_a_page_of_older_entries(web_world, client):
    """Given a case with 120 notes, when the link to older entries is followed as a plain link,
    then a whole page shows the next 50 entries under the case's name, with a way back to the
    case and a link to the page after it."""
    case_id = web_world.open_case()
    write_notes(case_id, web_world.caseworker_id)
    login(client, web_world.emails["caseworker"])
    first = client.get(f"/cases/{case_id}").text

    second = client.get(older_link(first))  # type: ignore[arg-type]

    assert second.status_code == 200
    assert "<html" in second.text and "Verlauf · Familie" in html.unescape(second.text)
    assert f'href="/cases/{case_id}#verlauf"' in second.text
    items = timeline_items(second.text)
    assert len(items) == 50
    assert set(notes_in(items)).isdisjoint(notes_in(timeline_items(first)))
    assert max(notes_in(items)) == min(notes_in(timeline_items(first))) - 1
    assert older_link(second.text) is not None


def test_older_entries_of_another_offices_case_are_not_found(web_world, client):
    """Given a case of the Eving office and a valid link to its older entries, when a
    Lütgendortmund caseworker follows it, then 404 (as for the case page itself)."""
    case_id = web_world.open_case()
    write_notes(case_id, web_world.caseworker_id)
    login(client, web_world.emails["caseworker"])
    link = older_link(client.get(f"/cases/{case_id}").text)
    assert link is not None
    login(client, web_world.emails["other_caseworker"])

    assert client.get(link).status_code == 404
    assert client.get(link, headers={"HX-Request": "true"}).status_code == 404


def test_a_broken_link_to_older_entries_is_a_clear_400(web_world, client):
    """Given a link whose cursor was cut or altered, when it is followed, then 400 with a
    sentence saying what to do, not a server error; without a cursor, the case page."""
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    path = f"/cases/{case_id}/verlauf"

    for cursor in ("kaputt", "1764000000-event", "9" * 18 + "-event-1", "1-case-1"):
        answer = client.get(path, params={"vor": cursor})
        assert answer.status_code == 400, cursor
        assert "Der Link zu älteren Einträgen ist ungültig" in html.unescape(answer.text)
    assert client.get(path).headers["location"] == f"/cases/{case_id}#verlauf"
