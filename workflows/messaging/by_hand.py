"""Household messages the caseworker delivers: a call to make, a letter to print and hand over
or post, a contact person to call.

A message becomes such a task when the household's first channel that can carry it is one no
worker can send, or when none can (``workflows.messaging.channels``). It waits on the case page
and in the caseworker's list ("Haushalt anrufen: Erinnerung an die Anmeldefrist 13.12.") with
the text to read out in the household's language and German, until someone says it is done. A
change that makes it moot (the appointment called off, the step done) cancels it, as any
message not yet out.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlmodel import Session, col, select

from core.clock import berlin, utc_now
from core.config import get_settings
from models import Case, Household, Office, Reminder, Staff
from models.enums import REMINDER_KIND_LABELS, Channel, ReminderStatus
from workflows.engine.access import may_work_on
from workflows.engine.errors import CaseNotFound, DomainError, InvalidInput, NotFound
from workflows.messaging import channels, household_mail, i18n

TITLES: dict[str, str] = {
    Channel.PHONE: "Haushalt anrufen",
    Channel.LETTER: "Brief drucken und übergeben",
    Channel.HELPER: "Vertrauensperson anrufen",
}
OUTCOMES = {
    "done": "erledigt",  # called and told, or the letter handed over or posted
    "not_reached": "nicht erreicht",  # stays on the list; noted with the time
    "letter": "stattdessen Brief",  # the caseworker prints a letter instead
    "phone": "stattdessen anrufen",
}


class TaskNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Aufgabe nicht gefunden.")


class TaskDone(DomainError):
    """The task was done or became moot meanwhile (another person, another tab)."""

    def __init__(self) -> None:
        super().__init__("Diese Nachricht ist schon erledigt oder entfallen.")


def assign(session: Session, reminder: Reminder, channel: Channel) -> None:
    """``reminder`` waits for the caseworker on ``channel``."""
    reminder.status, reminder.channel = ReminderStatus.TASK, channel
    reminder.claimed_at = None


@dataclass(frozen=True)
class Task:
    reminder_id: int
    case_id: int
    case_number: str
    family_name: str
    channel: str
    title: str  # "Haushalt anrufen: Erinnerung an die Anmeldefrist 13.12."
    due_at: datetime
    phone: str | None  # whom to call: the household's number, or the contact person's
    contact: str | None  # the contact person, for the helper channel
    note: str | None  # why it is a task (the failed channel) or the last attempt


def title(reminder: Reminder, about: datetime | None) -> str:
    what = REMINDER_KIND_LABELS.get(reminder.kind, reminder.kind)
    if about is not None:
        if reminder.kind in household_mail.APPOINTMENT_KINDS:
            what += f" {berlin(about):%d.%m. %H:%M}"
        else:  # a deadline at midnight is the end of the day before
            what += f" {berlin(about - timedelta(seconds=1)):%d.%m.}"
    channel = reminder.channel or Channel.PHONE
    return f"{TITLES.get(channel, TITLES[Channel.PHONE])}: {what}"


def open_tasks(
    session: Session,
    *,
    case_id: int | None = None,
    office_ids: list[int] | None = None,
    assignee_id: int | None = None,
    channel: str | None = None,
    limit: int = 200,
) -> list[Task]:
    """The messages waiting for staff, those due first."""
    query = (
        select(Reminder, Case, Household)
        .join(Case, col(Case.id) == Reminder.case_id)
        .join(Household, col(Household.id) == Case.household_id)
        .where(col(Reminder.status) == ReminderStatus.TASK)
    )
    if case_id is not None:
        query = query.where(col(Reminder.case_id) == case_id)
    if office_ids is not None:
        query = query.where(col(Case.office_id).in_(office_ids))
    if assignee_id is not None:
        query = query.where(col(Case.assignee_id) == assignee_id)
    if channel is not None:
        query = query.where(col(Reminder.channel) == channel)
    query = query.order_by(col(Reminder.due_at), col(Reminder.id)).limit(limit)
    found = []
    for reminder, case, household in session.exec(query):
        helper = reminder.channel == Channel.HELPER
        found.append(
            Task(
                reminder_id=reminder.id,  # type: ignore[arg-type]
                case_id=case.id,  # type: ignore[arg-type]
                case_number=case.number,
                family_name=household.family_name,
                channel=reminder.channel or Channel.PHONE,
                title=title(reminder, channels.about(session, reminder)),
                due_at=reminder.due_at,
                phone=household.helper_phone if helper else household.phone,
                contact=household.helper_name if helper else None,
                note=reminder.last_error,
            )
        )
    return found


def counts(session: Session, case_ids: list[int]) -> dict[int, int]:
    """How many messages wait for staff on each of these cases (for the work list)."""
    if not case_ids:
        return {}
    query = (
        select(Reminder.case_id, func.count())
        .where(col(Reminder.case_id).in_(case_ids), col(Reminder.status) == ReminderStatus.TASK)
        .group_by(col(Reminder.case_id))
    )
    return {case_id: count for case_id, count in session.exec(query)}


def task_totals(session: Session, office_ids: list[int] | None) -> dict[str, int]:
    """Open tasks per channel in these offices (None: all), for the supervisors."""
    query = (
        select(Reminder.channel, func.count())
        .join(Case, col(Case.id) == Reminder.case_id)
        .where(col(Reminder.status) == ReminderStatus.TASK)
        .group_by(col(Reminder.channel))
    )
    if office_ids is not None:
        query = query.where(col(Case.office_id).in_(office_ids))
    return {channel or Channel.PHONE: count for channel, count in session.exec(query)}


@dataclass(frozen=True)
class Script:
    """What to read out (or what the letter says): per language, the message's text."""

    language: str
    language_name: str
    direction: str
    text: str


def script(session: Session, reminder: Reminder, *, german: bool = True) -> list[Script]:
    """The message in the household's language, and German below it (``german``)."""
    case = session.get(Case, reminder.case_id)
    assert case is not None
    office = session.get(Office, case.office_id)
    household = session.get(Household, case.household_id)
    assert office is not None and household is not None
    context = household_mail.context_for(session, reminder, case, office)
    chosen = list(i18n.choose_languages(household.languages))
    if german and i18n.SOURCE_LANGUAGE not in chosen:
        chosen.append(i18n.SOURCE_LANGUAGE)
    return [
        Script(
            language=language,
            language_name=i18n.LANGUAGE_NAMES.get(language, language),
            direction=i18n.text_direction(language),
            text=household_mail.sections(reminder.kind, (language,), office, context)[0].text,
        )
        for language in chosen
    ]


def with_scripts(session: Session, tasks: list[Task]) -> list[tuple[Task, list[Script]]]:
    """Each task with its text to read out (household language, then German)."""
    found = []
    for task in tasks:
        reminder = session.get(Reminder, task.reminder_id)
        assert reminder is not None
        found.append((task, script(session, reminder)))
    return found


def resolve(
    session: Session,
    case_id: int,
    reminder_id: int,
    outcome: str,
    *,
    actor_id: int,
    now: datetime | None = None,
) -> Reminder:
    """The caseworker reports on a task: done (the message reached the household), not reached
    (it stays, with the attempt noted), or another way (a letter instead of a call, or back)."""
    now = now or utc_now()
    if outcome not in OUTCOMES:
        raise InvalidInput({"outcome": "Bitte ein Ergebnis aus der Liste wählen."})
    case = session.get(Case, case_id, with_for_update=True)
    if case is None or not may_work_on(session, actor_id, case.office_id):
        raise CaseNotFound(case_id)
    reminder = session.get(Reminder, reminder_id, with_for_update=True)
    if reminder is None or reminder.case_id != case_id:
        raise TaskNotFound()
    if reminder.status != ReminderStatus.TASK:
        raise TaskDone()
    actor = session.get(Staff, actor_id)
    who = actor.name if actor else "–"
    when = f"{berlin(now):%d.%m. %H:%M}"
    if outcome == "done":
        reminder.status, reminder.sent_at, reminder.handled_by_id = (
            ReminderStatus.SENT,
            now,
            actor_id,
        )
    elif outcome == "not_reached":
        reminder.attempts += 1
        reminder.last_error = f"{when} nicht erreicht ({who})"
    else:
        household = session.get(Household, case.household_id)
        assert household is not None
        channel = Channel(outcome)
        by = channels.about(session, reminder)
        reason = channels.why_not(channel, household, reminder.kind, by, now, get_settings())
        if channel == Channel.PHONE:
            reason = None  # a call is always possible: without a number, the caseworker visits
        if reason is not None:
            raise InvalidInput({"outcome": f"{channels.label(channel)} geht hier nicht: {reason}."})
        reminder.channel = channel
        reminder.last_error = f"{when} umgestellt auf {channels.label(channel)} ({who})"
    session.flush()
    return reminder
