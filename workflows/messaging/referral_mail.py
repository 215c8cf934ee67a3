"""Emails around a referral (German): to the partner, and to the caseworker if it stays open.

The referral email holds exactly the household data the household consented to share with the
partner's category (``Consent.shared_fields``), plus the two signed answer links.
"""

from datetime import timedelta

from sqlmodel import Session, col, select

from core.clock import berlin, format_berlin, utc_now
from core.config import Settings
from models import (
    Case,
    CaseStep,
    Consent,
    Household,
    HouseholdMember,
    Office,
    Partner,
    Referral,
    Reminder,
    Staff,
)
from models.enums import PARTNER_CATEGORY_LABELS, SharedField
from workflows import consent
from workflows.engine.facts import age_on
from workflows.messaging import i18n
from workflows.move_in import step_label
from workflows.referrals import links
from workflows.referrals.links import Action

Composed = tuple[str, str]


class NoConsent(Exception):
    """The household's consent for this partner's category is gone: nothing may be sent."""


def _loaded(session: Session, reminder: Reminder) -> tuple[Referral, Partner, str]:
    referral = session.get(Referral, reminder.referral_id)
    assert referral is not None
    partner = session.get(Partner, referral.partner_id)
    assert partner is not None
    return referral, partner, topic(session, referral, partner)


def topic(session: Session, referral: Referral, partner: Partner) -> str:
    """What the referral is about: its step, or the partner's category for one without."""
    step = session.get(CaseStep, referral.step_id) if referral.step_id else None
    if step is not None:
        return step_label(step.kind)
    return PARTNER_CATEGORY_LABELS.get(partner.category, str(partner.category))


def active_consent(session: Session, household_id: int, category: str) -> Consent | None:
    """The consent that allows sending the household's data to ``category`` today."""
    return consent.in_force(session, household_id, category, berlin(utc_now()).date())


def shared_values(
    session: Session, household: Household, fields: list[str]
) -> list[tuple[SharedField, str]]:
    """Each consented field with the value that goes out, in a fixed order; a field with
    nothing on record is left out."""
    members = list(
        session.exec(
            select(HouseholdMember)
            .where(HouseholdMember.household_id == household.id)
            .order_by(col(HouseholdMember.is_contact).desc(), col(HouseholdMember.id))
        )
    )
    contact = members[0] if members else None
    today = berlin(utc_now()).date()
    ages = sorted((age_on(m.birth_date, today) for m in members), reverse=True)
    values = {
        SharedField.NAME: f"{contact.given_name} {contact.family_name}" if contact else None,
        SharedField.PHONE: household.phone,
        SharedField.EMAIL: household.email,
        SharedField.LANGUAGES: ", ".join(
            i18n.language_name(code, "de") for code in household.languages
        ),
        SharedField.ADDRESS: f"{household.street}, {household.postal_code} {household.city}",
        SharedField.MEMBERS: f"{len(members)} Personen, Alter "
        + ", ".join(str(age) for age in ages),
    }
    return [(field, value) for field, value in values.items() if field in fields and value]


_LINE_LABELS = {
    SharedField.NAME: "Ansprechperson",
    SharedField.PHONE: "Telefon",
    SharedField.EMAIL: "E-Mail",
    SharedField.LANGUAGES: "Sprachen",
    SharedField.ADDRESS: "Adresse",
    SharedField.MEMBERS: "Haushalt",
}


def shared_details(session: Session, household: Household, fields: list[str]) -> list[str]:
    """One line per consented field, in a fixed order; nothing that was not consented."""
    return [
        f"{_LINE_LABELS[field]}: {value}"
        for field, value in shared_values(session, household, fields)
    ]


PLACEHOLDER = f"{links.PATH}/<Link wird beim Versand erzeugt>"


def _links(settings: Settings, referral: Referral, live: bool) -> str:
    expires = format_berlin(
        utc_now() + timedelta(days=settings.referral_link_max_age_days), with_time=False
    )
    accept = links.url(settings, referral, Action.ACCEPT) if live else PLACEHOLDER
    decline = links.url(settings, referral, Action.DECLINE) if live else PLACEHOLDER
    report = links.url(settings, referral, Action.REPORT) if live else PLACEHOLDER
    return (
        "Bitte antworten Sie mit einem Klick (kein Konto nötig):\n\n"
        f"  Annehmen:  {accept}\n\n"
        f"  Ablehnen (gern mit Grund):  {decline}\n\n"
        "Und wenn es abgeschlossen ist, sagen Sie uns bitte, wie es ausging (erledigt, oder "
        f"der Haushalt war nicht erreichbar):\n\n  Ergebnis melden:  {report}\n\n"
        f"Die Links gelten bis zum {expires}; jeder nur einmal.\n"
    )


def _contact(session: Session, referral: Referral) -> str:
    caseworker = session.get(Staff, referral.created_by_id) if referral.created_by_id else None
    if caseworker is None:
        return ""
    return f"Ansprechpartner:in bei uns: {caseworker.name}, {caseworker.email}\n"


def referral(
    session: Session,
    reminder: Reminder,
    case: Case,
    office: Office,
    settings: Settings,
    live_links: bool = True,
) -> Composed:
    """The referral itself: what the household consented to share, and the answer links."""
    referral, partner, label = _loaded(session, reminder)
    household = session.get(Household, case.household_id)
    assert household is not None
    given = active_consent(session, household.id or 0, partner.category)
    if given is None:
        why = consent.missing(
            consent.current(session, household.id or 0, partner.category),
            partner.category,
            berlin(utc_now()).date(),
        )
        raise NoConsent(why or "Keine Einwilligung für diese Partnerart (mehr).")
    details = "\n".join(
        f"  {line}" for line in shared_details(session, household, given.shared_fields)
    )
    subject = f"Weitervermittlung: {label} ({case.number})"
    message = f"Nachricht von uns:\n\n  {referral.message}\n\n" if referral.message else ""
    body = (
        f"Guten Tag,\n\nlokal willkommen {office.name} vermittelt Ihnen einen Haushalt, der "
        f"kürzlich in eine eigene Wohnung gezogen ist, zum Thema »{label}«. Der Haushalt hat der "
        f"Weitergabe dieser Angaben an Sie zugestimmt:\n\n{details or '  (keine)'}\n\n"
        f"{message}Fallnummer: {case.number}\n{_contact(session, referral)}\n"
        f"{_links(settings, referral, live_links)}"
    )
    return subject, body


def referral_reminder(
    session: Session,
    reminder: Reminder,
    case: Case,
    office: Office,
    settings: Settings,
    live_links: bool = True,
) -> Composed:
    """The partner's one reminder; the household's data is not repeated."""
    referral, _partner, label = _loaded(session, reminder)
    subject = f"Erinnerung: Weitervermittlung {label} ({case.number}) noch offen"
    body = (
        f"Guten Tag,\n\nam {format_berlin(referral.created_at, with_time=False)} haben wir Ihnen "
        f"einen Haushalt zum Thema »{label}« vermittelt (Fallnummer {case.number}). Wir haben "
        "noch keine Antwort. Die Angaben zum Haushalt stehen in unserer ersten E-Mail.\n\n"
        f"{_contact(session, referral)}\n{_links(settings, referral, live_links)}"
    )
    return subject, body


def referral_withdrawn(
    session: Session,
    reminder: Reminder,
    case: Case,
    office: Office,
    settings: Settings,
    live_links: bool = True,
) -> Composed:
    """Referral withdrawn (consent withdrawn, or the case closed): the partner stops and deletes
    what it got."""
    referral, partner, label = _loaded(session, reminder)
    if active_consent(session, case.household_id, partner.category) is None:
        why = (
            "der Haushalt hat seine Einwilligung zur Weitergabe seiner Daten widerrufen. Wir "
            "ziehen deshalb"
        )
    elif case.closed_at is not None:
        why = "unsere Begleitung dieses Haushalts ist abgeschlossen. Wir ziehen deshalb"
    else:
        why = "wir ziehen"
    subject = f"Weitervermittlung zurückgezogen: {label} ({case.number})"
    body = (
        f"Guten Tag,\n\n{why} unsere Weitervermittlung vom "
        f"{format_berlin(referral.created_at, with_time=False)} zum Thema »{label}« "
        f"(Fallnummer {case.number}) zurück.\n\nBitte löschen Sie alle Angaben zu diesem "
        "Haushalt, die Sie von uns bekommen haben, und nehmen Sie wegen dieser "
        "Weitervermittlung keinen Kontakt mehr auf.\n\nVielen Dank.\n"
    )
    return subject, body


def referral_unanswered(
    session: Session,
    reminder: Reminder,
    case: Case,
    office: Office,
    settings: Settings,
    live_links: bool = True,
) -> Composed:
    """To the caseworker: the partner has not answered, even after a reminder."""
    referral, partner, label = _loaded(session, reminder)
    phone = f" (Telefon {partner.phone})" if partner.phone else ""
    subject = f"Keine Antwort von {partner.name}: {label} im Fall {case.number}"
    body = (
        f"Guten Tag,\n\n{partner.name}{phone} hat auf die Weitervermittlung vom "
        f"{format_berlin(referral.created_at, with_time=False)} (»{label}«, Fall {case.number}) "
        "auch nach einer Erinnerung nicht geantwortet. Bitte fragen Sie nach oder vermitteln "
        "Sie den Haushalt anders.\n"
    )
    return subject, body
