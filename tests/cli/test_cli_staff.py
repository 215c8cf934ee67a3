"""``willkommen staff``: the first admin, accounts, password resets and API tokens."""

from datetime import timedelta

from sqlmodel import select
from typer.testing import CliRunner

from cli.main import app
from core.clock import utc_now
from core.db import unit_of_work
from core.migrate import upgrade
from models import Staff
from workflows.directory.accounts import authenticate, staff_for_token


def test_first_admin_can_sign_in_and_a_token_opens_the_api(runner: CliRunner, data_dir):
    """Given a fresh database, when the first admin is created and given an API token,
    then the password signs in and the printed token identifies that admin."""
    upgrade()
    result = runner.invoke(
        app,
        [
            "staff",
            "create-admin",
            "--email",
            "Chefin@Stadt.example",
            "--name",
            "Erste Verwaltung",
            "--password",
            "sehr-geheim-123",
        ],
    )
    assert result.exit_code == 0, result.output
    with unit_of_work() as session:
        assert authenticate(session, "chefin@stadt.example", "sehr-geheim-123").role == "admin"
    issued = runner.invoke(app, ["staff", "token", "chefin@stadt.example", "--name", "Skript"])
    assert issued.exit_code == 0, issued.output
    token = issued.output.split("Token für chefin@stadt.example: ")[1].split()[0]
    with unit_of_work() as session:
        assert staff_for_token(session, token).email == "chefin@stadt.example"
        assert staff_for_token(session, token + "x") is None


def test_short_password_and_duplicate_email_are_refused(runner: CliRunner, data_dir):
    """Given an existing admin, when an account with a short password or the same email is
    added, then each is refused with one readable line and nothing is saved."""
    upgrade()
    args = ["staff", "create-admin", "--email", "a@stadt.example", "--name", "A"]
    assert runner.invoke(app, [*args, "--password", "lang-genug-1"]).exit_code == 0
    short = runner.invoke(
        app,
        [
            "staff",
            "create-admin",
            "--email",
            "b@stadt.example",
            "--name",
            "B",
            "--password",
            "kurz",
        ],
    )
    again = runner.invoke(app, [*args, "--password", "lang-genug-2"])
    assert short.exit_code == 1 and "Mindestens 10 Zeichen" in short.output
    assert again.exit_code == 1 and "schon vergeben" in again.output
    with unit_of_work() as session:
        assert len(session.exec(select(Staff)).all()) == 1


def test_password_reset_lifts_a_lock(runner: CliRunner, data_dir):
    """Given a locked account, when an administrator sets a new password,
    then the person can sign in again with it."""
    upgrade()
    runner.invoke(
        app,
        [
            "staff",
            "create-admin",
            "--email",
            "c@stadt.example",
            "--name",
            "C",
            "--password",
            "altes-passwort-1",
        ],
    )
    with unit_of_work() as session:
        staff = session.exec(select(Staff)).one()
        staff.locked_until = utc_now() + timedelta(minutes=10)
    result = runner.invoke(
        app, ["staff", "password", "c@stadt.example", "--new", "neues-passwort-1"]
    )
    assert result.exit_code == 0, result.output
    with unit_of_work() as session:
        assert (
            authenticate(session, "c@stadt.example", "neues-passwort-1").email == "c@stadt.example"
        )
