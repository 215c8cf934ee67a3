"""Checks that every household message exists in every language (``willkommen messages check``).

The template of the catalogues (``locales/messages.pot``) must hold exactly the messages the
email templates use, and every language's catalogue a non-empty, non-fuzzy translation of each,
with the same placeholders. ``make translations`` extracts and updates; this only checks.
"""

import re
from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from workflows.messaging import i18n

ROOT = i18n.LOCALES_DIR.parent
POT = i18n.LOCALES_DIR / "messages.pot"
REVIEW_MARK = "needs native review"
_PLACEHOLDER = re.compile(r"%\(\w+\)s")


@dataclass
class Report:
    """What is wrong, per language; ``review`` counts entries still marked for native review."""

    problems: list[str] = field(default_factory=list)
    review: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems


def used_messages() -> set[str]:
    """The msgids the email templates use now (extracted as ``babel.cfg`` says)."""
    method_map = [("**.jinja", "jinja2")]
    options = {"**.jinja": {"extensions": "jinja2.ext.i18n"}}
    found = extract_from_dir(str(i18n.TEMPLATES_DIR), method_map, options)
    return {
        message if isinstance(message, str) else message[0] for _f, _l, message, _c, _x in found
    }


def read(path: Path, language: str | None = None) -> Catalog:
    with path.open("rb") as po:
        return read_po(po, locale=language)


def check(languages: tuple[str, ...] = i18n.SUPPORTED, pot: Path = POT) -> Report:
    """Every language has every message; the .pot matches the templates."""
    report = Report()
    wanted = {m.id for m in read(pot) if m.id and isinstance(m.id, str)}
    used = used_messages()
    for missing in sorted(used - wanted):
        report.problems.append(f"messages.pot: fehlt »{missing}« (make translations)")
    for extra in sorted(wanted - used):
        report.problems.append(f"messages.pot: veraltet »{extra}« (make translations)")
    for language in languages:
        if language == i18n.SOURCE_LANGUAGE:
            continue
        report.problems += _check_language(language, wanted, report)
    return report


def _check_language(language: str, wanted: set[str], report: Report) -> list[str]:
    path = i18n.catalogue_path(language)
    if not path.exists():
        return [f"{language}: Katalog fehlt ({path.relative_to(ROOT)})"]
    catalogue = read(path, language)
    problems, review = [], 0
    for msgid in sorted(wanted):
        entry = catalogue.get(msgid)
        text = entry.string if entry is not None else None
        if entry is None or not text or entry.fuzzy:
            problems.append(f"{language}: nicht übersetzt »{msgid}«")
            continue
        if sorted(_PLACEHOLDER.findall(msgid)) != sorted(_PLACEHOLDER.findall(str(text))):
            problems.append(f"{language}: Platzhalter passen nicht in »{msgid}«")
        if any(REVIEW_MARK in comment for comment in entry.user_comments):
            review += 1
    report.review[language] = review
    return problems
