"""Sending email over SMTP, configured from the settings, on one connection per process.

Opening an SMTP connection (TCP, greeting, EHLO, perhaps STARTTLS and a login) costs several
round trips; a worker sending a morning's reminders keeps one open (per thread) and sends on
it. One idle a while is tried with NOOP before use, one that fails before the message was
handed over is replaced at once, and it is renewed after ``smtp_messages_per_connection``.
"""

import logging
import os
import smtplib
import threading
import time
from datetime import UTC, datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import format_datetime
from typing import Any

from core.config import Settings


class MailError(Exception):
    """Sending failed; ``permanent`` when trying again cannot help (the server refused for good)."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class _Policy(EmailPolicy):
    """The standard policy, except that the subject is folded by ``email.header``. The standard
    folder drops the space where it breaks a line between two encoded words (about one Arabic,
    Farsi or Cyrillic subject in seven longer than a line came out with two words run
    together), and moves a long ASCII subject whole onto the next line, which parsers read back
    with a leading space."""

    def fold(self, name: str, value: Any) -> str:
        if name.lower() != "subject":
            return super().fold(name, value)
        text = str(value)
        charset = "us-ascii" if text.isascii() else "utf-8"
        header = Header(text, charset, header_name=name, maxlinelen=self.max_line_length)
        return f"{name}: {header.encode(linesep=self.linesep)}{self.linesep}"

    def fold_binary(self, name: str, value: Any) -> bytes:
        if name.lower() != "subject":
            return super().fold_binary(name, value)
        return self.fold(name, value).encode("ascii")


# Every message the product writes is built with this policy (``new_message``).
POLICY = _Policy()


def new_message() -> EmailMessage:
    return EmailMessage(policy=POLICY)


def send(message: EmailMessage, settings: Settings) -> None:
    """Hand ``message`` to the SMTP server or raise :class:`MailError`.

    A message without a ``Date`` (RFC 5322 requires one) gets the moment it is handed over."""
    if "Date" not in message:
        message["Date"] = format_datetime(datetime.now(UTC))
    try:
        try:
            line, reused = _line(settings)
            line.hand_over(message)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPSenderRefused) as exc:
            # A kept connection the server dropped (or closes, 421) fails at MAIL FROM, before
            # anything was handed over: once more on a new one. A new one failing is an error.
            if not reused or getattr(exc, "smtp_code", 421) != 421:
                raise
            log.info("SMTP connection was closed by the server; opening a new one")
            close()
            line, _reused = _line(settings)
            line.hand_over(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        raise MailError(f"Empfänger abgelehnt (SMTP {codes})", permanent=min(codes) >= 500) from exc
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"SMTP {exc.smtp_code}", permanent=exc.smtp_code >= 550) from exc
    except (smtplib.SMTPException, OSError) as exc:
        close()
        raise MailError(f"SMTP-Server nicht erreichbar ({type(exc).__name__})") from exc
    finally:
        kept = getattr(_kept, "line", None)
        if kept is not None and not kept.usable(settings):
            close()


log = logging.getLogger(__name__)
_kept = threading.local()  # .line: this thread's open connection


class _Line:
    """One open SMTP connection: where it goes, when it was last used, how much it sent."""

    def __init__(self, settings: Settings) -> None:
        self.key = _key(settings)
        self.pid = os.getpid()
        smtp_class = smtplib.SMTP_SSL if settings.smtp_ssl else smtplib.SMTP
        self.smtp = smtp_class(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        )
        try:
            if settings.smtp_starttls and not settings.smtp_ssl:
                self.smtp.starttls()
            if settings.smtp_user and settings.smtp_password:
                self.smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
        except BaseException:
            self.smtp.close()
            raise
        self.used, self.sent = time.monotonic(), 0

    def hand_over(self, message: EmailMessage) -> None:
        self.used, self.sent = time.monotonic(), self.sent + 1
        self.smtp.send_message(message)

    def usable(self, settings: Settings) -> bool:
        """Still worth sending on: connected (smtplib closes it on 421 or a lost link), same
        server and account, this process's own (not inherited by a fork), not used up."""
        return (
            self.smtp.sock is not None
            and self.pid == os.getpid()
            and self.key == _key(settings)
            and self.sent < settings.smtp_messages_per_connection
        )

    def alive(self, settings: Settings) -> bool:
        """Recently used, or answers NOOP (a server drops idle connections after a while)."""
        if time.monotonic() - self.used < settings.smtp_noop_after_idle_seconds:
            return True
        try:
            return self.smtp.noop()[0] == 250
        except (smtplib.SMTPException, OSError):
            return False

    def close(self) -> None:
        if self.pid != os.getpid():
            return  # the parent's connection: leave its socket to the parent
        try:
            self.smtp.quit()
        except (smtplib.SMTPException, OSError):
            self.smtp.close()


def _key(settings: Settings) -> tuple[object, ...]:
    secret = settings.smtp_password.get_secret_value() if settings.smtp_password else None
    return (
        settings.smtp_host, settings.smtp_port, settings.smtp_ssl, settings.smtp_starttls,
        settings.smtp_user, secret, settings.smtp_timeout_seconds,
    )  # fmt: skip


def _line(settings: Settings) -> tuple[_Line, bool]:
    """This thread's connection, kept if still good, else a new one; and whether it was kept."""
    line: _Line | None = getattr(_kept, "line", None)
    if line is not None and line.usable(settings) and line.alive(settings):
        return line, True
    close()
    _kept.line = _Line(settings)
    return _kept.line, False


def close() -> None:
    """Close this thread's kept connection, if any (a worker process ending, a failure)."""
    line: _Line | None = getattr(_kept, "line", None)
    _kept.line = None
    if line is not None:
        line.close()
