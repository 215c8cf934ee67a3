"""Notes on a case: free text staff write down (a phone call, what was agreed at the door).

A note marked confidential (health, violence, anything only those who must know should read)
is read by its author and the supervisors of the case's office (``may_read``); everyone else,
the API for them, the command line and the household's copy of its data see that it exists.

A note is one more append-only history entry (``CaseEvent`` with trigger ``add_note``). It does
**not** bump the case's version: a note changes neither the state nor a step, so it must not turn
a colleague's open case page stale and make their next button press a conflict. For the same
reason it needs no lock and never races with ``advance``.
"""

from datetime import datetime

from sqlmodel import Session

from core import limits
from core.clock import utc_now
from models import Case, CaseEvent, Staff
from models.enums import Role
from workflows.engine.access import may_work_on
from workflows.engine.errors import CaseInTransfer, CaseNotFound, InvalidInput, StaleCase

NOTE_TRIGGER = "add_note"
MAX_NOTE_LENGTH = limits.NOTE


def add_note(
    session: Session,
    case_id: int,
    text: str,
    *,
    actor_id: int,
    expected_version: int | None = None,
    now: datetime | None = None,
    confidential: bool = False,
) -> CaseEvent:
    """Write a note into the case's history, attributed to ``actor_id``.

    ``expected_version`` is for callers whose note only makes sense for the case as they saw
    it: if given and the case has changed since, ``StaleCase``. The web form does not send it.
    """
    case = session.get(Case, case_id)
    if case is None or not may_work_on(session, actor_id, case.office_id):
        raise CaseNotFound(case_id)  # another office's case is not shown, not merely refused
    if case.transfer_to_office_id is not None:
        raise CaseInTransfer(case_id)
    if expected_version is not None and case.version != expected_version:
        raise StaleCase(case_id, expected_version, case.version)
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput({"note": "Bitte einen Text für die Notiz eingeben."})
    if len(cleaned) > MAX_NOTE_LENGTH:
        too_long = f"Die Notiz ist zu lang (höchstens {MAX_NOTE_LENGTH} Zeichen)."
        raise InvalidInput({"note": too_long})
    event = CaseEvent(
        case_id=case_id,
        at=now or utc_now(),
        actor_id=actor_id,
        trigger=NOTE_TRIGGER,
        note=cleaned,
        confidential=confidential,
    )
    session.add(event)
    session.flush()
    return event


CONFIDENTIAL_TITLE = "Vertrauliche Notiz"
HIDDEN = "Nur die Verfasserin oder der Verfasser und die Leitung des Büros können sie lesen."


def may_read(reader: Staff | None, author_id: int | None, office_id: int) -> bool:
    """May ``reader`` read a confidential note by ``author_id`` on a case of ``office_id``?
    Its author, and supervisors of that office (the head of the social welfare office: all)."""
    if reader is None or not reader.active:
        return False
    if reader.id is not None and reader.id == author_id:
        return True
    return reader.role == Role.SUPERVISOR and reader.office_id in (None, office_id)


def readable_note(event: CaseEvent, reader: Staff | None, office_id: int) -> str | None:
    """The note's text as ``reader`` may see it: a confidential one only if they may read it."""
    if event.confidential and not may_read(reader, event.actor_id, office_id):
        return None
    return event.note
