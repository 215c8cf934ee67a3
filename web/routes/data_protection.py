"""A household's rights on its case page and in the API: its copy of its data (Art. 15 GDPR) as
a PDF in its language and as JSON, and erasure on request (Art. 17), refused with the reason
while the data must be kept. Each copy is a reading in the audit trail; each erasure an entry."""

import json
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from core.clock import berlin, utc_now
from core.config import get_settings
from core.db import commit
from models import Case, Staff
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, Supervisor, flash
from web.errors import Forbidden
from web.params import Id
from web.routes.case_forms import case_for
from workflows.audit import reads
from workflows.engine.access import staff_may_work_on
from workflows.engine.errors import InvalidInput
from workflows.privacy import access, erasure

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}  # personal data: not kept by browsers or proxies


def copy_as_json(session: Session, staff: Staff, case: Case) -> bytes:
    """The JSON copy, recorded as a reading."""
    reads.record(session, staff.id, case.id, reads.Read.EXPORT)  # type: ignore[arg-type]
    data = access.as_json(session, case.household_id, get_settings(), utc_now())
    return json.dumps(data, ensure_ascii=False, indent=2).encode()


def _filename(case: Case, ending: str) -> str:
    return f"auskunft-{case.number}-{berlin(utc_now()):%Y-%m-%d}.{ending}"


@router.get("/cases/{case_id:int}/auskunft.pdf")
def copy_pdf(case_id: Id, staff: CaseStaff, session: DbSession) -> Response:
    """The household's copy of its data, in its language and in German."""
    case = case_for(session, staff, case_id)
    reads.record(session, staff.id, case_id, reads.Read.EXPORT)  # type: ignore[arg-type]
    content = access.pdf(access.gather(session, case, get_settings(), utc_now()))
    disposition = f'attachment; filename="{_filename(case, "pdf")}"'
    headers = {**NO_STORE, "Content-Disposition": disposition}
    return Response(content, media_type="application/pdf", headers=headers)


@router.get("/cases/{case_id:int}/auskunft.json")
def copy_json(case_id: Id, staff: CaseStaff, session: DbSession) -> Response:
    """Everything stored about the household, machine-readable."""
    case = case_for(session, staff, case_id)
    disposition = f'attachment; filename="{_filename(case, "json")}"'
    headers = {**NO_STORE, "Content-Disposition": disposition}
    return Response(
        copy_as_json(session, staff, case), media_type="application/json", headers=headers
    )


def erase(session: Session, staff: Staff, case_id: int, reason: str) -> Case:
    """Erase on request as ``staff`` (a supervisor of the case's office); DomainError if not."""
    case = case_for(session, staff, case_id)
    if not staff_may_work_on(staff, case.office_id):
        raise Forbidden()
    erasure.erase_on_request(session, case, reason, staff.id, utc_now(), get_settings())  # type: ignore[arg-type]
    commit(session)
    return case


@router.post("/cases/{case_id:int}/loeschen")
def erase_on_request(
    request: Request,
    case_id: Id,
    staff: Supervisor,
    session: DbSession,
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Erase the household's data now, with the reason given (supervisors)."""
    try:
        erase(session, staff, case_id, reason)
    except (erasure.ErasureRefused, InvalidInput) as exc:
        session.rollback()
        message = "; ".join(exc.errors.values()) if isinstance(exc, InvalidInput) else str(exc)
        flash(request, f"Nicht gelöscht: {message}", "error")
        return RedirectResponse(f"/cases/{case_id}#datenschutz", status_code=303)
    flash(request, "Die Daten des Haushalts sind gelöscht (Art. 17 DSGVO).", "success")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)
