"""The consent form the household signs (Art. 7(1) GDPR: the office can show the consent):
in the household's language and in German, naming the partner category and the partners it
means today, each field to be shared with the value that would go out, how long the consent
holds, that it is voluntary and how to withdraw it.

The same form is printed unsigned for a signature on paper, shown on the tablet before the
household signs there, and made again with the tablet signature as the household's copy.
"""

import base64
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from sqlmodel import Session, col, select

from core.clock import berlin
from models import Case, Consent, ConsentEvidence, Household, HouseholdMember, Office, Partner
from models.enums import EvidenceKind, PartnerCategory, SharedField
from workflows.messaging import i18n
from workflows.messaging.referral_mail import shared_values

TEMPLATE, PART = "consent_form.html.jinja", "consent_form_part.html.jinja"


@dataclass(frozen=True)
class Signature:
    on: str  # the day, 31.12.2026
    image: str | None  # the tablet signature as a data: URL; None when signed on paper


@dataclass(frozen=True)
class Form:
    office: Office
    case_number: str
    name: str  # the contact person, as on record
    category: PartnerCategory
    partners: list[str]  # the partners of the category serving the household now
    fields: list[tuple[SharedField, str]]  # what is shared, with the value that would go out
    expires_on: str | None
    signature: Signature | None
    made_on: str
    household_languages: list[str]  # preferred first, as on record


def _day(value: date | datetime) -> str:
    return f"{berlin(value) if isinstance(value, datetime) else value:%d.%m.%Y}"


def _partners(session: Session, household: Household, category: PartnerCategory) -> list[str]:
    partners = session.exec(
        select(Partner)
        .where(Partner.category == category, col(Partner.active).is_(True))
        .order_by(col(Partner.name))
    ).all()
    return [p.name for p in partners if not p.districts or household.district in p.districts]


def gather(
    session: Session,
    case: Case,
    category: PartnerCategory,
    fields: list[str],
    expires_on: date | None,
    now: datetime,
    consent: Consent | None = None,
) -> Form:
    """The form for this choice; with ``consent``, the one on record with its signature."""
    household = session.get(Household, case.household_id)
    office = session.get(Office, case.office_id)
    assert household is not None and office is not None
    contact = session.exec(
        select(HouseholdMember)
        .where(HouseholdMember.household_id == household.id)
        .order_by(col(HouseholdMember.is_contact).desc(), col(HouseholdMember.id))
    ).first()
    signature = None
    if consent is not None:
        evidence = session.exec(
            select(ConsentEvidence).where(ConsentEvidence.consent_id == consent.id)
        ).first()
        image = None
        if evidence and evidence.kind == EvidenceKind.TABLET and evidence.data:
            image = f"data:image/png;base64,{base64.b64encode(evidence.data).decode()}"
        signature = Signature(on=_day(consent.granted_at), image=image)
    return Form(
        office=office,
        case_number=case.number,
        name=f"{contact.given_name} {contact.family_name}" if contact else household.family_name,
        category=category,
        partners=_partners(session, household, category),
        fields=shared_values(session, household, fields),
        expires_on=_day(expires_on) if expires_on else None,
        signature=signature,
        made_on=_day(now),
        household_languages=household.languages,
    )


def languages(household_languages: list[str]) -> list[str]:
    """The household's language first, then German (once, when that is the household's)."""
    chosen = [code for code in i18n.choose_languages(household_languages)]
    if i18n.SOURCE_LANGUAGE not in chosen:
        chosen.append(i18n.SOURCE_LANGUAGE)
    return chosen


def parts(form: Form) -> list[dict[str, Any]]:
    """The form's text once per language, for the page and the PDF."""
    result = []
    for language in languages(form.household_languages):
        template = i18n.environment(language, True).get_template(PART)
        result.append(
            {
                "language": language,
                "direction": i18n.text_direction(language),
                "html": Markup(template.render(form=form, lang=language)),  # escaped there
            }
        )
    return result


def html(form: Form) -> str:
    environment: Environment = i18n.environment(i18n.SOURCE_LANGUAGE, True)
    return environment.get_template(TEMPLATE).render(parts=parts(form), form=form)


def pdf(form: Form) -> bytes:
    from weasyprint import HTML  # loads Pango: only when a form is made

    result = HTML(string=html(form)).write_pdf()
    assert result is not None
    return bytes(result)
