"""The emails behind reminders, composed from the database when they are sent (plain German).

Recipients are resolved at send time, so a task carries nothing but the reminder's id.
"""

from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from sqlmodel import Session, col, select

from core.clock import format_berlin
from core.config import Settings
from models import (
    Appointment,
    Case,
    CaseStep,
    Household,
    HouseholdMember,
    Office,
    Partner,
    Referral,
    Reminder,
    Staff,
)
from models.enums import AppointmentKind, Recipient, ReminderKind, Role
from workflows.move_in import STEPS
from workflows.states import MILESTONE_LABELS


class Undeliverable(Exception):
    """Nobody to send to (no address on record); trying again cannot help."""


def compose(session: Session, reminder: Reminder, settings: Settings) -> EmailMessage:
    """The email for ``reminder``, addressed to whoever should receive it now."""
    case = session.get(Case, reminder.case_id)
    assert case is not None
    office = session.get(Office, case.office_id)
    assert office is not None
    subject, body = _COMPOSERS[reminder.kind](session, reminder, case, office)
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = ", ".join(_recipients(session, reminder, case))
    message["Reply-To"] = office.email
    message["Subject"] = subject
    # Stable per reminder, so a receiving system can drop a duplicate after a worker crash.
    message["Message-ID"] = make_msgid(f"reminder-{reminder.id}", domain="lokal-willkommen.de")
    message["X-Willkommen-Reminder"] = str(reminder.id)
    message.set_content(body + _signature(office))
    return message


def _recipients(session: Session, reminder: Reminder, case: Case) -> list[str]:
    addresses: list[str | None]
    if reminder.recipient == Recipient.CASEWORKER:
        appointment = session.get(Appointment, reminder.appointment_id)
        staff_id = (appointment.staff_id if appointment else None) or case.assignee_id
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
        raise Undeliverable(
            f"Keine E-Mail-Adresse für Empfänger '{reminder.recipient}' hinterlegt."
        )
    return present


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


def _registration(
    session: Session, reminder: Reminder, case: Case, office: Office
) -> tuple[str, str]:
    step = session.get(CaseStep, reminder.step_id)
    household = session.get(Household, case.household_id)
    assert step is not None and step.due_at is not None and household is not None
    deadline = format_berlin(step.due_at - timedelta(seconds=1), with_time=False)
    subject = f"Bitte melden Sie Ihre Wohnung bis zum {deadline} an"
    body = (
        f"Guten Tag,\n\nSie sind am {household.moved_in_on:%d.%m.%Y} in Ihre neue Wohnung "
        f"({household.street}) eingezogen. Bitte melden Sie sich bis zum {deadline} bei den "
        "Bürgerdiensten der Stadt Dortmund an. Das ist gesetzlich vorgeschrieben "
        "(§ 17 Bundesmeldegesetz).\n\nBitte bringen Sie mit: Ihre Ausweise oder Pässe und die "
        "Wohnungsgeberbestätigung Ihres Vermieters.\n\nWenn Sie Hilfe brauchen, kommen Sie in die "
        f"Sprechstunde von lokal willkommen {office.name}.\n"
    )
    return subject, body


def _step_overdue(
    session: Session, reminder: Reminder, case: Case, office: Office
) -> tuple[str, str]:
    step = session.get(CaseStep, reminder.step_id)
    assert step is not None and step.due_at is not None
    label = STEPS[step.kind].label
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


def _assignee_line(session: Session, case: Case) -> str:
    assignee = session.get(Staff, case.assignee_id) if case.assignee_id else None
    return (
        f"Zuständig: {assignee.name}\n" if assignee else "Der Fall hat keine zuständige Person.\n"
    )


def _referral(session: Session, reminder: Reminder, case: Case, office: Office) -> tuple[str, str]:
    referral = session.get(Referral, reminder.referral_id)
    assert referral is not None
    step = session.get(CaseStep, referral.step_id)
    household = session.get(Household, case.household_id)
    assert step is not None and household is not None
    contact = session.exec(
        select(HouseholdMember)
        .where(HouseholdMember.household_id == household.id)
        .order_by(col(HouseholdMember.is_contact).desc(), col(HouseholdMember.id))
    ).first()
    label = STEPS[step.kind].label
    caseworker = session.get(Staff, referral.created_by_id) if referral.created_by_id else None
    lines = [
        f"Ansprechperson: {contact.given_name} {contact.family_name}" if contact else None,
        f"Sprachen: {', '.join(household.languages)}" if household.languages else None,
        f"Telefon: {household.phone}" if household.phone else None,
        f"E-Mail: {household.email}" if household.email else None,
        f"Stadtbezirk: {household.district}",
    ]
    details = "\n".join(f"  {line}" for line in lines if line)
    subject = f"Weitervermittlung: {label} ({case.number})"
    body = (
        f"Guten Tag,\n\nlokal willkommen {office.name} vermittelt Ihnen einen Haushalt, der "
        f"kürzlich in eine eigene Wohnung gezogen ist, zum Thema »{label}«. Der Haushalt hat der "
        f"Weitergabe dieser Angaben an Sie zugestimmt:\n\n{details}\n\n"
        f"Fallnummer: {case.number}\n"
        + (
            f"Ansprechpartner:in bei uns: {caseworker.name}, {caseworker.email}\n"
            if caseworker
            else ""
        )
        + "\nBitte antworten Sie auf diese E-Mail, ob Sie die Anfrage übernehmen.\n"
    )
    return subject, body


_COMPOSERS = {
    ReminderKind.VISIT: _visit,
    ReminderKind.REGISTRATION_DEADLINE: _registration,
    ReminderKind.STEP_OVERDUE: _step_overdue,
    ReminderKind.MILESTONE_OVERDUE: _milestone_overdue,
    ReminderKind.REFERRAL: _referral,
}
