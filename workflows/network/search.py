"""One search over the network: active partners (city-wide) and the office's active volunteers,
by language, area of life and district, and a word in the name or offer.

Partners are kinds (PartnerCategory), volunteers help with areas (ContactTopic); a partner
kind answers for the area it belongs to. The directory is small (hundreds of rows), so the
lists are filtered here after one query each, the same on SQLite and PostgreSQL.
"""

from dataclasses import dataclass

from sqlmodel import Session, col, select

from models import Partner, PartnerContact, Volunteer
from models.enums import ContactTopic, PartnerCategory
from workflows.network import contacts

AREA_OF_CATEGORY: dict[str, str] = {
    PartnerCategory.ENERGY_ADVICE: ContactTopic.ENERGY,
    PartnerCategory.SCHOOL: ContactTopic.SCHOOL,
    PartnerCategory.CHILDCARE: ContactTopic.KITA,
    PartnerCategory.TRANSIT: ContactTopic.TRANSIT,
    PartnerCategory.EMPLOYMENT: ContactTopic.WORK,
    PartnerCategory.REGISTRY_OFFICE: ContactTopic.BIRTH,
    PartnerCategory.CITIZENS_OFFICE: ContactTopic.OFFICIAL_MAIL,
    PartnerCategory.LANGUAGE_COURSE: ContactTopic.LANGUAGE_COURSE,
    PartnerCategory.HEALTH: ContactTopic.HEALTH,
    PartnerCategory.COUNSELLING: ContactTopic.OTHER,
}


@dataclass(frozen=True)
class Query:
    language: str | None = None
    area: str | None = None  # a ContactTopic value
    district: str | None = None
    text: str | None = None


@dataclass(frozen=True)
class Found:
    partners: list[tuple[Partner, list[PartnerContact]]]
    volunteers: list[Volunteer]


def _words(text: str | None) -> list[str]:
    return [w for w in (text or "").casefold().split() if w][:5]


def _serves(districts: list[str], district: str | None) -> bool:
    return district is None or not districts or district in districts


def search(session: Session, office_id: int | None, query: Query) -> Found:
    """Partners and (with ``office_id``) the office's volunteers matching every given filter."""
    words = _words(query.text)
    partners = []
    active = list(
        session.exec(
            select(Partner).where(col(Partner.active).is_(True)).order_by(col(Partner.name))
        )
    )
    people_of = contacts.contacts_of(session, [p.id for p in active if p.id is not None])
    for partner in active:
        people = people_of[partner.id]  # type: ignore[index]
        spoken = set(partner.languages) | {code for person in people for code in person.languages}
        haystack = " ".join([partner.name, partner.offers or "", partner.capacity_note or ""])
        if (
            (query.language is None or query.language in spoken)
            and (query.area is None or AREA_OF_CATEGORY.get(partner.category) == query.area)
            and _serves(partner.districts, query.district)
            and all(word in haystack.casefold() for word in words)
        ):
            partners.append((partner, people))
    volunteers = []
    if office_id is not None:
        listed = session.exec(
            select(Volunteer)
            .where(Volunteer.office_id == office_id, col(Volunteer.active).is_(True))
            .order_by(col(Volunteer.name))
        )
        for volunteer in listed:
            haystack = " ".join([volunteer.name, volunteer.availability or ""])
            if (
                (query.language is None or query.language in volunteer.languages)
                and (query.area is None or query.area in volunteer.helps_with)
                and _serves(volunteer.districts, query.district)
                and all(word in haystack.casefold() for word in words)
            ):
                volunteers.append(volunteer)
    return Found(partners, volunteers)
