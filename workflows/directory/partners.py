"""Cooperation partners: who takes referrals of which kind, in which districts."""

import re
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
    languages: str = ""  # codes, e.g. "ar, fa"
    capacity_note: str = ""
    offers: str = ""  # what exactly they do
    opening_hours: str = ""

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
            languages=", ".join(partner.languages),
            capacity_note=partner.capacity_note or "",
            offers=partner.offers or "",
            opening_hours=partner.opening_hours or "",
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
    languages = [code for code in re.split(r"[\s,;]+", data.languages.lower()) if code]
    if any(not re.fullmatch(r"[a-z]{2,3}", code) for code in languages) or len(languages) > 12:
        errors["languages"] = "Bitte Sprachkürzel wie ar, fa, uk angeben (durch Komma getrennt)."
    note = data.capacity_note.strip()
    if len(note) > 300 or not limits.single_line(note):
        errors["capacity_note"] = "Bitte in einer Zeile, höchstens 300 Zeichen."
    offers, hours = data.offers.strip(), data.opening_hours.strip()
    if len(offers) > 1000 or not re.fullmatch(limits.TEXT_PATTERN, offers):
        errors["offers"] = "Bitte höchstens 1000 Zeichen, ohne Steuerzeichen."
    if len(hours) > 300 or not limits.single_line(hours):
        errors["opening_hours"] = "Bitte in einer Zeile, höchstens 300 Zeichen."
    errors.check()
    values: dict[str, Any] = {
        "name": name,
        "category": PartnerCategory(data.category),
        "email": email,
    }
    values |= {"phone": phone, "districts": districts, "active": data.active}
    values |= {"languages": list(dict.fromkeys(languages)), "capacity_note": note or None}
    values |= {"offers": offers or None, "opening_hours": hours or None}
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
