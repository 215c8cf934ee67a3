"""Household emails in the household's language, on a real database (SQLite and PostgreSQL).

Messages are composed by the same code the workers use (through
``workflows.messaging.previews``, which stores nothing); catalogues are checked against the
templates.
"""

import re
import shutil
from datetime import time
from email import policy as email_policy
from email.parser import BytesParser

import pytest
from babel.messages.pofile import read_po, write_po
from sqlmodel import select

from core import mail
from core.config import get_settings
from core.db import unit_of_work
from models import ConsultationHour, Reminder, SubLocation
from models.enums import ReminderKind
from tests.helpers import in_hours, step
from workflows.messaging import catalogues, i18n
from workflows.messaging.household_mail import HOUSEHOLD_KINDS
from workflows.messaging.previews import preview, preview_message

GERMAN = catalogues.read(catalogues.POT)
# Every fixed piece of German text the templates use (placeholders cut out).
GERMAN_PIECES = sorted(
    {piece.strip() for m in GERMAN if m.id for piece in re.split(r"%\(\w+\)s", str(m.id))} - {""},
    key=len,
    reverse=True,
)


def compose(case_id: int, kind: str, language: str | None = None):
    with unit_of_work() as session:
        try:
            return preview(session, case_id, kind, get_settings(), language=language)
        finally:
            session.rollback()


@pytest.fixture
def case_id(world) -> int:
    """A case with a planned welcome visit, and consultation hours in office and sub-location."""
    with unit_of_work() as session:
        place = SubLocation(office_id=world.office_id, name="Lanstrop", address="Lanstroper Str. 1")
        session.add(place)
        session.flush()
        session.add_all(
            [
                ConsultationHour(
                    office_id=world.office_id, weekday=0, starts=time(10), ends=time(12),
                    languages=["ar", "de"],
                ),
                ConsultationHour(
                    office_id=world.office_id, sub_location_id=place.id, weekday=2,
                    starts=time(14), ends=time(16), languages=[],
                ),
            ]
        )  # fmt: skip
    case_id = world.open_case()
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(72))
    return case_id


@pytest.mark.parametrize("language", i18n.SUPPORTED)
def test_every_household_message_renders_in_every_language(case_id, language):
    """Given a case with a visit, steps and consultation hours, when each household message is
    composed in ``language``, then subject, text and HTML are there, the HTML carries the
    language and its direction, and no German source text is left in another language."""
    for kind in HOUSEHOLD_KINDS:
        message = compose(case_id, kind, language)
        assert message.subject and message.text.strip() and message.html, kind
        direction = "rtl" if language in ("ar", "fa") else "ltr"
        assert f'<html lang="{language}" dir="{direction}">' in message.html, kind
        assert f'<div lang="{language}" dir="{direction}"' in message.html, kind
        assert message.languages == language
        if language != "de":
            for content in (message.subject, message.text, message.html):
                left = [piece for piece in GERMAN_PIECES if len(piece) > 3 and piece in content]
                assert not left, f"{kind} in {language}: untranslated {left}"


def test_dates_are_german_numbers_in_berlin_time_with_the_weekday_in_the_language(world):
    """Given a visit on 3 December 2026 at 09:00 UTC, when the invitation is composed in
    Arabic and Ukrainian, then it says 03.12.2026 and 10:00 (Berlin), with the weekday in the
    household's language, and the consultation hours name their places."""
    from datetime import UTC, datetime

    case_id = world.open_case()
    with unit_of_work() as session:
        from workflows.engine import advance

        advance(
            session, case_id, "schedule_welcome_visit", actor_id=world.caseworker_id,
            at=datetime(2026, 12, 3, 9, tzinfo=UTC), now=datetime(2026, 11, 20, tzinfo=UTC),
        )  # fmt: skip
    arabic = compose(case_id, ReminderKind.APPOINTMENT_INVITATION, "ar")
    assert "03.12.2026" in arabic.subject and "10:00" in arabic.subject
    assert "الخميس" in arabic.text  # Thursday
    ukrainian = compose(case_id, ReminderKind.APPOINTMENT_INVITATION, "uk")
    assert "четвер, 03.12.2026 о 10:00" in ukrainian.text


def test_household_with_an_unsupported_language_gets_german_then_english(world):
    """Given a household that speaks Tigrinya only, when it is sent its registration reminder,
    then one email holds German first and English second, each marked with its language."""
    case_id = world.open_case(languages=["ti"])
    message = compose(case_id, ReminderKind.REGISTRATION_DEADLINE)
    assert message.languages == "de, en"
    assert message.subject.startswith("Bitte melden Sie Ihre Wohnung bis zum")
    assert " / Please register your flat by " in message.subject
    german, english = message.text.index("Bundesmeldegesetz"), message.text.index("required by law")
    assert german < english
    assert '<div lang="de" dir="ltr"' in message.html and '<div lang="en" dir="ltr"' in message.html


def test_household_languages_choose_the_first_supported_one():
    """Given preferred languages in order, the first supported wins; Dari reads Farsi."""
    assert i18n.choose_languages(["ku", "tr", "de"]) == ("tr",)
    assert i18n.choose_languages(["prs"]) == ("fa",)
    assert i18n.choose_languages(["ti", "so"]) == ("de", "en")
    assert i18n.choose_languages([]) == ("de", "en")


def test_previews_store_nothing(case_id):
    """Given a case, when every kind is previewed, then no reminder row is added."""
    with unit_of_work() as session:
        before = len(session.exec(select(Reminder)).all())
    for kind in HOUSEHOLD_KINDS:
        compose(case_id, kind, "fa")
    with unit_of_work() as session:
        assert len(session.exec(select(Reminder)).all()) == before


def test_catalogues_hold_every_message_and_mark_what_needs_native_review():
    """Given the committed catalogues, when checked against the templates, then nothing is
    missing, and the languages not yet read by a native speaker say so entry by entry."""
    report = catalogues.check()
    assert report.problems == []
    assert report.review["en"] == 0
    for language in ("ar", "fa", "uk", "ru", "tr"):
        assert report.review[language] == len([m for m in GERMAN if m.id])


def test_a_language_missing_a_message_fails_the_check(tmp_path, monkeypatch):
    """Given a Turkish catalogue that lacks one message, when checked, then the check fails and
    names the language and the message."""
    copy = tmp_path / "locales"
    shutil.copytree(i18n.LOCALES_DIR, copy)
    path = copy / "tr" / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as po:
        catalogue = read_po(po, locale="tr")
    catalogue.delete("Viele Grüße")
    with path.open("wb") as po:
        write_po(po, catalogue)
    monkeypatch.setattr(i18n, "LOCALES_DIR", copy)
    report = catalogues.check()
    assert not report.ok
    assert report.problems == ["tr: nicht übersetzt »Viele Grüße«"]


def test_household_without_email_gets_a_letter_and_nothing_is_skipped(world):
    """Given a household without an email address or mobile number (so its channels are, by
    default, letter then call), when its welcome information is delivered, then it is neither
    dropped nor failed: it waits as a letter to print on the caseworker's list."""
    from workflows.messaging.delivery import deliver

    case_id = world.open_case(email=None)
    with unit_of_work() as session:
        (info,) = session.exec(
            select(Reminder).where(Reminder.kind == ReminderKind.CONSULTATION_INFO)
        ).all()
    assert deliver(info.id).status == "task"
    with unit_of_work() as session:
        waiting = session.get(Reminder, info.id)
    assert (waiting.status, waiting.channel, waiting.case_id) == ("task", "letter", case_id)


@pytest.mark.parametrize("language", i18n.SUPPORTED)
def test_every_subject_survives_the_wire_with_its_spaces(case_id, language):
    """Given each household message in ``language``, when it is written out as the mail server
    receives it and read back with Python's strict policy, then the subject is exactly the one
    composed (folded lines of 78 characters at most, no word run into the next)."""
    for kind in HOUSEHOLD_KINDS:
        with unit_of_work() as session:
            message, _example = preview_message(
                session, case_id, kind, get_settings(), language=language
            )
            session.rollback()
        composed = str(message["Subject"])
        raw = message.as_bytes()
        headers = raw.split(b"\n\n", 1)[0]
        assert max(len(line.rstrip(b"\r")) for line in headers.split(b"\n")) <= 78, kind
        back = BytesParser(policy=email_policy.strict).parsebytes(raw)
        assert str(back["Subject"]) == composed, (kind, language)


@pytest.mark.parametrize(
    "subject",
    [
        "Пожалуйста, зарегистрируйте ваше место жительства до 13.12.2026 в Bürgeramt Dortmund",
        "يرجى تسجيل سكنكم حتى 13.12.2026 في مكتب المواطنين في دورتموند إيفينغ من فضلكم شكرا",
        "لطفاً محل سکونت خود را تا تاریخ ۱۳.۱۲.۲۰۲۶ در اداره شهروندی دورتموند ثبت کنید لطفاً",
        "Lütfen ikametinizi 13.12.2026 tarihine kadar Dortmund Eving vatandaş bürosuna kaydettirin",
        "зареєструйте ласка у зареєструйте своє зареєструйте ласка до до Бюргерамті місце "
        "Бюргерамті місце у проживання ласка (LW-000042) 13.12.2026",
        "في دورتموند مكتب دورتموند دورتموند تسجيل يرجى في المواطنين مكتب المواطنين",
    ],
)
def test_long_non_ascii_subjects_keep_every_space(subject):
    """Subjects Python's own folder broke (two words run together at a fold) come back whole."""
    message = mail.new_message()
    message["Subject"] = subject
    message.set_content("x")
    back = BytesParser(policy=email_policy.strict).parsebytes(message.as_bytes())
    assert str(back["Subject"]) == subject
