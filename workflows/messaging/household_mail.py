"""Emails to households, in their language: Jinja2 templates with Babel catalogues.

One template per reminder kind (``email_templates/household/<kind>.jinja``) fills a subject and
a content block; it is rendered once as HTML and once as plain text for each language chosen
(``workflows.i18n.choose_languages``), and the parts are joined into one document. Dates are
German-style numbers in Berlin time for everyone; weekdays are in the message's language.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from markupsafe import Markup
from sqlmodel import Session, col, select

from core import sms
from models import (
    Appointment,
    Case,
    CaseStep,
    ConsultationHour,
    Household,
    Office,
    Reminder,
    SubLocation,
)
from models.enums import ReminderKind
from workflows.messaging import i18n

HOUSEHOLD_KINDS = (
    ReminderKind.APPOINTMENT_INVITATION,
    ReminderKind.APPOINTMENT_UPDATE,
    ReminderKind.APPOINTMENT_CANCELLATION,
    ReminderKind.APPOINTMENT_REMINDER,
    ReminderKind.REGISTRATION_DEADLINE,
    ReminderKind.STEP_REMINDER,
    ReminderKind.CONSULTATION_INFO,
)
APPOINTMENT_KINDS = HOUSEHOLD_KINDS[:4]
# The messages that carry the household's answer link (workflows.appointments.answers).
ANSWERABLE_KINDS = (ReminderKind.APPOINTMENT_INVITATION, ReminderKind.APPOINTMENT_UPDATE)

Context = dict[str, Any]


@dataclass(frozen=True)
class Rendered:
    """A household email's parts; ``languages`` in the order they appear."""

    subject: str
    text: str
    html: str
    languages: tuple[str, ...]


# ---------------------------------------------------------------------------------------------
# Layout helpers handed to the templates: the same template writes HTML and plain text.


def _paragraph(html: bool) -> Callable[[str], str]:
    if html:
        return lambda text: Markup("<p>{}</p>\n").format(text)
    return lambda text: f"{text}\n"  # the template's line break after it makes the blank line


def _facts(html: bool) -> Callable[[Sequence[tuple[str, str]]], str]:
    def facts(rows: Sequence[tuple[str, str]]) -> str:
        if html:
            cells = Markup("").join(
                Markup(
                    '<tr><th scope="row" style="padding: 0 1em 0 0;">{}</th><td>{}</td></tr>'
                ).format(label, value)
                for label, value in rows
            )
            return Markup("<table>{}</table>\n").format(cells)
        return "".join(f"  {label}: {value}\n" for label, value in rows)

    return facts


def _link(html: bool) -> Callable[[str], str]:
    if html:
        return lambda url: Markup('<p dir="ltr"><a href="{0}">{0}</a></p>\n').format(url)
    return lambda url: f"{url}\n"


# The facts table as HTML, for pages that show an appointment (the household's answer page).
facts_html = _facts(True)


def _bullets(html: bool) -> Callable[[Sequence[str]], str]:
    def bullets(items: Sequence[str]) -> str:
        if html:
            lines = Markup("").join(Markup("<li>{}</li>").format(item) for item in items)
            return Markup("<ul>{}</ul>\n").format(lines)
        return "".join(f"  - {item}\n" for item in items)

    return bullets


@dataclass(frozen=True)
class Section:
    """One language's part of a household message."""

    language: str
    direction: str
    subject: str
    text: str
    html: Markup


def sections(
    kind: str,
    languages: tuple[str, ...],
    office: Office,
    context_for: Callable[[str], Context],
    medium: str = "email",
) -> list[Section]:
    """The message ``kind`` in each of ``languages``, for an email or a ``letter``."""
    found = []
    for language in languages:
        context = {
            **context_for(language),
            "office": office,
            "lang": language,
            "dir": i18n.text_direction(language),
            "medium": medium,
        }
        subject, text = _section(kind, language, context, html=False)
        html = Markup(_section(kind, language, context, html=True)[1])
        found.append(Section(language, i18n.text_direction(language), subject, text, html))
    return found


def render(
    kind: str, languages: tuple[str, ...], office: Office, context_for: Callable[[str], Context]
) -> Rendered:
    """Subject, text and HTML of the household email ``kind`` in ``languages`` (one or two)."""
    parts = sections(kind, languages, office, context_for)
    subjects = [part.subject for part in parts]
    texts = [part.text for part in parts]
    htmls = [part.html for part in parts]
    first = languages[0]
    document: Context = {"office": office, "lang": first, "dir": i18n.text_direction(first)}
    text_document = i18n.environment(first, False).get_template("document.txt.jinja")
    html_document = i18n.environment(first, True).get_template("document.html.jinja")
    subject = " / ".join(dict.fromkeys(subjects))
    return Rendered(
        subject=subject,
        text=text_document.render(document, sections=texts),
        html=html_document.render(document, sections=htmls, subject=subject),
        languages=languages,
    )


def _section(kind: str, language: str, context: Context, *, html: bool) -> tuple[str, str]:
    """One language's subject and content of ``kind``, as HTML or plain text."""
    env = i18n.environment(language, html)
    template = env.get_template(f"household/{kind}.jinja")
    values = {
        **context,
        # The words several emails share (a module, so a lone block can use it too).
        "common": env.get_template("household/_common.jinja").module,
        "layout": "section.html.jinja" if html else "section.txt.jinja",
        "p": _paragraph(html),
        "facts": _facts(html),
        "bullets": _bullets(html),
        "link": _link(html),
    }
    block = template.blocks["subject"](template.new_context(values))
    return " ".join("".join(block).split()), template.render(values)


def render_sms(
    kind: str, language: str, office: Office, context_for: Callable[[str], Context], link: str = ""
) -> str:
    """The text message of ``kind`` in ``language``: the template's ``sms`` lines, the
    ``link`` and the office's phone number, in at most ``core.sms.MAX_SEGMENTS`` segments.
    Lines after the first give way, last first, when the text would be longer; the first is
    cut only when it alone is too long."""
    env = i18n.environment(language, False)
    template = env.get_template(f"household/{kind}.jinja")
    values = {
        **context_for(language),
        "office": office,
        "lang": language,
        "medium": "sms",
        "common": env.get_template("household/_common.jinja").module,
        "layout": "section.txt.jinja",
    }
    lines = [
        " ".join(line.split())
        for line in "".join(template.blocks["sms"](template.new_context(values))).splitlines()
    ]
    lines = [line for line in lines if line]
    # The sender shows "lokal willkommen"; the office's number is how to answer or ask.
    tail = [part for part in (link, office.phone or office.name) if part]

    def text(kept: list[str]) -> str:
        return " ".join(" ".join(part.split()) for part in [*kept, *tail])

    while len(lines) > 1 and sms.measure(text(lines)).segments > sms.MAX_SEGMENTS:
        lines.pop()
    while sms.measure(text(lines)).segments > sms.MAX_SEGMENTS and len(lines[0]) > 20:
        lines[0] = lines[0][: len(lines[0]) - 10].rstrip() + "…"
    return text(lines)


def appointment_name(kind: str, language: str) -> str:
    """``welcome_visit`` in ``language`` ("Willkommensbesuch", "Welcome visit", …)."""
    common = i18n.environment(language, False).get_template("household/_common.jinja")
    return str(common.module.appointment_name(kind))  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# What each kind says, read from the database when the email is sent.


def context_for(
    session: Session,
    reminder: Reminder,
    case: Case,
    office: Office,
    answer_link: str | None = None,
) -> Callable[[str], Context]:
    """The template values of ``reminder``, per language (weekdays and language names differ);
    ``answer_link``: where the household answers an invitation or update (none for a call)."""
    household = session.get(Household, case.household_id)
    assert household is not None
    if reminder.kind in APPOINTMENT_KINDS:
        appointment = session.get(Appointment, reminder.appointment_id)
        assert appointment is not None
        return lambda lang: {
            "kind": appointment.kind,
            "when": i18n.moment(appointment.starts_at, lang),
            "location": appointment.location,
            "answer_link": answer_link,
        }
    if reminder.kind in (ReminderKind.REGISTRATION_DEADLINE, ReminderKind.STEP_REMINDER):
        step = session.get(CaseStep, reminder.step_id)
        assert step is not None and step.due_at is not None
        # A deadline at midnight is the end of the day before.
        last_day = step.due_at - timedelta(seconds=1)
        return lambda lang: {
            "step": step.kind,
            "deadline": i18n.moment(last_day, lang),
            "due": i18n.moment(last_day, lang),
            "moved_in": f"{household.moved_in_on:%d.%m.%Y}",
        }
    if reminder.kind == ReminderKind.CONSULTATION_INFO:
        return _consultation_hours(session, office)
    raise ValueError(f"not a household message: {reminder.kind}")


def _consultation_hours(session: Session, office: Office) -> Callable[[str], Context]:
    query = select(ConsultationHour).where(ConsultationHour.office_id == office.id)
    hours = list(
        session.exec(query.order_by(col(ConsultationHour.weekday), col(ConsultationHour.starts)))
    )
    places = {
        place.id: f"{place.name}, {place.address}"
        for place in session.exec(select(SubLocation).where(SubLocation.office_id == office.id))
    }

    def context(lang: str) -> Context:
        return {
            "hours": [
                {
                    "weekday": i18n.weekday_name(hour.weekday, lang),
                    "start": f"{hour.starts:%H:%M}",
                    "end": f"{hour.ends:%H:%M}",
                    "place": places.get(hour.sub_location_id) if hour.sub_location_id else None,
                    "languages": ", ".join(
                        i18n.language_name(code, lang) for code in hour.languages
                    ),
                }
                for hour in hours
            ]
        }

    return context
