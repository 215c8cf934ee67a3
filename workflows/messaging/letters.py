"""Household messages as printed letters: one A4 page in the household's language, a German
translation below when the caseworker wants one, the office's letterhead, the address and the
date; for appointments the time and place (the message's own facts).

HTML made from the same templates as the emails is laid out by WeasyPrint, whose text shaping
(HarfBuzz through Pango) writes Arabic and Farsi right to left with their letters joined; the
fonts are Debian's Noto fonts (``scripts/ensure-system-packages``). Letters are made when they
are asked for and never stored: the data stays in the database.
"""

from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, select_autoescape
from sqlalchemy import or_
from sqlmodel import Session, col, select

from core.clock import BERLIN, berlin
from core.config import get_settings
from models import Appointment, Case, Household, Office, Reminder
from models.enums import AppointmentKind, AppointmentStatus, Channel, ReminderStatus
from workflows.engine.errors import NotFound
from workflows.messaging import compose, household_mail, i18n

VISIT_KINDS = (AppointmentKind.WELCOME_VISIT, AppointmentKind.FOLLOW_UP_VISIT)


@lru_cache(maxsize=1)
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(i18n.TEMPLATES_DIR),
        autoescape=select_autoescape(default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def html(session: Session, reminder: Reminder, now: datetime, *, german: bool = True) -> str:
    """The letter of ``reminder`` as HTML (what WeasyPrint lays out)."""
    case = session.get(Case, reminder.case_id)
    assert case is not None
    office = session.get(Office, case.office_id)
    household = session.get(Household, case.household_id)
    assert office is not None and household is not None
    languages = list(i18n.choose_languages(household.languages))
    if german and i18n.SOURCE_LANGUAGE not in languages:
        languages.append(i18n.SOURCE_LANGUAGE)
    # The answer link works from paper too (typed in, or scanned): made on first use, so the
    # caller commits.
    link = compose.answer_link(session, reminder, get_settings())
    context = household_mail.context_for(session, reminder, case, office, link)
    parts = household_mail.sections(
        reminder.kind, tuple(languages), office, context, medium="letter"
    )
    return document(office, household, parts, now)


def document(
    office: Office, household: Household, parts: list[household_mail.Section], now: datetime
) -> str:
    """The letter's HTML: letterhead, address, date, then each language's part."""
    template = _environment().get_template("letter.html.jinja")
    return template.render(
        office=office, household=household, parts=parts, date=f"{berlin(now):%d.%m.%Y}"
    )


class NotALetter(NotFound):
    def __init__(self) -> None:
        super().__init__("Zu dieser Nachricht gibt es keinen Brief.")


def for_case(session: Session, case_id: int, reminder_id: int) -> Reminder:
    """The household message ``reminder_id`` of this case (the case is already authorised)."""
    reminder = session.get(Reminder, reminder_id)
    if (
        reminder is None
        or reminder.case_id != case_id
        or reminder.kind not in household_mail.HOUSEHOLD_KINDS
    ):
        raise NotALetter()
    return reminder


def for_todays_visits(
    session: Session, staff_id: int, office_ids: list[int] | None, now: datetime
) -> list[Reminder]:
    """The letters waiting to be handed over at today's home visits of this person: the open
    letter tasks of the households visited today (in Berlin), in the order of the visits."""
    day = berlin(now).date()
    start = datetime.combine(day, time(), tzinfo=BERLIN).astimezone(UTC)
    query = (
        select(Reminder, Appointment.starts_at)
        .join(Case, col(Case.id) == Reminder.case_id)
        .join(Appointment, col(Appointment.case_id) == Case.id)
        .where(
            col(Reminder.status) == ReminderStatus.TASK,
            col(Reminder.channel) == Channel.LETTER,
            col(Appointment.status) == AppointmentStatus.SCHEDULED,
            col(Appointment.kind).in_(VISIT_KINDS),
            col(Appointment.starts_at) >= start,
            col(Appointment.starts_at) < start + timedelta(days=1),
            or_(col(Appointment.staff_id) == staff_id, col(Case.assignee_id) == staff_id),
        )
        .order_by(col(Appointment.starts_at), col(Reminder.id))
    )
    if office_ids is not None:
        query = query.where(col(Case.office_id).in_(office_ids))
    found: dict[int, Reminder] = {}  # a household with two visits today: its letters once
    for reminder, _ in session.exec(query):
        found.setdefault(reminder.id, reminder)  # type: ignore[arg-type]
    return list(found.values())


def pdf(documents: list[str]) -> bytes:
    """One PDF of these letters (HTML), each starting on a new page; a letter that would
    take a second page is set tighter once."""
    from weasyprint import HTML  # imported when a letter is made: it loads Pango

    rendered = []
    for document in documents:
        laid_out = HTML(string=document).render()
        if len(laid_out.pages) > 1:  # set tighter, to keep the letter on one page
            laid_out = HTML(string=document.replace("<body>", '<body class="compact">')).render()
        rendered.append(laid_out)
    pages = [page for document in rendered for page in document.pages]
    result = rendered[0].copy(pages).write_pdf()
    assert result is not None
    return bytes(result)
