"""Offices and their sub-locations (outreach places), as administrators keep them.

Inputs arrive as raw text (what a form sends) and are checked here, every problem reported at its
field in German (``InvalidInput``). Services only flush; the caller commits.
"""

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func
from sqlmodel import Session, col, select

from core import limits
from models import Office, Staff, SubLocation
from workflows.directory.checks import CODE, FieldErrors
from workflows.engine.errors import InvalidInput


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
    errors = FieldErrors()
    name = errors.required("name", data.name, limits.NAME, "einen Namen")
    code = errors.required("code", data.code, limits.CODE, "ein Kürzel").lower()
    if code and "code" not in errors and not CODE.match(code):
        errors["code"] = "Nur Kleinbuchstaben, Ziffern und Bindestriche, z. B. eving-scharnhorst."
    taken = select(Office.id).where(Office.code == code, col(Office.id) != (office_id or -1))
    if code and "code" not in errors and session.exec(taken).first() is not None:
        errors["code"] = "Dieses Kürzel hat schon ein anderes Büro."
    address = errors.required("address", data.address, limits.STREET, "die Anschrift")
    partner = errors.required(
        "partner_organisation", data.partner_organisation, limits.NAME, "den Träger"
    )
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
    errors = FieldErrors()
    name = errors.required("name", data.name, limits.NAME, "einen Namen")
    address = errors.required("address", data.address, limits.STREET, "die Anschrift")
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


def district_owners(session: Session, except_office_id: int | None = None) -> dict[str, str]:
    """Which office serves each district (leaving out one office, e.g. the one being edited)."""
    query = select(Office).where(col(Office.id) != (except_office_id or -1))
    return {
        district: office.name for office in session.exec(query) for district in office.districts
    }
