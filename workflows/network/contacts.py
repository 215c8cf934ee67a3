"""The people to speak to at a partner organisation; kept by administrators and supervisors
(partners serve the whole city, so any office's supervisor may add the person they know)."""

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from models import Partner, PartnerContact, Staff
from models.enums import Role
from workflows.casework.fields import Email, Language, Name, Phone
from workflows.engine.errors import InvalidInput, NotFound
from workflows.obstacles.kinds import Label


class ContactIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    role: Label | None = Field(default=None, description="e.g. Schulsozialarbeit")
    email: Email | None = None
    phone: Phone | None = None
    languages: list[Language] = Field(default_factory=list, max_length=12)


class PartnerNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Partner nicht gefunden.")


def may_keep(staff: Staff) -> bool:
    return staff.active and staff.role in (Role.ADMIN, Role.SUPERVISOR)


def get_partner(session: Session, partner_id: int) -> Partner:
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise PartnerNotFound
    return partner


def contacts_of(session: Session, partner_ids: list[int]) -> dict[int, list[PartnerContact]]:
    found: dict[int, list[PartnerContact]] = {partner_id: [] for partner_id in partner_ids}
    if not partner_ids:
        return found
    query = (
        select(PartnerContact)
        .where(col(PartnerContact.partner_id).in_(partner_ids))
        .order_by(col(PartnerContact.name))
    )
    for contact in session.exec(query):
        found[contact.partner_id].append(contact)
    return found


def add(session: Session, partner_id: int, data: ContactIn) -> PartnerContact:
    get_partner(session, partner_id)
    if data.email is None and data.phone is None:
        raise InvalidInput({"email": "Bitte eine E-Mail-Adresse oder eine Telefonnummer angeben."})
    contact = PartnerContact(partner_id=partner_id, **data.model_dump())
    contact.languages = list(dict.fromkeys(data.languages))
    session.add(contact)
    session.flush()
    return contact


def remove(session: Session, partner_id: int, contact_id: int) -> None:
    contact = session.get(PartnerContact, contact_id)
    if contact is None or contact.partner_id != partner_id:
        raise NotFound("Ansprechperson nicht gefunden.")
    session.delete(contact)
    session.flush()
