"""Recording consent with its scope: which household data may go to partners of one category.

The case page's consent form posts here; the referral email then holds exactly these fields.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from core.db import commit
from models.enums import (
    DEFAULT_SHARED_FIELDS,
    PARTNER_CATEGORY_LABELS,
    SHARED_FIELD_LABELS,
    PartnerCategory,
)
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.params import Id
from web.routes.case_forms import case_to_change
from web.templating import env
from workflows.engine.errors import InvalidInput
from workflows.referrals import consent

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# For the consent form on the case page.
env.globals.update(
    SHARED_FIELD_LABELS=SHARED_FIELD_LABELS,
    DEFAULT_SHARED_FIELDS=[str(f) for f in DEFAULT_SHARED_FIELDS],
)


@router.post("/cases/{case_id:int}/consents/scope")
def grant_consent_with_scope(
    request: Request,
    case_id: Id,
    staff: CaseStaff,
    session: DbSession,
    partner_category: Annotated[str, Form()] = "",
    shared_fields: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Record (or change) consent for one partner category with the fields it covers."""
    case = case_to_change(session, staff, case_id)
    back = RedirectResponse(f"/cases/{case_id}#einwilligungen", status_code=303)
    if partner_category not in PartnerCategory._value2member_map_:
        flash(request, "Bitte eine Partnerart wählen.", "error")
        return back
    category = PartnerCategory(partner_category)
    try:
        granted = consent.grant(
            session, case.household_id, category, actor_id=staff.id or 0, fields=shared_fields or []
        )
    except InvalidInput as exc:
        flash(request, exc.errors.get("shared_fields", str(exc)), "error")
        return back
    scope = consent.scope_text(granted.shared_fields)
    commit(session)
    flash(
        request, f"Einwilligung erfasst: {PARTNER_CATEGORY_LABELS[category]} ({scope}).", "success"
    )
    return back
