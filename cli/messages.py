"""``willkommen messages``: read an email before it goes out; check the translations."""

from typing import Annotated

import typer

from cli.cases import CaseId
from cli.console import fail, out, readable_errors
from core.config import get_settings
from core.db import new_session
from workflows.messaging import catalogues, i18n
from workflows.messaging.previews import KIND_LABELS, preview

app = typer.Typer(
    help="Nachrichten an Haushalte, Partner und Personal: Vorschau und Übersetzungen.",
    no_args_is_help=True,
)


@app.command("preview")
def preview_message(
    case_id: CaseId,
    kind: Annotated[
        str, typer.Argument(metavar="KIND", help=f"Art der Nachricht: {', '.join(KIND_LABELS)}.")
    ],
    lang: Annotated[
        str | None,
        typer.Option(help=f"Sprache ({', '.join(i18n.SUPPORTED)}); sonst die des Haushalts."),
    ] = None,
    html: Annotated[bool, typer.Option("--html", help="Die HTML-Fassung statt des Texts.")] = False,
) -> None:
    """Eine Nachricht für einen Fall zeigen, wie sie jetzt hinausginge (nichts wird gesendet)."""
    with readable_errors(), new_session() as session:
        try:
            shown = preview(session, case_id, kind, get_settings(), language=lang)
        finally:
            session.rollback()  # an example appointment made up for the preview goes again
    if html and shown.html is None:
        fail("Diese Nachricht hat keine HTML-Fassung (Personal und Partner bekommen Text).")
    lines = [f"An: {shown.to}", f"Betreff: {shown.subject}", f"Sprache: {shown.languages}"]
    if shown.calendar:
        lines.append("Anhang: termin.ics (Kalendereinladung)")
    if shown.example:
        lines.append(f"Hinweis: {shown.example}")
    body = shown.html if html and shown.html else shown.text
    out().print("\n".join(lines) + "\n\n" + body, soft_wrap=True, highlight=False, markup=False)


@app.command("check")
def check_catalogues() -> None:
    """Prüfen, dass jede Sprache jede Nachricht hat (Babel-Kataloge in locales/)."""
    report = catalogues.check()
    for problem in report.problems:
        out().print(problem, soft_wrap=True, highlight=False, markup=False)
    review = ", ".join(f"{lang}: {count}" for lang, count in report.review.items() if count)
    if review:
        out().print(f"Noch muttersprachlich zu prüfen (Einträge): {review}", highlight=False)
    if not report.ok:
        fail(f"{len(report.problems)} Übersetzung(en) fehlen oder passen nicht.")
    out().print(f"Alle {len(i18n.SUPPORTED)} Sprachen vollständig.", highlight=False)
