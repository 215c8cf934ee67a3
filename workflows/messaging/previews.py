"""What an email will say, before it goes out: any kind, for one case, in a chosen language.

A preview composes exactly what the worker would (``workflows.messaging.compose``) from a
reminder that is never stored. Where the case has no appointment yet, an example appointment
(tomorrow, 10:00) is written into the caller's transaction so the text can be read; callers roll
back, so a preview leaves no row behind and sends nothing.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlmodel import Session, col, select

from core.clock import berlin, shift_local, start_of_day, utc_now
from core.config import Settings
from models import Appointment, Case, CaseStep, Household, Referral, Reminder
from models.enums import AppointmentKind, AppointmentStatus, Recipient, ReminderKind
from workflows.engine.access import may_work_on
from workflows.engine.errors import CaseNotFound, DomainError
from workflows.messaging import i18n
from workflows.messaging.compose import compose
from workflows.messaging.household_mail import APPOINTMENT_KINDS, HOUSEHOLD_KINDS
from workflows.move_in import step_label
from workflows.move_in.states import OPEN_STEP_STATES, StepKind

RECIPIENTS: dict[str, Recipient] = {
    **{kind: Recipient.HOUSEHOLD for kind in HOUSEHOLD_KINDS},
    ReminderKind.VISIT: Recipient.CASEWORKER,
    ReminderKind.STEP_OVERDUE: Recipient.SUPERVISORS,
    ReminderKind.MILESTONE_OVERDUE: Recipient.SUPERVISORS,
    ReminderKind.REFERRAL: Recipient.PARTNER,
    ReminderKind.REFERRAL_REMINDER: Recipient.PARTNER,
    ReminderKind.REFERRAL_WITHDRAWN: Recipient.PARTNER,
    ReminderKind.REFERRAL_UNANSWERED: Recipient.CASEWORKER,
}
KIND_LABELS: dict[str, str] = {
    ReminderKind.APPOINTMENT_INVITATION: "Einladung zum Termin (Haushalt, mit Kalender)",
    ReminderKind.APPOINTMENT_UPDATE: "Terminänderung (Haushalt, mit Kalender)",
    ReminderKind.APPOINTMENT_CANCELLATION: "Terminabsage (Haushalt, mit Kalender)",
    ReminderKind.APPOINTMENT_REMINDER: "Terminerinnerung (Haushalt)",
    ReminderKind.REGISTRATION_DEADLINE: "Erinnerung Anmeldefrist (Haushalt)",
    ReminderKind.STEP_REMINDER: "Erinnerung Strom- und Gasvertrag (Haushalt)",
    ReminderKind.CONSULTATION_INFO: "Sprechstunden-Information (Haushalt)",
    ReminderKind.VISIT: "Erinnerung an den Hausbesuch (Mitarbeiter:in)",
    ReminderKind.STEP_OVERDUE: "Meldung: Schritt überfällig (Leitung)",
    ReminderKind.MILESTONE_OVERDUE: "Meldung: Besuch überfällig (Leitung)",
    ReminderKind.REFERRAL: "Weitervermittlung (Partner)",
    ReminderKind.REFERRAL_REMINDER: "Erinnerung an die Weitervermittlung (Partner)",
    ReminderKind.REFERRAL_WITHDRAWN: "Weitervermittlung zurückgezogen (Partner)",
    ReminderKind.REFERRAL_UNANSWERED: "Partner antwortet nicht (Mitarbeiter:in)",
}


class PreviewUnavailable(DomainError):
    """This message cannot be shown for this case (e.g. no referral to preview)."""


@dataclass(frozen=True)
class Preview:
    kind: str
    label: str
    to: str
    subject: str
    text: str
    html: str | None
    calendar: str | None  # the .ics, as text
    languages: str  # Content-Language, e.g. "ar" or "de, en"
    example: str | None  # what was made up for the preview, if anything


def preview(
    session: Session,
    case_id: int,
    kind: str,
    settings: Settings,
    *,
    language: str | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> Preview:
    """Compose ``kind`` for the case as it would go out now; the caller rolls back."""
    message, example = preview_message(
        session, case_id, kind, settings, language=language, actor_id=actor_id, now=now
    )
    return _parts(message, kind, example)


def preview_message(
    session: Session,
    case_id: int,
    kind: str,
    settings: Settings,
    *,
    language: str | None = None,
    actor_id: int | None = None,
    now: datetime | None = None,
) -> tuple[EmailMessage, str | None]:
    """The message itself, as it would be handed to the mail server, and what was made up."""
    now = now or utc_now()
    case = session.get(Case, case_id)
    if case is None or not may_work_on(session, actor_id, case.office_id):
        raise CaseNotFound(case_id)
    if kind not in RECIPIENTS:
        raise PreviewUnavailable(
            f"Unbekannte Nachricht '{kind}'. Bekannt: {', '.join(RECIPIENTS)}."
        )
    if language is not None and language not in i18n.SUPPORTED:
        supported = ", ".join(i18n.SUPPORTED)
        raise PreviewUnavailable(f"Sprache '{language}' gibt es nicht; vorhanden: {supported}.")
    reminder = Reminder(
        case_id=case_id, kind=ReminderKind(kind), recipient=RECIPIENTS[kind], due_at=now
    )
    example = _link(session, case, reminder, now)
    languages = (language,) if language and kind in HOUSEHOLD_KINDS else None
    message = compose(session, reminder, settings, languages=languages, now=now, preview=True)
    return message, example


def _link(session: Session, case: Case, reminder: Reminder, now: datetime) -> str | None:
    """Point the unsaved reminder at what it is about; returns what had to be made up."""
    kind = reminder.kind
    if kind in APPOINTMENT_KINDS or kind == ReminderKind.VISIT:
        appointment, example = _appointment(session, case, kind, now)
        reminder.appointment_id = appointment.id
        return example
    if kind in (ReminderKind.REGISTRATION_DEADLINE, ReminderKind.STEP_REMINDER):
        wanted = (
            StepKind.REGISTRATION if kind == ReminderKind.REGISTRATION_DEADLINE else StepKind.ENERGY
        )
        reminder.step_id = _step(session, case, wanted).id
    elif kind == ReminderKind.STEP_OVERDUE:
        reminder.step_id = _step(session, case, None).id
    elif kind == ReminderKind.MILESTONE_OVERDUE:
        reminder.milestone = (
            "welcome_visit" if case.state in ("intake", "welcome_visit_scheduled") else "follow_up"
        )
    elif reminder.recipient == Recipient.PARTNER or kind == ReminderKind.REFERRAL_UNANSWERED:
        query = select(Referral).where(Referral.case_id == case.id)
        referral = session.exec(query.order_by(col(Referral.created_at).desc())).first()
        if referral is None:
            raise PreviewUnavailable("Dieser Fall hat noch keine Weitervermittlung.")
        reminder.referral_id = referral.id
    return None


def _appointment(
    session: Session, case: Case, kind: str, now: datetime
) -> tuple[Appointment, str | None]:
    query = select(Appointment).where(Appointment.case_id == case.id)
    if kind != ReminderKind.APPOINTMENT_CANCELLATION:
        query = query.where(Appointment.status == AppointmentStatus.SCHEDULED)
    found = session.exec(query.order_by(col(Appointment.starts_at).desc())).first()
    if found is not None:
        return found, None
    household = session.get(Household, case.household_id)
    assert household is not None
    tomorrow = shift_local(
        start_of_day(berlin(now).date() + timedelta(days=1)), timedelta(hours=10)
    )
    sample = Appointment(
        case_id=case.id,  # type: ignore[arg-type]
        kind=AppointmentKind.WELCOME_VISIT,
        starts_at=tomorrow,
        location=f"{household.street}, {household.postal_code} {household.city}",
        status=AppointmentStatus.CANCELLED
        if kind == ReminderKind.APPOINTMENT_CANCELLATION
        else AppointmentStatus.SCHEDULED,
    )
    session.add(sample)
    session.flush()  # rolled back by the caller
    return sample, "Beispieltermin (der Fall hat keinen geplanten Termin)"


def _step(session: Session, case: Case, kind: str | None) -> CaseStep:
    query = select(CaseStep).where(CaseStep.case_id == case.id)
    if kind is not None:
        query = query.where(CaseStep.kind == kind)
    else:
        query = query.where(col(CaseStep.state).in_(OPEN_STEP_STATES))
    step = session.exec(query.order_by(col(CaseStep.id))).first()
    if step is None or step.due_at is None:
        name = step_label(kind) if kind is not None else "ein offener Schritt"
        raise PreviewUnavailable(f"Im Fall ist {name!s} nicht geöffnet.")
    return step


def _parts(message: EmailMessage, kind: str, example: str | None) -> Preview:
    text = html = calendar = None
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "text/plain" and text is None:
            text = part.get_content()  # type: ignore[attr-defined]
        elif content_type == "text/html":
            html = part.get_content()  # type: ignore[attr-defined]
        elif content_type == "text/calendar":
            payload = part.get_payload(decode=True)
            calendar = payload.decode() if isinstance(payload, bytes) else str(payload)
    return Preview(
        kind=kind,
        label=KIND_LABELS.get(kind, kind),
        to=str(message["To"]),
        subject=str(message["Subject"]),
        text=text or "",
        html=html,
        calendar=calendar,
        languages=str(message["Content-Language"] or "de"),
        example=example,
    )
