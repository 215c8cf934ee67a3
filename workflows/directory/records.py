"""The directory administrators keep: offices, their sub-locations, partners and staff accounts.

Inputs arrive as raw text (what a form sends) and are checked here, every problem reported at its
field in German (``InvalidInput``). Services only flush; the caller commits. Nothing here touches
cases: administrators manage the network, not the households in it.
"""

import re
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from models import Office, Partner, Staff, SubLocation
from models.enums import PARTNER_CATEGORY_LABELS, District, Employer, PartnerCategory, Role
from workflows.directory.accounts import create_staff, set_password
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
DISTRICTS = [district.value for district in District]

_CODE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PHONE = re.compile(r"^\+?[0-9 /()-]{5,30}$")


# ---------------------------------------------------------------------------------------------
# Raw inputs, as a form sends them (every field optional text; the services judge them).


class OfficeInput(BaseModel):
    name: str = ""
    code: str = ""
    address: str = ""
    email: str = ""
    phone: str = ""
    partner_organisation: str = ""
    districts: list[str] = []

    @classmethod
    def of(cls, office: Office) -> "OfficeInput":
        return cls(
            name=office.name,
            code=office.code,
            address=office.address,
            email=office.email,
            phone=office.phone or "",
            partner_organisation=office.partner_organisation,
            districts=list(office.districts),
        )


class SubLocationInput(BaseModel):
    name: str = ""
    address: str = ""


class PartnerInput(BaseModel):
    name: str = ""
    category: str = ""
    email: str = ""
    phone: str = ""
    city_wide: bool = False
    districts: list[str] = []
    active: bool = False

    @classmethod
    def of(cls, partner: Partner) -> "PartnerInput":
        return cls(
            name=partner.name,
            category=partner.category,
            email=partner.email,
            phone=partner.phone or "",
            city_wide=not partner.districts,
            districts=list(partner.districts),
            active=partner.active,
        )


class StaffInput(BaseModel):
    name: str = ""
    email: str = ""
    role: str = ""
    employer: str = ""
    employer_name: str = ""
    office_id: str = ""  # "" = no office (head of the social welfare office, administrators)
    password: str = ""


# ---------------------------------------------------------------------------------------------
# Small checks shared by the forms


class _Errors(dict[str, str]):
    def required(self, field: str, value: str, max_length: int, what: str) -> str:
        value = value.strip()
        if not value:
            self[field] = f"Bitte {what} angeben."
        elif len(value) > max_length:
            self[field] = f"Höchstens {max_length} Zeichen."
        return value

    def email(self, field: str, value: str) -> str:
        value = value.strip().lower()
        try:
            validate_email(value, check_deliverability=False)
        except EmailNotValidError:
            self[field] = "Keine gültige E-Mail-Adresse."
        return value

    def phone(self, field: str, value: str) -> str | None:
        value = value.strip()
        if value and not _PHONE.match(value):
            self[field] = "Keine gültige Telefonnummer (Ziffern, Leerzeichen, + / ( ) -)."
        return value or None

    def districts(self, field: str, values: list[str]) -> list[str]:
        unknown = [value for value in values if value not in DISTRICTS]
        if unknown:
            self[field] = f"Unbekannter Bezirk: {', '.join(unknown)}."
        return [district for district in DISTRICTS if district in values]  # canonical order

    def check(self) -> None:
        if self:
            raise InvalidInput(dict(self))


# ---------------------------------------------------------------------------------------------
# Offices and sub-locations


@dataclass(frozen=True)
class OfficeRow:
    office: Office
    sub_locations: int
    staff: int


def list_offices(session: Session) -> list[OfficeRow]:
    """Every office with how many sub-locations and active staff it has."""
    places = dict(
        session.exec(
            select(SubLocation.office_id, func.count()).group_by(col(SubLocation.office_id))
        ).all()
    )
    people = dict(
        session.exec(
            select(Staff.office_id, func.count())
            .where(col(Staff.active).is_(True), col(Staff.office_id).is_not(None))
            .group_by(col(Staff.office_id))
        ).all()
    )
    offices = session.exec(select(Office).order_by(col(Office.name)))
    return [OfficeRow(o, places.get(o.id or 0, 0), people.get(o.id or 0, 0)) for o in offices]


def save_office(session: Session, data: OfficeInput, office_id: int | None = None) -> Office:
    """Create an office, or change one; each district is served by at most one office."""
    errors = _Errors()
    name = errors.required("name", data.name, 120, "einen Namen")
    code = errors.required("code", data.code, 40, "ein Kürzel").lower()
    if code and "code" not in errors and not _CODE.match(code):
        errors["code"] = "Nur Kleinbuchstaben, Ziffern und Bindestriche, z. B. eving-scharnhorst."
    taken = select(Office.id).where(Office.code == code, col(Office.id) != (office_id or -1))
    if code and "code" not in errors and session.exec(taken).first() is not None:
        errors["code"] = "Dieses Kürzel hat schon ein anderes Büro."
    address = errors.required("address", data.address, 200, "die Anschrift")
    partner = errors.required("partner_organisation", data.partner_organisation, 120, "den Träger")
    email = errors.email("email", data.email)
    phone = errors.phone("phone", data.phone)
    districts = errors.districts("districts", data.districts)
    if not districts and "districts" not in errors:
        errors["districts"] = "Bitte mindestens einen Bezirk wählen."
    served = district_owners(session, office_id)
    clashes = [f"{d} (Büro {served[d]})" for d in districts if d in served]
    if clashes:
        errors["districts"] = "Schon von einem anderen Büro betreut: " + ", ".join(clashes) + "."
    errors.check()
    values: dict[str, Any] = {
        "name": name,
        "code": code,
        "address": address,
        "partner_organisation": partner,
    }
    values |= {"email": email, "phone": phone, "districts": districts}
    if office_id is None:
        office = Office.model_validate(values)
    else:
        found = session.get(Office, office_id)
        if found is None:
            raise InvalidInput({"office_id": "Unbekanntes Büro."})
        office = found.sqlmodel_update(values)
    session.add(office)
    session.flush()
    return office


def sub_locations_of(session: Session, office_id: int) -> list[SubLocation]:
    query = select(SubLocation).where(SubLocation.office_id == office_id)
    return list(session.exec(query.order_by(col(SubLocation.name))))


def save_sub_location(
    session: Session, office_id: int, data: SubLocationInput, sub_location_id: int | None = None
) -> SubLocation:
    """Add an outreach place to an office, or change one; names are unique within the office."""
    errors = _Errors()
    name = errors.required("name", data.name, 120, "einen Namen")
    address = errors.required("address", data.address, 200, "die Anschrift")
    same = select(SubLocation.id).where(
        SubLocation.office_id == office_id,
        func.lower(SubLocation.name) == name.lower(),
        col(SubLocation.id) != (sub_location_id or -1),
    )
    if name and session.exec(same).first() is not None:
        errors["name"] = "Dieses Büro hat schon eine Außenstelle mit diesem Namen."
    errors.check()
    if sub_location_id is None:
        place = SubLocation(office_id=office_id, name=name, address=address)
    else:
        found = session.get(SubLocation, sub_location_id)
        if found is None or found.office_id != office_id:
            raise InvalidInput({"sub_location_id": "Unbekannte Außenstelle."})
        place = found
        place.name, place.address = name, address
    session.add(place)
    session.flush()
    return place


# ---------------------------------------------------------------------------------------------
# Partners


def list_partners(session: Session) -> list[Partner]:
    """Every partner, grouped by kind (in the order of the kinds' names), then by name."""
    partners = session.exec(select(Partner).order_by(col(Partner.name))).all()
    return sorted(partners, key=lambda p: PARTNER_CATEGORY_LABELS.get(p.category, p.category))


def district_owners(session: Session, except_office_id: int | None = None) -> dict[str, str]:
    """Which office serves each district (leaving out one office, e.g. the one being edited)."""
    query = select(Office).where(col(Office.id) != (except_office_id or -1))
    return {
        district: office.name for office in session.exec(query) for district in office.districts
    }


def save_partner(session: Session, data: PartnerInput, partner_id: int | None = None) -> Partner:
    """Create or change a cooperation partner; it serves some districts or the whole city."""
    errors = _Errors()
    name = errors.required("name", data.name, 160, "einen Namen")
    if data.category not in PARTNER_CATEGORY_LABELS:
        errors["category"] = "Bitte eine Art von Partner wählen."
    email = errors.email("email", data.email)
    phone = errors.phone("phone", data.phone)
    districts = [] if data.city_wide else errors.districts("districts", data.districts)
    if not data.city_wide and not districts and "districts" not in errors:
        errors["districts"] = "Bitte Bezirke wählen oder „ganze Stadt“ ankreuzen."
    errors.check()
    values: dict[str, Any] = {
        "name": name,
        "category": PartnerCategory(data.category),
        "email": email,
    }
    values |= {"phone": phone, "districts": districts, "active": data.active}
    if partner_id is None:
        partner = Partner.model_validate(values)
    else:
        found = session.get(Partner, partner_id)
        if found is None:
            raise InvalidInput({"partner_id": "Unbekannter Partner."})
        partner = found.sqlmodel_update(values)
    session.add(partner)
    session.flush()
    return partner


# ---------------------------------------------------------------------------------------------
# Staff


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
    errors = _Errors()
    if data.role not in ROLE_LABELS:
        errors["role"] = "Bitte eine Rolle wählen."
    if data.employer not in EMPLOYER_LABELS:
        errors["employer"] = "Bitte den Arbeitgeber wählen."
    employer_name = errors.required(
        "employer_name", data.employer_name, 120, "den Namen des Arbeitgebers"
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
