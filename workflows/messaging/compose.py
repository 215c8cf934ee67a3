"""The emails behind reminders, composed from the database when they are sent.

Households get theirs in their language with a calendar invitation where one belongs
(``workflows.messaging.household_mail``, ``workflows.messaging.ics``); partners and staff get
German (``workflows.messaging.referral_mail`` and the composers below). Recipients are resolved at
send time, so a task carries nothing but the reminder's id.
"""

import hashlib
import hmac
from collections.abc import Callable
from datetime import datetime
from email.message import EmailMessage
from email.utils import parseaddr

from sqlmodel import Session, col, select

from core import mail
from core.clock import format_berlin, utc_now
from core.config import Settings
from models import (
    Agreement,
    Appointment,
    Case,
    CaseStep,
    Household,
    Office,
    Partner,
    Referral,
    Reminder,
    Staff,
)
from models.enums import AppointmentKind, AppointmentStatus, Recipient, ReminderKind, Role
from workflows.appointments import answers
from workflows.messaging import household_mail, i18n, ics, referral_mail
from workflows.move_in import step_label
from workflows.move_in.states import MILESTONE_LABELS


class Undeliverable(Exception):
    """Nobody to send to (no address on record) or nothing may be sent; retrying cannot help."""


def case_link(settings: Settings, case_id: int | None) -> str:
    """The case page, for staff mails (``public_base_url``)."""
    return f"{settings.public_base_url.rstrip('/')}/cases/{case_id}"


def message_id(reminder_id: int, settings: Settings) -> str:
    """The reminder's Message-ID: the same on every composition and attempt, so a receiving
    system drops a copy resent after a crash; unguessable across installations (keyed)."""
    key = settings.secret_key.get_secret_value().encode()
    tag = hmac.new(key, f"reminder-{reminder_id}".encode(), hashlib.sha256).hexdigest()[:16]
    domain = parseaddr(settings.mail_from)[1].rpartition("@")[2] or "lokal-willkommen.invalid"
    return f"<reminder-{reminder_id}.{tag}@{domain}>"


def compose(
    session: Session,
    reminder: Reminder,
    settings: Settings,
    *,
    languages: tuple[str, ...] | None = None,
    now: datetime | None = None,
    preview: bool = False,
    to_helper: bool = False,
) -> EmailMessage:
    """The email for ``reminder``, addressed to whoever should receive it now.

    For a ``preview``, ``languages`` may override the household's (staff and partners read
    German), a missing address is shown instead of refused, and answer links are placeholders.
    ``to_helper``: a household message to its contact person or volunteer, in the household's
    language and German.
    """
    case = session.get(Case, reminder.case_id)
    assert case is not None
    office = session.get(Office, case.office_id)
    assert office is not None
    message = mail.new_message()
    message["From"] = settings.mail_from
    if to_helper:
        household = session.get(Household, case.household_id)
        assert household is not None and household.helper_email
        message["To"] = household.helper_email
        first = i18n.choose_languages(household.languages)[0]
        languages = tuple(dict.fromkeys((first, i18n.SOURCE_LANGUAGE)))
    else:
        try:
            message["To"] = ", ".join(_recipients(session, reminder, case))
        except Undeliverable:
            if not preview:
                raise
            message["To"] = "(keine E-Mail-Adresse hinterlegt)"
    message["Reply-To"] = office.email
    message["Message-ID"] = message_id(reminder.id, settings)  # type: ignore[arg-type]
    message["X-Willkommen-Reminder"] = str(reminder.id)
    if reminder.kind in household_mail.HOUSEHOLD_KINDS:
        link = answer_link(session, reminder, settings, preview=preview)
        _household(message, session, reminder, case, office, languages, now or utc_now(), link)
        return message
    if reminder.kind in _REFERRAL_COMPOSERS:
        try:
            subject, body = _REFERRAL_COMPOSERS[reminder.kind](
                session, reminder, case, office, settings, not preview
            )
        except referral_mail.NoConsent as exc:
            raise Undeliverable(str(exc)) from None
    else:
        subject, body = _COMPOSERS[reminder.kind](session, reminder, case, office)
    if reminder.recipient in (Recipient.CASEWORKER, Recipient.SUPERVISORS):
        body += f"\nZum Fall: {case_link(settings, case.id)}\n"  # type: ignore[arg-type]
    message["Subject"] = subject
    message.set_content(body + _signature(office))
    message["Content-Language"] = "de"
    return message


def short_text(
    session: Session, reminder: Reminder, settings: Settings, language: str | None = None
) -> str:
    """The household message ``reminder`` as a text message in the household's first
    language (or ``language``)."""
    case = session.get(Case, reminder.case_id)
    assert case is not None
    office = session.get(Office, case.office_id)
    household = session.get(Household, case.household_id)
    assert office is not None and household is not None
    chosen = language or i18n.choose_languages(household.languages)[0]
    link = answer_link(session, reminder, settings)
    context = household_mail.context_for(session, reminder, case, office, link)
    return household_mail.render_sms(reminder.kind, chosen, office, context, link or "")


def answer_link(
    session: Session, reminder: Reminder, settings: Settings, *, preview: bool = False
) -> str | None:
    """Where the household answers this invitation or update; None for other messages and for
    an appointment no longer planned. A preview shows an example (and makes no link)."""
    if reminder.kind not in household_mail.ANSWERABLE_KINDS:
        return None
    if preview:
        return answers.url(settings, "BEISPIEL")
    appointment = session.get(Appointment, reminder.appointment_id)
    if appointment is None or appointment.status != AppointmentStatus.SCHEDULED:
        return None
    return answers.link_for(session, appointment, settings)


def _household(
    message: EmailMessage,
    session: Session,
    reminder: Reminder,
    case: Case,
    office: Office,
    languages: tuple[str, ...] | None,
    now: datetime,
    link: str | None,
) -> None:
    """Text and HTML in the household's language(s); the appointment's .ics where one belongs."""
    household = session.get(Household, case.household_id)
    assert household is not None
    chosen = languages or i18n.choose_languages(household.languages)
    context = household_mail.context_for(session, reminder, case, office, link)
    rendered = household_mail.render(reminder.kind, chosen, office, context)
    message["Subject"] = rendered.subject
    message.set_content(rendered.text)
    message.add_alternative(rendered.html, subtype="html")
    if reminder.kind in _CALENDAR_METHODS:
        appointment = session.get(Appointment, reminder.appointment_id)
        assert appointment is not None
        method = _CALENDAR_METHODS[reminder.kind]
        summary = household_mail.appointment_name(appointment.kind, chosen[0])
        calendar = ics.invitation(
            appointment,
            office,
            summary=f"{summary} – lokal willkommen {office.name}",
            attendee=household.email,
            cancel=method == "CANCEL",
            now=now,
        )
        # Inline, as Outlook and Gmail expect an invitation: a third alternative with its
        # charset and method; and the same file attached for calendars that import files.
        message.add_alternative(
            calendar.decode(), subtype="calendar", charset="utf-8", params={"method": method}
        )
        message.add_attachment(
            calendar, maintype="application", subtype="ics", filename="termin.ics"
        )
    # After the content: setting content clears the Content-* headers.
    message["Content-Language"] = ", ".join(rendered.languages)


_CALENDAR_METHODS = {
    ReminderKind.APPOINTMENT_INVITATION: "REQUEST",
    ReminderKind.APPOINTMENT_UPDATE: "REQUEST",
    ReminderKind.APPOINTMENT_CANCELLATION: "CANCEL",
}


def _recipients(session: Session, reminder: Reminder, case: Case) -> list[str]:
    addresses: list[str | None]
    if reminder.recipient == Recipient.CASEWORKER:
        appointment = (
            session.get(Appointment, reminder.appointment_id) if reminder.appointment_id else None
        )
        referral = session.get(Referral, reminder.referral_id) if reminder.referral_id else None
        staff_id = (
            (appointment.staff_id if appointment else None)
            or case.assignee_id
            or (referral.created_by_id if referral else None)
        )
        staff = session.get(Staff, staff_id) if staff_id else None
        addresses = [staff.email if staff else None]
    elif reminder.recipient == Recipient.HOUSEHOLD:
        household = session.get(Household, case.household_id)
        addresses = [household.email if household else None]
    elif reminder.recipient == Recipient.PARTNER:
        referral = session.get(Referral, reminder.referral_id)
        partner = session.get(Partner, referral.partner_id) if referral else None
        addresses = [partner.email if partner else None]
    else:
        addresses = [s.email for s in supervisors_of(session, case.office_id)]
    present = [address for address in addresses if address]
    if not present:
        whom = _RECIPIENT_WORDS.get(reminder.recipient, str(reminder.recipient))
        raise Undeliverable(f"Keine E-Mail-Adresse für {whom} hinterlegt.")
    return present


_RECIPIENT_WORDS = {
    Recipient.CASEWORKER: "die zuständige Person",
    Recipient.HOUSEHOLD: "den Haushalt",
    Recipient.PARTNER: "den Partner",
    Recipient.SUPERVISORS: "die Leitung",
}


def supervisors_of(session: Session, office_id: int) -> list[Staff]:
    """The office's supervisors; if it has none, those responsible for all offices."""
    base = select(Staff).where(Staff.role == Role.SUPERVISOR, col(Staff.active).is_(True))
    own = list(session.exec(base.where(Staff.office_id == office_id)))
    return own or list(session.exec(base.where(col(Staff.office_id).is_(None))))


def _signature(office: Office) -> str:
    phone = f"\nTelefon {office.phone}" if office.phone else ""
    return f"\n\n--\nlokal willkommen {office.name}\n{office.address}{phone}\n{office.email}\n"


def _visit(session: Session, reminder: Reminder, case: Case, _office: Office) -> tuple[str, str]:
    appointment = session.get(Appointment, reminder.appointment_id)
    household = session.get(Household, case.household_id)
    assert appointment is not None and household is not None
    what = (
        "Willkommensbesuch" if appointment.kind == AppointmentKind.WELCOME_VISIT else "Nachbesuch"
    )
    when = format_berlin(appointment.starts_at)
    subject = f"Erinnerung: {what} am {when} ({case.number})"
    body = (
        f"Guten Tag,\n\nder {what} bei Familie {household.family_name} steht an:\n\n"
        f"  Termin:   {when}\n  Ort:      {appointment.location}\n"
        f"  Sprachen: {', '.join(household.languages) or '–'}\n  Fall:     {case.number}\n"
    )
    return subject, body


def _step_overdue(
    session: Session, reminder: Reminder, case: Case, office: Office
) -> tuple[str, str]:
    step = session.get(CaseStep, reminder.step_id)
    assert step is not None and step.due_at is not None
    label = step_label(step.kind)
    legal = " (gesetzliche Frist)" if step.legal_deadline else ""
    subject = f"Überfällig: {label} im Fall {case.number}"
    body = (
        f"Guten Tag,\n\nim Fall {case.number} (Büro {office.name}) ist der Schritt »{label}« "
        f"seit {format_berlin(step.due_at)} überfällig{legal}.\n\n{_assignee_line(session, case)}"
    )
    return subject, body


def _milestone_overdue(
    session: Session, reminder: Reminder, case: Case, office: Office
) -> tuple[str, str]:
    label = MILESTONE_LABELS.get(reminder.milestone or "", "Termin")
    due = format_berlin(case.milestone_due_at) if case.milestone_due_at else "–"
    subject = f"Überfällig: {label} im Fall {case.number}"
    body = (
        f"Guten Tag,\n\nim Fall {case.number} (Büro {office.name}) hat der {label} bis {due} "
        f"nicht stattgefunden.\n\n{_assignee_line(session, case)}"
    )
    return subject, body


def _hold_follow_up(
    session: Session, reminder: Reminder, case: Case, _office: Office
) -> tuple[str, str]:
    step = session.get(CaseStep, reminder.step_id)
    household = session.get(Household, case.household_id)
    assert step is not None and household is not None
    label = step_label(step.kind)
    until = step.hold_until.strftime("%d.%m.%Y") if step.hold_until else "heute"
    subject = f"Wiedervorlage: {label} im Fall {case.number}"
    body = (
        f"Guten Tag,\n\nder Schritt »{label}« bei Familie {household.family_name} "
        f"({case.number}) steht seit einiger Zeit auf der Warteliste; heute ({until}) ist die "
        f"Wiedervorlage.\n\n  Grund: {step.hold_reason or '–'}\n\n"
        "Bitte prüfen Sie den Stand: weiter bearbeiten, erledigt oder mit neuer Wiedervorlage "
        "auf der Warteliste lassen.\n"
    )
    return subject, body


def _agreement_due(
    session: Session, reminder: Reminder, case: Case, _office: Office
) -> tuple[str, str]:
    agreement = session.get(Agreement, reminder.agreement_id)
    household = session.get(Household, case.household_id)
    assert agreement is not None and household is not None
    subject = f"Vereinbarung fällig: {agreement.what[:60]} ({case.number})"
    body = (
        f"Guten Tag,\n\nbeim Besuch bei Familie {household.family_name} ({case.number}) "
        f"wurde vereinbart:\n\n  {agreement.what}\n  Zuständig: {agreement.owner}\n"
        f"  Bis: {agreement.due_on:%d.%m.%Y}\n\nBitte nachfassen und auf der Fallseite als "
        "erledigt markieren.\n"
    )
    return subject, body


def _assignee_line(session: Session, case: Case) -> str:
    assignee = session.get(Staff, case.assignee_id) if case.assignee_id else None
    return (
        f"Zuständig: {assignee.name}\n" if assignee else "Der Fall hat keine zuständige Person.\n"
    )


_COMPOSERS: dict[str, Callable[[Session, Reminder, Case, Office], tuple[str, str]]] = {
    ReminderKind.VISIT: _visit,
    ReminderKind.STEP_OVERDUE: _step_overdue,
    ReminderKind.MILESTONE_OVERDUE: _milestone_overdue,
    ReminderKind.HOLD_FOLLOW_UP: _hold_follow_up,
    ReminderKind.AGREEMENT_DUE: _agreement_due,
}
_REFERRAL_COMPOSERS: dict[
    str, Callable[[Session, Reminder, Case, Office, Settings, bool], tuple[str, str]]
] = {
    ReminderKind.REFERRAL: referral_mail.referral,
    ReminderKind.REFERRAL_REMINDER: referral_mail.referral_reminder,
    ReminderKind.REFERRAL_WITHDRAWN: referral_mail.referral_withdrawn,
    ReminderKind.REFERRAL_UNANSWERED: referral_mail.referral_unanswered,
}
