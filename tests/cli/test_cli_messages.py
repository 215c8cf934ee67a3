"""``willkommen messages``: previews and the translation check, on SQLite and PostgreSQL."""

from sqlmodel import func, select
from typer.testing import CliRunner

from cli.main import app
from core.db import unit_of_work
from models import OutboxMessage, Reminder
from tests.helpers import in_hours, step


def rows() -> tuple[int, int]:
    with unit_of_work() as session:
        count = lambda model: session.exec(select(func.count()).select_from(model)).one()  # noqa: E731
        return count(Reminder), count(OutboxMessage)


def test_preview_prints_the_household_message_in_the_asked_language_and_stores_nothing(world):
    """Given a case with a planned welcome visit, when the invitation is previewed in Turkish
    (text) and in Arabic (HTML), then subject and body are printed, and no row is added."""
    case_id = world.open_case()
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(50))
    before = rows()
    runner = CliRunner(env={"COLUMNS": "200"})
    turkish = runner.invoke(
        app, ["messages", "preview", str(case_id), "appointment_invitation", "--lang", "tr"]
    )
    assert turkish.exit_code == 0, turkish.output
    assert "Betreff: Davet: Hoş geldiniz ziyareti" in turkish.output
    assert "Anhang: termin.ics" in turkish.output
    assert "Sizi evinizde ziyaret edeceğiz." in turkish.output
    arabic = runner.invoke(
        app, ["messages", "preview", f"LW-{case_id:06d}", "registration_deadline", "--html"]
    )
    assert arabic.exit_code == 0, arabic.output
    assert '<html lang="ar" dir="rtl">' in arabic.output
    assert rows() == before


def test_preview_refuses_unknown_languages_and_kinds_in_one_line(world):
    """Given a case, when an unknown language or message is asked for, then one German line
    says what exists, and the exit status is 1."""
    case_id = world.open_case()
    runner = CliRunner(env={"COLUMNS": "200"})
    wrong_language = runner.invoke(
        app, ["messages", "preview", str(case_id), "consultation_info", "--lang", "ti"]
    )
    assert wrong_language.exit_code == 1
    assert "Sprache 'ti' gibt es nicht" in wrong_language.output
    wrong_kind = runner.invoke(app, ["messages", "preview", str(case_id), "brief"])
    assert wrong_kind.exit_code == 1 and "Unbekannte Nachricht 'brief'" in wrong_kind.output


def test_check_passes_for_the_committed_catalogues():
    """Given the committed catalogues, when they are checked, then every language is complete
    and the ones awaiting a native speaker's review are named."""
    result = CliRunner(env={"COLUMNS": "200"}).invoke(app, ["messages", "check"])
    assert result.exit_code == 0, result.output
    assert "Alle 7 Sprachen vollständig." in result.output
    assert "ar: 131" in result.output
