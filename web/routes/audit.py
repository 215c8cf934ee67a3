"""The audit trail for supervisors: administrative changes and who opened which case."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from web.csrf import verify_csrf
from web.deps import DbSession, Supervisor
from web.templating import render
from workflows.audit import views
from workflows.casework.worklist import case_number_to_id
from workflows.engine.access import visible_office_ids

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.get("/protokoll")
def audit_trail(
    request: Request, staff: Supervisor, session: DbSession, fall: str = ""
) -> Response:
    """Changes to the office's accounts, places, hours and partners, and the readings of its
    cases (one case with ``fall``: a case number), newest first."""
    office_ids = visible_office_ids(staff)
    case_id = case_number_to_id(fall) if fall.strip() else None
    changes, changes_total = views.changes(session, office_ids)
    readings, readings_total = views.readings(session, office_ids, case_id)
    context = {
        "staff": staff,
        "nav": "audit",
        "title": "Protokoll",
        "changes": changes,
        "changes_total": changes_total,
        "readings": readings,
        "readings_total": readings_total,
        "fall": fall.strip(),
        "unknown_case": bool(fall.strip()) and case_id is None,
        "limit": views.LIMIT,
    }
    return render(request, "audit/index.html", context)
