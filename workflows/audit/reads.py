"""Who opened which case: one entry for each opening of a case page, its history, its household,
a message preview, a letter, the API detail or an export (Art. 5(2) GDPR: the office can show
who saw a household's data)."""

from enum import StrEnum

from sqlmodel import Session

from core.db import commit
from models import CaseRead


class Read(StrEnum):
    PAGE = "page"
    HISTORY = "history"
    HOUSEHOLD = "household"
    PREVIEW = "preview"
    LETTER = "letter"
    API = "api"
    EXPORT = "export"
    CONSENT = "consent"  # the consent page, a consent form or a signed one
    ROUTE = "route"  # a day's route sheet (addresses and phone numbers, printed)


READ_LABELS = {
    Read.PAGE: "Fallseite",
    Read.HISTORY: "Verlauf",
    Read.HOUSEHOLD: "Haushaltsdaten",
    Read.PREVIEW: "Vorschau einer Nachricht",
    Read.LETTER: "Brief (PDF)",
    Read.API: "API",
    Read.EXPORT: "Auskunft (Export)",
    Read.CONSENT: "Einwilligung (Formular, Unterschrift)",
    Read.ROUTE: "Routenblatt (Hausbesuche eines Tages)",
}


def record(session: Session, staff_id: int, case_ids: int | list[int], what: Read) -> None:
    """Log the reading at once, in its own commit: it stays even if the page then fails."""
    for case_id in [case_ids] if isinstance(case_ids, int) else case_ids:
        session.add(CaseRead(staff_id=staff_id, case_id=case_id, what=what))
    commit(session)
