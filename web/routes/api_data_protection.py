"""The household's rights in the JSON API: its copy of its data (Art. 15 GDPR) and erasure on
request (Art. 17), with the same rules as the case page (web/routes/data_protection.py)."""

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from core import limits
from models.enums import Role
from web.deps import DbSession
from web.params import Id
from web.routes.api import (
    AUTH_RESPONSES,
    EDGE_RESPONSES,
    NOT_FOUND,
    ApiCaseStaff,
    ApiRoute,
    visible_case,
)
from web.routes.data_protection import copy_as_json, erase
from web.schemas import Problem
from workflows.privacy.erasure import ErasureRefused

router = APIRouter(
    prefix="/api", route_class=ApiRoute, responses={**AUTH_RESPONSES, **EDGE_RESPONSES}
)


class ErasureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=5, max_length=500, pattern=limits.TEXT_PATTERN,
        examples=["Antrag der Familie vom 03.12.2026"],
    )  # fmt: skip


class ErasureOut(BaseModel):
    case_id: int
    erased: bool = True


@router.get(
    "/cases/{case_id}/auskunft", tags=["Datenschutz"], responses=NOT_FOUND,
    response_model=dict[str, Any],
)  # fmt: skip
def data_copy(case_id: Id, staff: ApiCaseStaff, session: DbSession) -> Response:
    """Everything stored about the case's household (Art. 15 GDPR), table by table, with the
    partners that received data. Recorded as a reading of the case."""
    case = visible_case(session, staff, case_id)
    return Response(copy_as_json(session, staff, case), media_type="application/json")


@router.post(
    "/cases/{case_id}/erasure", tags=["Datenschutz"], response_model=ErasureOut,
    responses={
        **NOT_FOUND,
        403: {"model": Problem, "description": "Nur die Leitung des Büros löscht auf Antrag."},
        409: {"model": Problem, "description": "Die Daten müssen noch aufbewahrt werden: warum."},
    },
)  # fmt: skip
def erase_on_request(case_id: Id, body: ErasureIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Erase the household's personal data now (Art. 17 GDPR), as the retention job would; the
    reason goes into the audit trail. Refused (409, with the reason) while a case of the
    household is open or a documentation duty applies. Supervisors only."""
    if staff.role != Role.SUPERVISOR:
        raise HTTPException(403, "Nur die Leitung des Büros löscht auf Antrag.")
    visible_case(session, staff, case_id)
    try:
        erase(session, staff, case_id, body.reason)
    except ErasureRefused as exc:
        session.rollback()
        return JSONResponse({"detail": str(exc)}, status_code=409)
    return ErasureOut(case_id=case_id)
