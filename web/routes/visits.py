"""Recording a home visit as it happened, and marking what was agreed there as done.

A refused record comes back on the case page with everything typed in and a message at each
field: a long account of the visit is never lost to a typo in a date.
"""

import re
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from core.db import commit
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.params import Id
from web.routes.case_forms import case_for, case_to_change, parse_int, parse_local_time
from web.routes.cases import STALE_MESSAGE, show_case
from workflows.appointments import visits
from workflows.casework.household import parse
from workflows.engine.errors import DomainError, GuardFailed, InvalidInput, NotFound, StaleCase
from workflows.move_in.guards import VISIT_HELD

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
AGREEMENT_ROWS = 3
_AGREEMENT_KEY = re.compile(r"^agreements\.(\d)\.(what|owner|due_on)$")


async def _read_form(request: Request) -> FormData:
    return await request.form()


Form = Annotated[FormData, Depends(_read_form)]


def _text(form: FormData, key: str, limit: int = 4000) -> str:
    value = form.get(key)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _entered(form: FormData) -> dict[str, Any]:
    """The form as typed in (to show it again) and as the record's raw input."""
    rows: dict[int, dict[str, str]] = {}
    for key, value in form.multi_items():
        match = _AGREEMENT_KEY.match(key)
        if match and isinstance(value, str) and int(match[1]) < AGREEMENT_ROWS:
            rows.setdefault(int(match[1]), {})[match[2]] = value.strip()[:500]
    return {
        "held_at": _text(form, "held_at", 40),
        "participants": _text(form, "participants", 500),
        "interpreter_language": _text(form, "interpreter_language", 10),
        "interpreter_name": _text(form, "interpreter_name", 200),
        "topics": _text(form, "topics"),
        "confirm_early": _text(form, "confirm_early", 5) != "",
        "agreements": [rows.get(i, {}) for i in range(AGREEMENT_ROWS)],
    }


def _record(entered: dict[str, Any]) -> visits.VisitRecordIn:
    try:
        held_at = parse_local_time(entered["held_at"])
    except ValueError:
        raise InvalidInput({"held_at": "Bitte Datum und Uhrzeit angeben."}) from None
    agreements = [row for row in entered["agreements"] if any(row.values())]
    data = {
        "held_at": held_at,
        "participants": entered["participants"],
        "interpreter_language": entered["interpreter_language"] or None,
        "interpreter_name": entered["interpreter_name"] or None,
        "topics": entered["topics"],
        "confirm_early": entered["confirm_early"],
        "agreements": agreements,
    }
    return parse(visits.VisitRecordIn, data)  # type: ignore[no-any-return]


@router.post("/cases/{case_id:int}/besuch")
def record_visit(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession, form: Form
) -> Response:
    """Record the planned visit as held, with who was there, what was said and agreed."""
    case_to_change(session, staff, case_id)
    trigger = _text(form, "trigger", 60)
    entered = _entered(form)
    if trigger not in VISIT_HELD:
        flash(request, "Diese Aktion ist nicht möglich. Es wurde nichts geändert.", "error")
        return RedirectResponse(f"/cases/{case_id}", status_code=303)
    try:
        visits.record_visit(
            session, case_id, trigger, _record(entered), actor_id=staff.id,
            expected_version=parse_int(_text(form, "version", 12)),
        )  # fmt: skip
    except StaleCase:
        session.rollback()
        flash(request, STALE_MESSAGE, "error")
        return RedirectResponse(f"/cases/{case_id}", status_code=303)
    except (InvalidInput, GuardFailed) as exc:
        session.rollback()
        errors = exc.errors if isinstance(exc, InvalidInput) else {exc.guard: exc.reason}
        shown = {"trigger": trigger, "values": entered, "errors": errors}
        return show_case(request, staff, session, case_id, visit_form=shown, status_code=422)
    except DomainError as exc:
        session.rollback()
        flash(request, f"Nicht gespeichert: {exc}", "error")
        return RedirectResponse(f"/cases/{case_id}", status_code=303)
    commit(session)
    flash(request, "Besuch dokumentiert.", "success")
    return RedirectResponse(f"/cases/{case_id}#besuche", status_code=303)


@router.post("/cases/{case_id:int}/vereinbarungen/{agreement_id:int}/erledigt")
def agreement_done(
    request: Request, case_id: Id, agreement_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    case_for(session, staff, case_id)
    try:
        visits.agreement_done(session, case_id, agreement_id, actor_id=staff.id)  # type: ignore[arg-type]
    except NotFound:
        flash(request, "Diese Vereinbarung gibt es nicht (mehr).", "error")
        return RedirectResponse(f"/cases/{case_id}", status_code=303)
    commit(session)
    flash(request, "Vereinbarung als erledigt markiert.", "success")
    return RedirectResponse(f"/cases/{case_id}#besuche", status_code=303)
