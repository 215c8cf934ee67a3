"""Referring a household to a partner outside the workflow's steps (language course, health,
counselling, …), to the partner suggested or chosen, with a message."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from core.db import commit
from models import Partner
from models.enums import PARTNER_CATEGORY_LABELS, PartnerCategory
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.params import Id
from web.routes.case_forms import case_to_change, parse_int
from web.routes.cases import STALE_MESSAGE
from workflows.engine.errors import DomainError, InvalidInput, StaleCase
from workflows.referrals import sending

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)
FormText = Annotated[str, Form()]


@router.post("/cases/{case_id:int}/weitervermitteln")
def refer(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession,
    partner_category: FormText = "", partner_id: FormText = "", message: FormText = "",
    version: FormText = "",
) -> Response:  # fmt: skip
    case_to_change(session, staff, case_id)
    back = RedirectResponse(f"/cases/{case_id}#weitervermittlungen", status_code=303)
    try:
        if partner_category not in PartnerCategory._value2member_map_:
            raise InvalidInput({"partner_category": "Bitte eine Partnerart wählen."})
        referral = sending.refer(
            session, case_id, PartnerCategory(partner_category), actor_id=staff.id,
            partner_id=parse_int(partner_id), message=message,
            expected_version=parse_int(version),
        )  # fmt: skip
    except StaleCase:
        session.rollback()
        flash(request, STALE_MESSAGE, "error")
        return back
    except DomainError as exc:
        session.rollback()
        words = " ".join(exc.errors.values()) if isinstance(exc, InvalidInput) else str(exc)
        flash(request, f"Nicht weitervermittelt: {words} Es wurde nichts gesendet.", "error")
        return back
    commit(session)
    partner = session.get(Partner, referral.partner_id)
    label = PARTNER_CATEGORY_LABELS[PartnerCategory(partner_category)]
    flash(request, f"Weitervermittelt an {partner.name if partner else ''} ({label}).", "success")
    return back
