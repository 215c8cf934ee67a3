"""Languages of the household emails: which one a household gets, catalogues, dates.

The catalogues are gettext ``.po`` files in ``locales/`` (German is the source language, its
msgids are the German text). They are compiled in memory the first time a language is used, so
no compiled ``.mo`` file can lag behind its ``.po``.
"""

from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from core.clock import berlin

SOURCE_LANGUAGE = "de"
# The languages every household message exists in (the list); German is the source.
SUPPORTED = ("de", "en", "ar", "fa", "uk", "ru", "tr")
RIGHT_TO_LEFT = frozenset({"ar", "fa"})
# The languages staff choose from, in German; messages exist in the SUPPORTED ones.
LANGUAGE_NAMES = {
    "de": "Deutsch",
    "en": "Englisch",
    "ar": "Arabisch",
    "fa": "Farsi/Dari",
    "uk": "Ukrainisch",
    "ru": "Russisch",
    "tr": "Türkisch",
    "ku": "Kurdisch",
    "ti": "Tigrinya",
    "so": "Somali",
}
# Dari is written Persian: a Dari-speaking household reads the Farsi text.
ALIASES = {"prs": "fa"}
# For a household none of whose languages is supported: German, then English, in one email.
FALLBACK = ("de", "en")

# Beside the packages: the repository's top level, or site-packages (the ``locales`` package).
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
TEMPLATES_DIR = Path(__file__).parent / "email_templates"


def choose_languages(preferred: list[str]) -> tuple[str, ...]:
    """The first supported language of the household's preferred ones, else German + English."""
    for code in preferred:
        code = ALIASES.get(code.lower(), code.lower())
        if code in SUPPORTED:
            return (code,)
    return FALLBACK


def text_direction(language: str) -> str:
    return "rtl" if language in RIGHT_TO_LEFT else "ltr"


def catalogue_path(language: str) -> Path:
    return LOCALES_DIR / language / "LC_MESSAGES" / "messages.po"


@lru_cache
def translations(language: str) -> NullTranslations:
    """The compiled catalogue of ``language``; the German source needs none."""
    if language == SOURCE_LANGUAGE:
        return NullTranslations()
    with catalogue_path(language).open("rb") as po:
        catalogue = read_po(po, locale=language)
    compiled = BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


@lru_cache
def environment(language: str, html: bool) -> Environment:
    """A Jinja2 environment speaking ``language``; HTML escapes, plain text does not."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        extensions=["jinja2.ext.i18n"],
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    return env


@dataclass(frozen=True)
class Moment:
    """A time as people in Germany read it (Berlin time, 03.12.2026, 10:00), weekday translated."""

    weekday: str
    date: str
    time: str

    @property
    def long(self) -> str:
        return f"{self.weekday}, {self.date}"


def moment(value: datetime, language: str) -> Moment:
    local = berlin(value)
    return Moment(weekday(local.date(), language), f"{local:%d.%m.%Y}", f"{local:%H:%M}")


def weekday(day: date, language: str) -> str:
    return format_date(day, "EEEE", locale=language)


def weekday_name(number: int, language: str) -> str:
    """Monday = 0, in ``language`` (for weekly consultation hours)."""
    return Locale.parse(language).days["format"]["wide"][number]


def language_name(code: str, language: str) -> str:
    """``"ar"`` in ``language`` (Arabisch, Arabic, العربية …); the code if Babel has no name."""
    names = Locale.parse(language).languages
    return str(names.get(code) or names.get(ALIASES.get(code, code)) or code)
