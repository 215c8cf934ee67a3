"""Cooperation partners: who takes referrals of which kind, in which districts."""

from typing import Any

from pydantic import BaseModel
from sqlmodel import Session, col, select

from core import limits
from models import Partner
from models.enums import PARTNER_CATEGORY_LABELS, PartnerCategory
from workflows.directory.checks import FieldErrors
from workflows.engine.errors import InvalidInput


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


def list_partners(session: Session) -> list[Partner]:
    """Every partner, grouped by kind (in the order of the kinds' names), then by name."""
    partners = session.exec(select(Partner).order_by(col(Partner.name))).all()
    return sorted(partners, key=lambda p: PARTNER_CATEGORY_LABELS.get(p.category, p.category))


def save_partner(session: Session, data: PartnerInput, partner_id: int | None = None) -> Partner:
    """Create or change a cooperation partner; it serves some districts or the whole city."""
    errors = FieldErrors()
    name = errors.required("name", data.name, limits.PARTNER_NAME, "einen Namen")
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
