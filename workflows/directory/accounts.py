"""Staff accounts: creating them, signing in with a lock-out, API tokens."""

from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from core import limits
from core.clock import utc_now
from core.config import get_settings
from core.passwords import hash_password, hash_token, new_token, verify_password
from models import ApiToken, Office, Staff
from models.enums import Employer, Role
from workflows.directory.checks import FieldErrors
from workflows.engine.errors import DomainError, InvalidInput

MIN_PASSWORD_LENGTH = 10


class SignInRefused(DomainError):
    """Wrong email or password, a locked or a deactivated account (the message does not say which
    of email and password was wrong)."""


def check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput({"password": f"Mindestens {MIN_PASSWORD_LENGTH} Zeichen."})


def create_staff(
    session: Session,
    *,
    name: str,
    email: str,
    role: Role,
    employer: Employer,
    employer_name: str,
    office_id: int | None,
    password: str | None = None,
    languages: list[str] | None = None,
) -> Staff:
    """Add a staff account; email addresses are unique regardless of case."""
    errors = FieldErrors()
    name = errors.required("name", name, limits.NAME, "einen Namen")
    email = errors.email("email", email)
    if (
        "email" not in errors
        and session.exec(select(Staff).where(func.lower(Staff.email) == email)).first()
    ):
        errors["email"] = "Diese E-Mail-Adresse ist schon vergeben."
    if office_id is not None and session.get(Office, office_id) is None:
        errors["office_id"] = "Unbekanntes Büro."
    if role == Role.CASEWORKER and office_id is None:
        errors["office_id"] = "Fallbearbeitende gehören zu einem Büro."
    if password is not None and len(password) < MIN_PASSWORD_LENGTH:
        errors["password"] = f"Mindestens {MIN_PASSWORD_LENGTH} Zeichen."
    errors.check()
    staff = Staff(
        name=name.strip(), email=email, role=role, employer=employer,
        employer_name=employer_name, office_id=office_id, languages=languages or [],
        password_hash=hash_password(password) if password else None,
    )  # fmt: skip
    session.add(staff)
    session.flush()
    return staff


def set_password(session: Session, staff_id: int, password: str) -> None:
    check_password_rules(password)
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise InvalidInput({"staff_id": "Unbekannte Person."})
    staff.password_hash = hash_password(password)
    staff.failed_logins, staff.locked_until = 0, None


def authenticate(session: Session, email: str, password: str, now: datetime | None = None) -> Staff:
    """The staff member with these credentials; after repeated failures the account locks."""
    now = now or utc_now()
    settings = get_settings()
    query = select(Staff).where(func.lower(Staff.email) == email.strip().lower())
    staff = session.exec(query).first()
    if staff is not None and staff.locked_until is not None and staff.locked_until > now:
        raise SignInRefused(
            "Zu viele Fehlversuche: Das Konto ist vorübergehend gesperrt. "
            f"Bitte in {settings.login_lock_minutes} Minuten erneut versuchen."
        )
    valid = verify_password(staff.password_hash if staff else None, password)
    if staff is None or not valid:
        if staff is not None:
            staff.failed_logins += 1
            if staff.failed_logins >= settings.login_max_failures:
                staff.locked_until = now + timedelta(minutes=settings.login_lock_minutes)
                staff.failed_logins = 0
        raise SignInRefused("E-Mail-Adresse oder Passwort ist falsch.")
    if not staff.active:
        raise SignInRefused("Dieses Konto ist deaktiviert.")
    staff.failed_logins, staff.locked_until, staff.last_login_at = 0, None, now
    return staff


def issue_api_token(session: Session, staff_id: int, name: str) -> str:
    """A new API token for ``staff_id``; the plain token is returned once and not stored."""
    token = new_token()
    session.add(ApiToken(staff_id=staff_id, name=name, token_hash=hash_token(token)))
    session.flush()
    return token


# A token's last use is noted to the minute: a program calling many times a second would
# otherwise write (and commit) a row on every request, GETs included.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def staff_for_token(session: Session, token: str, now: datetime | None = None) -> Staff | None:
    """The active staff member owning an unrevoked ``token``, or None. Its last use is noted
    when the one on record is a minute old or more (then the session has a change to commit)."""
    query = (
        select(ApiToken, Staff)
        .join(Staff, col(Staff.id) == ApiToken.staff_id)
        .where(ApiToken.token_hash == hash_token(token), col(ApiToken.revoked_at).is_(None))
    )
    found = session.exec(query).first()  # one round trip for the token and its owner
    if found is None:
        return None
    record, staff = found
    if not staff.active:
        return None
    now = now or utc_now()
    if record.last_used_at is None or now - record.last_used_at >= TOKEN_USE_RESOLUTION:
        record.last_used_at = now
    return staff
