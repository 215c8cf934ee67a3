"""Confidential notes: a note on health, violence or the like is read by its author and the
office's supervisors only; colleagues, the API for them, the command line and the household's
copy of its data see that it exists, not what it says."""

import io

import pytest
from pypdf import PdfReader
from sqlmodel import select
from typer.testing import CliRunner

from cli.main import app as cli
from core.db import unit_of_work
from core.passwords import hash_password
from models import Staff
from models.enums import Employer, Role
from tests.web.conftest import PASSWORD, csrf, login
from tests.web.test_api import token_for
from workflows.directory.accounts import issue_api_token

SECRET = "Frau H. berichtet von Gewalt durch den früheren Partner"
COLLEAGUE = "nils.vogel@lokal-willkommen.example"


@pytest.fixture
def written(web_world, client) -> int:
    """A case with a colleague in the same office and a confidential note by its caseworker."""
    with unit_of_work() as session:
        session.add(Staff(name="Nils Vogel", email=COLLEAGUE, role=Role.CASEWORKER,
                          employer=Employer.CITY, employer_name="Stadt Dortmund",
                          office_id=web_world.office_id,
                          password_hash=hash_password(PASSWORD)))  # fmt: skip
    case_id = web_world.open_case()
    login(client, web_world.emails["caseworker"])
    data = {"note": SECRET, "confidential": "1", "csrf_token": csrf(client, f"/cases/{case_id}")}
    assert client.post(f"/cases/{case_id}/notes", data=data).status_code == 303
    return case_id


def test_the_author_and_the_offices_supervisors_read_it_colleagues_see_it_exists(
    written, web_world, client
):
    """Given a confidential note, then its author and the office's supervisor and the head read
    it on the case page; a colleague of the same office sees that a confidential note exists,
    not its text (nor in a message preview)."""
    case_id = written
    own = client.get(f"/cases/{case_id}").text
    assert SECRET in own and "Vertrauliche Notiz" in own

    login(client, COLLEAGUE)
    page = client.get(f"/cases/{case_id}").text
    assert "Vertrauliche Notiz" in page and "Nur die Verfasserin" in page
    assert SECRET not in page
    assert SECRET not in client.get(f"/cases/{case_id}/preview").text

    for reader in (web_world.emails["supervisor"], web_world.emails["head"]):
        login(client, reader)
        assert SECRET in client.get(f"/cases/{case_id}").text, reader


def test_the_api_gives_the_text_only_to_those_who_may_read_it(written, web_world, client):
    """Given the API, then the note's text goes to its author and the supervisor, to a
    colleague only the fact that it is confidential; a note written confidential through the
    API is hidden from the others in turn."""
    case_id = written
    with unit_of_work() as session:
        colleague_id = session.exec(select(Staff.id).where(Staff.email == COLLEAGUE)).one()
        token = issue_api_token(session, colleague_id, "Fachverfahren")  # type: ignore[arg-type]
    colleague = {"Authorization": f"Bearer {token}"}

    def note_as(headers: dict[str, str]) -> tuple[str | None, bool]:
        history = client.get(f"/api/cases/{case_id}", headers=headers).json()["history"]
        (note,) = [e for e in history if e["trigger"] == "add_note"]
        return note["note"], note["confidential"]

    assert note_as(colleague) == (None, True)
    assert note_as(token_for(web_world, "caseworker")) == (SECRET, True)
    assert note_as(token_for(web_world, "supervisor")) == (SECRET, True)

    written_by_api = client.post(
        f"/api/cases/{case_id}/notes", json={"note": "Arztbrief liegt vor", "confidential": True},
        headers=colleague,
    )  # fmt: skip
    assert written_by_api.status_code == 201 and written_by_api.json()["confidential"] is True
    caseworker_view = client.get(
        f"/api/cases/{case_id}", headers=token_for(web_world, "caseworker")
    )
    assert "Arztbrief liegt vor" not in caseworker_view.text


def test_the_households_copy_and_the_command_line_name_it_without_its_text(
    written, web_world, client
):
    """Given the household's copy of its data and `willkommen cases show`, then both name the
    confidential note without its text (the supervisor decides about it separately)."""
    case_id = written
    copy = client.get(f"/cases/{case_id}/auskunft.json").text
    assert SECRET not in copy and "vertrauliche Notiz" in copy
    pdf = client.get(f"/cases/{case_id}/auskunft.pdf").content
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    assert SECRET not in text and "Vertrauliche Notiz" in text
    shown = CliRunner(env={"COLUMNS": "250"}).invoke(cli, ["cases", "show", str(case_id)])
    assert shown.exit_code == 0, shown.output
    assert SECRET not in shown.output and "vertrauliche Notiz" in shown.output
