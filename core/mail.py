"""Sending one email over SMTP, configured from the settings."""

import smtplib
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
    smtp_class = smtplib.SMTP_SSL if settings.smtp_ssl else smtplib.SMTP
    try:
        with smtp_class(
            settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout_seconds
        ) as smtp:
            if settings.smtp_starttls and not settings.smtp_ssl:
                smtp.starttls()
            if settings.smtp_user and settings.smtp_password:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except smtplib.SMTPRecipientsRefused as exc:
        codes = [code for code, _text in exc.recipients.values()]
        raise MailError(f"Empfänger abgelehnt (SMTP {codes})", permanent=min(codes) >= 500) from exc
    except smtplib.SMTPResponseException as exc:
        raise MailError(f"SMTP {exc.smtp_code}", permanent=exc.smtp_code >= 550) from exc
    except (smtplib.SMTPException, OSError) as exc:
        raise MailError(f"SMTP-Server nicht erreichbar ({type(exc).__name__})") from exc
