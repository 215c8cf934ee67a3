"""Handing a case on: to a colleague, or to another office when the household moves district.

Thin doors to ``workflows.casework.handover``: a refusal comes back as a message on the case
page, nothing half-done; another office's case is not found (404).
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from core.db import commit
from models import Office, Staff
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.params import Id
from web.routes.case_forms import case_for, case_to_change, parse_int
from workflows.casework import handover
from workflows.engine.errors import DomainError, InvalidInput, StaleCase

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
FormText = Annotated[str, Form()]
STALE = (
    "Der Fall wurde inzwischen von jemand anderem geändert. Es wurde nichts gespeichert. "
    "Bitte prüfen Sie den aktuellen Stand und versuchen Sie es erneut."
)


def _back(case_id: int) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _refused(
    request: Request, session: DbSession, case_id: int, what: str, exc: DomainError
) -> Response:
    session.rollback()
    if isinstance(exc, StaleCase):
        flash(request, STALE, "error")
    elif isinstance(exc, InvalidInput):
        flash(
            request,
            f"{what} nicht möglich: {' '.join(exc.errors.values())} Es wurde nichts geändert.",
            "error",
        )
    else:
        flash(request, f"{what} nicht möglich: {exc}", "error")
    return _back(case_id)


def _id(staff: Staff) -> int:
    assert staff.id is not None
    return staff.id


@router.post("/cases/{case_id:int}/zustaendig")
def reassign(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession,
    assignee_id: FormText = "", note: FormText = "", version: FormText = "",
) -> Response:  # fmt: skip
    """Hand the case to a colleague of the office."""
    case_to_change(session, staff, case_id)
    person = parse_int(assignee_id)
    try:
        if person is None:
            raise InvalidInput({"assignee_id": "Bitte eine Person wählen."})
        case = handover.reassign(
            session, case_id, person, actor_id=_id(staff), note=note[:500] or None,
            expected_version=parse_int(version),
        )  # fmt: skip
    except DomainError as exc:
        return _refused(request, session, case_id, "Übergeben", exc)
    commit(session)
    name = session.get(Staff, case.assignee_id)
    flash(request, f"Zuständig ist jetzt {name.name if name else '–'}.", "success")
    return _back(case_id)


@router.post("/cases/{case_id:int}/uebergabe")
def request_transfer(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession,
    street: FormText = "", postal_code: FormText = "", district: FormText = "",
    note: FormText = "", version: FormText = "",
) -> Response:  # fmt: skip
    """The household moved to another office's district: ask that office to take the case."""
    case_to_change(session, staff, case_id)
    try:
        move = handover.parse_move(
            {"street": street, "postal_code": postal_code, "district": district}
        )
        office = handover.request_transfer(
            session, case_id, street=move.street, postal_code=move.postal_code,
            district=move.district, actor_id=_id(staff), note=note[:500] or None,
            expected_version=parse_int(version),
        )  # fmt: skip
    except DomainError as exc:
        return _refused(request, session, case_id, "Übergabe", exc)
    commit(session)
    flash(
        request,
        f"Übergabe an {office.name} angefragt. Bis zur Annahme ist der Fall nur lesbar.",
        "success",
    )
    return _back(case_id)


@router.post("/cases/{case_id:int}/uebergabe/annehmen")
def accept_transfer(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession,
    assignee_id: FormText = "", version: FormText = "",
) -> Response:  # fmt: skip
    case_for(session, staff, case_id)
    try:
        case = handover.accept_transfer(
            session, case_id, actor_id=_id(staff), assignee_id=parse_int(assignee_id),
            expected_version=parse_int(version),
        )  # fmt: skip
    except DomainError as exc:
        return _refused(request, session, case_id, "Annehmen", exc)
    commit(session)
    office = session.get(Office, case.office_id)
    flash(
        request, f"Fall übernommen: er gehört jetzt zu {office.name if office else ''}.", "success"
    )
    return _back(case_id)


@router.post("/cases/{case_id:int}/uebergabe/ablehnen")
def decline_transfer(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession,
    note: FormText = "", version: FormText = "",
) -> Response:  # fmt: skip
    case_for(session, staff, case_id)
    try:
        handover.decline_transfer(
            session, case_id, actor_id=_id(staff), note=note[:500],
            expected_version=parse_int(version),
        )  # fmt: skip
    except DomainError as exc:
        return _refused(request, session, case_id, "Ablehnen", exc)
    commit(session)
    flash(request, "Übergabe abgelehnt; der Fall bleibt beim bisherigen Büro.", "success")
    return RedirectResponse("/cases", status_code=303)


@router.post("/cases/{case_id:int}/uebergabe/zurueckziehen")
def withdraw_transfer(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession,
    version: FormText = "",
) -> Response:  # fmt: skip
    case_for(session, staff, case_id)
    try:
        handover.withdraw_transfer(
            session, case_id, actor_id=_id(staff), expected_version=parse_int(version)
        )
    except DomainError as exc:
        return _refused(request, session, case_id, "Zurückziehen", exc)
    commit(session)
    flash(request, "Übergabe zurückgezogen; der Fall ist wieder bearbeitbar.", "success")
    return _back(case_id)
