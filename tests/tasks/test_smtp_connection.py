"""One SMTP connection per sending process: kept, tried when idle, replaced when dropped."""

import pytest

from core import mail
from core.config import get_settings
from tests.conftest import apply_settings


def note(number: int) -> mail.EmailMessage:
    message = mail.new_message()
    message["From"] = get_settings().mail_from
    message["To"] = "lea.brandt@lokal-willkommen.example"
    message["Subject"] = f"Erinnerung {number}"
    message.set_content(f"Nachricht {number}")
    return message


def subjects(smtp) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m["Subject"]) for m in smtp.messages]


@pytest.fixture(autouse=True)
def fresh_connection():  # type: ignore[no-untyped-def]
    mail.close()  # another test's kept connection is not this test's
    yield
    mail.close()


def test_a_morning_of_reminders_goes_over_one_connection(env, smtp):
    """Given a process that sends ten emails one after another,
    then the mail server receives all ten over a single connection."""
    for number in range(10):
        mail.send(note(number), get_settings())
    assert subjects(smtp) == [f"Erinnerung {n}" for n in range(10)]
    assert smtp.connections == 1


@pytest.mark.parametrize("noop_after", ["0", "3600"], ids=["tried-when-idle", "kept-busy"])
def test_a_connection_the_server_dropped_is_replaced_and_nothing_is_sent_twice(
    env, smtp, monkeypatch, noop_after
):
    """Given a kept connection, when the mail server restarts between two emails (tried with
    NOOP before use, or — in steady use — failing at MAIL FROM),
    then the next email goes out at once on a new connection, exactly once, without an error."""
    monkeypatch.setenv("WILLKOMMEN_SMTP_NOOP_AFTER_IDLE_SECONDS", noop_after)
    apply_settings()
    mail.send(note(1), get_settings())
    smtp.restart()
    mail.send(note(2), get_settings())
    mail.send(note(3), get_settings())
    assert subjects(smtp) == ["Erinnerung 1", "Erinnerung 2", "Erinnerung 3"]
    assert smtp.connections == 2


def test_a_server_that_is_down_is_an_error_and_the_next_email_reconnects(env, smtp):
    """Given a kept connection, when the mail server is down, then sending fails with a
    temporary error (tried again later); once it is back, the next email goes out."""
    mail.send(note(1), get_settings())
    smtp.stop()
    with pytest.raises(mail.MailError) as refused:
        mail.send(note(2), get_settings())
    assert not refused.value.permanent
    smtp.restart()
    mail.send(note(3), get_settings())
    assert subjects(smtp) == ["Erinnerung 1", "Erinnerung 3"]


def test_a_refused_recipient_leaves_the_connection_usable(env, smtp):
    """Given a kept connection, when the server refuses one recipient for good,
    then that email fails permanently and the next goes out on the same connection."""
    smtp.inbox.refuse.add("weg@household.example")
    refused = note(1)
    refused.replace_header("To", "weg@household.example")
    with pytest.raises(mail.MailError) as error:
        mail.send(refused, get_settings())
    assert error.value.permanent
    mail.send(note(2), get_settings())
    assert subjects(smtp) == ["Erinnerung 2"] and smtp.connections == 1


def test_a_connection_is_renewed_after_its_share_of_messages(env, smtp, monkeypatch):
    """Given servers limit messages per connection, when five emails go out with a limit of
    two, then they come over three connections; with 0, each over its own."""
    monkeypatch.setenv("WILLKOMMEN_SMTP_MESSAGES_PER_CONNECTION", "2")
    apply_settings()
    for number in range(5):
        mail.send(note(number), get_settings())
    assert len(smtp.messages) == 5 and smtp.connections == 3
    monkeypatch.setenv("WILLKOMMEN_SMTP_MESSAGES_PER_CONNECTION", "0")
    apply_settings()
    for number in range(5, 8):
        mail.send(note(number), get_settings())
    assert len(smtp.messages) == 8 and smtp.connections == 6


def test_the_worker_keeps_its_connections_across_tasks(world, smtp, start_worker):
    """Given a real worker (4 threads), when eight households are welcomed by email,
    then all eight emails arrive and over at most one connection per worker thread."""
    start_worker()
    for _ in range(8):
        world.open_case()
    smtp.wait_for_messages(8)
    assert len(smtp.messages) == 8
    assert smtp.connections <= 4
