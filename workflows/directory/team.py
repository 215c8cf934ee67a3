"""Staff accounts as administrators keep them: who works where, in which role."""

from dataclasses import dataclass

from pydantic import BaseModel
from sqlmodel import Session, col, select

from core import limits
from models import Office, Staff
from models.enums import Employer, Role
from workflows.directory.accounts import create_staff, set_password
from workflows.directory.checks import FieldErrors
from workflows.engine.errors import InvalidInput

ROLE_LABELS: dict[str, str] = {
    Role.CASEWORKER: "Fallbearbeitung",
    Role.SUPERVISOR: "Leitung",
    Role.ADMIN: "Verwaltung",
}
EMPLOYER_LABELS: dict[str, str] = {
    Employer.CITY: "Stadt Dortmund",
    Employer.ASSOCIATION: "Wohlfahrtsverband",
}


class StaffInput(BaseModel):
    name: str = ""
    email: str = ""
    role: str = ""
    employer: str = ""
    employer_name: str = ""
    office_id: str = ""  # "" = no office (head of the social welfare office, administrators)
    password: str = ""


@dataclass(frozen=True)
class StaffRow:
    staff: Staff
    office_name: str | None


def list_staff(session: Session) -> list[StaffRow]:
    """Every account with its office, active ones first."""
    query = (
        select(Staff, Office.name)
        .outerjoin(Office, col(Office.id) == Staff.office_id)
        .order_by(col(Staff.active).desc(), col(Office.name), col(Staff.name))
    )
    return [StaffRow(staff, office_name) for staff, office_name in session.exec(query)]


def add_staff(session: Session, data: StaffInput) -> Staff:
    """Create an account with an initial password the person changes after signing in."""
    errors = FieldErrors()
    if data.role not in ROLE_LABELS:
        errors["role"] = "Bitte eine Rolle wählen."
    if data.employer not in EMPLOYER_LABELS:
        errors["employer"] = "Bitte den Arbeitgeber wählen."
    employer_name = errors.required(
        "employer_name", data.employer_name, limits.NAME, "den Namen des Arbeitgebers"
    )
    if not data.password:
        errors["password"] = "Bitte ein erstes Passwort vergeben."
    office_id = int(data.office_id) if data.office_id.strip().isdigit() else None
    if data.office_id.strip() and office_id is None:
        errors["office_id"] = "Unbekanntes Büro."
    try:
        staff = create_staff(
            session,
            name=data.name,
            email=data.email,
            # An unknown role is reported above; the account rules are still checked.
            role=Role(data.role) if data.role in ROLE_LABELS else Role.SUPERVISOR,
            employer=Employer(data.employer) if data.employer in EMPLOYER_LABELS else Employer.CITY,
            employer_name=employer_name,
            office_id=office_id,
            password=data.password or None,
        )
    except InvalidInput as exc:
        raise InvalidInput({**exc.errors, **errors}) from None
    errors.check()  # the flushed row goes with the caller's rollback
    return staff


def set_staff_active(session: Session, staff_id: int, active: bool, *, by_id: int) -> Staff:
    """Deactivate (no sign-in, no API) or reactivate an account; nobody locks themselves out."""
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise InvalidInput({"staff_id": "Unbekannte Person."})
    if staff_id == by_id and not active:
        raise InvalidInput({"active": "Das eigene Konto kann nicht deaktiviert werden."})
    staff.active = active
    session.add(staff)
    session.flush()
    return staff


def reset_password(session: Session, staff_id: int, password: str) -> None:
    """Give an account a new password; a lock-out after failed attempts ends with it."""
    set_password(session, staff_id, password)
    session.flush()
