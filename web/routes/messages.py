"""Staff send a failed message again, from the case page or (supervisors) the dashboard."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from core.db import commit
from models import Reminder
from models.enums import Role
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.params import Id
from workflows.messaging.resend import NotFailed, resend

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


@router.post("/messages/{reminder_id}/resend")
def resend_message(
    request: Request,
    reminder_id: Id,
    staff: CaseStaff,
    session: DbSession,
    back: Annotated[str, Form()] = "case",
) -> Response:
    """Send a failed message once more; back to its case, or to the dashboard's list."""
    try:
        case_id = resend(session, reminder_id, actor_id=staff.id).case_id  # type: ignore[arg-type]
    except NotFailed as exc:
        session.rollback()
        flash(request, str(exc), "error")
        found = session.get(Reminder, reminder_id)  # resend found it visible before it refused
        case_id = found.case_id if found is not None else 0
    else:
        commit(session)
        flash(request, "Die Nachricht wird erneut gesendet.", "success")
    if back == "dashboard" and staff.role == Role.SUPERVISOR:
        return RedirectResponse("/dashboard#failed", status_code=303)
    return RedirectResponse(f"/cases/{case_id}#verlauf", status_code=303)
