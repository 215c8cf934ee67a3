"""Consent in the JSON API, with the same rules as the case page (web/routes/consents.py): a
consent is recorded with the household's signature (the signed paper form, or the signature
drawn on a tablet, base64), may end on a date, and is withdrawn; the consent form for a choice
and the signed form on record can be fetched as files."""

import base64
import binascii
from datetime import date, datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response
from pydantic import BaseModel, ConfigDict, Field

from core.clock import berlin, utc_now
from core.db import commit
from core.limits import UPLOAD_BYTES
from models.enums import PARTNER_CATEGORY_LABELS, EvidenceKind, PartnerCategory, SharedField
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
from web.routes.api_casework import CHANGE_RESPONSES, changeable
from web.schemas import InvalidProblem
from workflows import consent
from workflows.audit import reads
from workflows.consent import evidence, form
from workflows.engine.errors import InvalidInput, NotFound

router = APIRouter(
    prefix="/api", route_class=ApiRoute, responses={**AUTH_RESPONSES, **EDGE_RESPONSES}
)
TAG = "Einwilligungen"
FILE_RESPONSES = {
    200: {
        "content": {"application/pdf": {}, "image/jpeg": {}, "image/png": {}},
        "description": "Das Formular (PDF) oder der Scan, wie hochgeladen.",
    },
    **NOT_FOUND,
}
BASE64 = r"^[A-Za-z0-9+/]*={0,2}$"
FIELD_LIST = r"^[a-z_]{1,20}(,[a-z_]{1,20}){0,9}$"


class ConsentOut(BaseModel):
    id: int
    partner_category: str
    label: str
    granted_at: datetime
    shared_fields: list[str]
    expires_on: date | None = Field(description="The last day it holds; None: until withdrawn.")
    in_force: bool = Field(description="False once expires_on has passed: renew it.")
    evidence: EvidenceKind | None = Field(
        description="How the household signed: paper (a scan) or tablet; None: recorded before "
        "consent forms were signed."
    )


class EvidenceIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: EvidenceKind = Field(
        description="paper: the signed form scanned or photographed (PDF, JPEG, PNG); tablet: "
        "the signature drawn on the screen (PNG)."
    )
    data: str = Field(
        min_length=4, max_length=UPLOAD_BYTES * 4 // 3 + 4, pattern=BASE64,
        description="The file, base64-encoded.",
    )  # fmt: skip


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    shared_fields: list[SharedField] | None = Field(
        default=None,
        min_length=1,
        description="What may be shared (at least one); default: name, phone, languages.",
    )
    expires_on: date | None = Field(
        default=None, description="The last day the consent holds (the household's choice)."
    )
    evidence: EvidenceIn


def _out(session: DbSession, household_id: int) -> list[ConsentOut]:
    given = list(consent.current_by_category(session, household_id).values())
    kinds = consent.evidence_kinds(session, [c.id for c in given])
    today = berlin(utc_now()).date()
    return [
        ConsentOut(
            id=c.id,  # type: ignore[arg-type]
            partner_category=c.partner_category,
            label=PARTNER_CATEGORY_LABELS[PartnerCategory(c.partner_category)],
            granted_at=c.granted_at,
            shared_fields=c.shared_fields,
            expires_on=c.expires_on,
            in_force=not c.expired_on(today),
            evidence=kinds.get(c.id) if c.id else None,
        )
        for c in given
    ]


@router.get(
    "/cases/{case_id}/consents", tags=[TAG], response_model=list[ConsentOut],
    responses=NOT_FOUND,
)  # fmt: skip
def list_consents(case_id: Id, staff: ApiCaseStaff, session: DbSession) -> list[ConsentOut]:
    """The household's consents, one per partner category, with what each allows to be shared,
    until when, and how it was signed (an expired one stays listed until renewed or withdrawn)."""
    case = visible_case(session, staff, case_id)
    return _out(session, case.household_id)


@router.put(
    "/cases/{case_id}/consents/{category}", tags=[TAG], response_model=list[ConsentOut],
    responses={**CHANGE_RESPONSES, 422: {"model": InvalidProblem}},
)  # fmt: skip
def grant_consent(
    case_id: Id, category: PartnerCategory, body: ConsentIn, staff: ApiCaseStaff,
    session: DbSession,
) -> list[ConsentOut]:  # fmt: skip
    """Record the household's signed consent for one partner category; a consent already on
    record for it is replaced (renewed, or another scope) and stays on record. 422 when the
    signature is not a readable file of the right kind, or the date has passed."""
    case = changeable(session, staff, case_id)
    try:
        data = base64.b64decode(body.evidence.data, validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInput({"evidence": "Die Datei ist nicht gültig base64-kodiert."}) from None
    signed = (
        evidence.signature(data)
        if body.evidence.kind == EvidenceKind.TABLET
        else evidence.scan(data)
    )
    fields = None if body.shared_fields is None else [str(f) for f in body.shared_fields]
    consent.grant(
        session, case.household_id, category, actor_id=staff.id,  # type: ignore[arg-type]
        evidence=signed, fields=fields, expires_on=body.expires_on,
    )  # fmt: skip
    commit(session)
    return _out(session, case.household_id)


@router.delete(
    "/cases/{case_id}/consents/{category}", tags=[TAG], status_code=204,
    responses=CHANGE_RESPONSES,
)  # fmt: skip
def withdraw_consent(
    case_id: Id, category: PartnerCategory, staff: ApiCaseStaff, session: DbSession
) -> Response:
    """The household withdrew its consent: running referrals of the category end and each
    partner is asked to delete the data. 422 if there is no consent to withdraw."""
    case = changeable(session, staff, case_id)
    consent.withdraw(session, case.household_id, category, actor_id=staff.id)  # type: ignore[arg-type]
    commit(session)
    return Response(status_code=204)


@router.get(
    "/cases/{case_id}/consents/{category}/form", tags=[TAG], response_class=Response,
    responses={**FILE_RESPONSES, 422: {"model": InvalidProblem}},
)  # fmt: skip
def consent_form(
    case_id: Id,
    category: PartnerCategory,
    staff: ApiCaseStaff,
    session: DbSession,
    shared_fields: Annotated[
        str | None,
        Query(
            max_length=200,
            pattern=FIELD_LIST,
            examples=["name,phone"],
            description="What is to be shared, comma-separated; default: name,phone,languages.",
        ),
    ] = None,  # fmt: skip
    expires_on: date | None = None,
) -> Response:
    """The consent form for this choice, unsigned (PDF, in the household's language and
    German): to print, or to show on the tablet before the household signs."""
    case = visible_case(session, staff, case_id)
    fields = consent.scope(None if shared_fields is None else shared_fields.split(","))
    consent.check_expiry(expires_on, berlin(utc_now()).date())
    reads.record(session, staff.id, case_id, reads.Read.CONSENT)  # type: ignore[arg-type]
    made = form.gather(session, case, category, fields, expires_on, utc_now())
    return Response(form.pdf(made), media_type="application/pdf")


@router.get(
    "/cases/{case_id}/consents/{category}/evidence", tags=[TAG], response_class=Response,
    responses=FILE_RESPONSES,
)  # fmt: skip
def signed_form(
    case_id: Id, category: PartnerCategory, staff: ApiCaseStaff, session: DbSession
) -> Response:
    """The household's signed consent form for the category: the form with the tablet
    signature (PDF), or the scan as uploaded. 404 when there is none on record."""
    case = visible_case(session, staff, case_id)
    given = consent.current(session, case.household_id, category)
    kept = consent.evidence_of(session, given.id) if given and given.id else None
    if given is None or kept is None or not kept.data:
        raise NotFound("Für diese Partnerart ist kein unterschriebenes Formular gespeichert.")
    reads.record(session, staff.id, case_id, reads.Read.CONSENT)  # type: ignore[arg-type]
    if kept.kind == EvidenceKind.PAPER:
        return Response(kept.data, media_type=kept.content_type)
    made = form.gather(
        session, case, category, given.shared_fields, given.expires_on, utc_now(), consent=given
    )
    return Response(form.pdf(made), media_type="application/pdf")
