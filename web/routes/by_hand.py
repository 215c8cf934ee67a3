"""Household messages staff deliver by hand: the list of calls and letters, reporting on one,
and the letters as PDF (one, or the day's visits' in one file)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from core.clock import berlin, utc_now
from core.db import commit
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.params import Id
from web.routes.case_forms import case_for
from web.templating import render
from workflows.audit import reads
from workflows.engine.access import visible_office_ids
from workflows.engine.errors import InvalidInput
from workflows.messaging import by_hand, letters

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

DONE_MESSAGES = {
    "done": "Erledigt: die Nachricht hat den Haushalt erreicht.",
    "not_reached": "Notiert: nicht erreicht. Die Aufgabe bleibt auf der Liste.",
    "letter": "Umgestellt: bitte den Brief drucken und übergeben.",
    "phone": "Umgestellt: bitte anrufen.",
}


@router.get("/aufgaben")
def task_list(request: Request, staff: CaseStaff, session: DbSession, alle: str = "") -> Response:
    """The calls to make and letters to print: the caseworker's own cases, or (``alle``) the
    whole office's."""
    mine = alle == ""
    tasks = by_hand.open_tasks(
        session,
        office_ids=visible_office_ids(staff),
        assignee_id=staff.id if mine else None,
    )
    context = {
        "staff": staff,
        "nav": "tasks",
        "title": "Anrufe und Briefe",
        "mine": mine,
        "tasks": by_hand.with_scripts(session, tasks),
        "task_outcomes": by_hand.OUTCOMES,
    }
    return render(request, "tasks/index.html", context)


PDF_HEADERS = {"Cache-Control": "no-store"}  # personal data: not kept by browsers or proxies


@router.get("/cases/{case_id}/nachrichten/{reminder_id}/brief.pdf")
def letter(
    case_id: Id, reminder_id: Id, staff: CaseStaff, session: DbSession, deutsch: str = "1"
) -> Response:
    """The household message as a one-page letter; with a German translation unless
    ``deutsch=0``."""
    case_for(session, staff, case_id)
    reminder = letters.for_case(session, case_id, reminder_id)
    reads.record(session, staff.id, case_id, reads.Read.LETTER)  # type: ignore[arg-type]
    document = letters.html(session, reminder, utc_now(), german=deutsch != "0")
    commit(session)  # the answer link printed on it, made on first use
    name = f"brief-{case_id}-{reminder_id}.pdf"
    return _pdf(letters.pdf([document]), name)


@router.get("/aufgaben/briefe-heute.pdf")
def letters_for_today(request: Request, staff: CaseStaff, session: DbSession) -> Response:
    """The letters to hand over at today's home visits, in one file, in the visits' order."""
    now = utc_now()
    due = letters.for_todays_visits(session, staff.id, visible_office_ids(staff), now)  # type: ignore[arg-type]
    if not due:
        flash(request, "Für Ihre Hausbesuche heute liegen keine Briefe an.", "info")
        return RedirectResponse("/aufgaben", status_code=303)
    reads.record(session, staff.id, sorted({r.case_id for r in due}), reads.Read.LETTER)  # type: ignore[arg-type]
    documents = [letters.html(session, reminder, now) for reminder in due]
    commit(session)  # the answer links printed on them
    return _pdf(letters.pdf(documents), f"briefe-{berlin(now):%Y-%m-%d}.pdf")


def _pdf(content: bytes, filename: str) -> Response:
    headers = {**PDF_HEADERS, "Content-Disposition": f'inline; filename="{filename}"'}
    return Response(content, media_type="application/pdf", headers=headers)


@router.post("/cases/{case_id}/nachrichten/{reminder_id}")
def report_task(
    request: Request,
    case_id: Id,
    reminder_id: Id,
    staff: CaseStaff,
    session: DbSession,
    outcome: Annotated[str, Form(max_length=20)] = "",
    back: Annotated[str, Form(max_length=20)] = "case",
) -> Response:
    """Done, not reached, or another way; back to the case or the list."""
    case_for(session, staff, case_id)  # 404 for a case this person may not see
    try:
        by_hand.resolve(session, case_id, reminder_id, outcome, actor_id=staff.id)  # type: ignore[arg-type]
    except (InvalidInput, by_hand.TaskDone) as exc:
        session.rollback()
        message = "; ".join(exc.errors.values()) if isinstance(exc, InvalidInput) else str(exc)
        flash(request, message, "error")
    else:
        commit(session)
        flash(request, DONE_MESSAGES[outcome], "success")
    if back == "list":
        return RedirectResponse("/aufgaben", status_code=303)
    return RedirectResponse(f"/cases/{case_id}#aufgaben", status_code=303)
