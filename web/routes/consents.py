"""Consent on the case page: choosing what may go to partners of one category and until when,
the consent form for exactly that choice (on screen in the household's language and German, or
printed), the household's signature on the tablet or the signed paper form uploaded, the signed
form kept as evidence, and withdrawal.
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from core.clock import berlin, utc_now
from core.db import commit
from core.limits import UPLOAD_BYTES
from models import Case, Consent, Household, Staff
from models.enums import (
    DEFAULT_SHARED_FIELDS,
    EVIDENCE_LABELS,
    PARTNER_CATEGORY_LABELS,
    SHARED_FIELD_LABELS,
    EvidenceKind,
    PartnerCategory,
)
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.params import Id
from web.routes.case_forms import case_for, case_to_change
from web.templating import env, render
from workflows import consent
from workflows.audit import reads
from workflows.consent import evidence, form
from workflows.engine.errors import InvalidInput, NotFound

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store"}  # personal data: not kept by browsers or proxies
FormText = Annotated[str, Form()]

env.globals.update(SHARED_FIELD_LABELS=SHARED_FIELD_LABELS)  # the consent table on the case page
FieldsQuery = Annotated[list[str] | None, Query()]


def _category(value: str) -> PartnerCategory:
    if value not in PartnerCategory._value2member_map_:
        raise NotFound("Diese Partnerart gibt es nicht.")
    return PartnerCategory(value)


def _expiry(value: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput({"expires_on": "Bitte ein Datum angeben (TT.MM.JJJJ)."}) from None


def _choice(fields: list[str] | None, expires_on: str) -> tuple[list[str], date | None]:
    """The scope and expiry chosen, checked as ``consent.grant`` checks them."""
    chosen = consent.scope(fields or [])
    until = _expiry(expires_on)
    consent.check_expiry(until, berlin(utc_now()).date())
    return chosen, until


def _household(session: Session, case: Case) -> Household:
    household = session.get(Household, case.household_id)
    assert household is not None  # guaranteed by the foreign key
    return household


def _page(
    request: Request,
    session: Session,
    case: Case,
    category: PartnerCategory,
    fields: list[str] | None,
    expires_on: str,
    *,
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    errors = dict(errors or {})
    household = _household(session, case)
    chosen: list[str] | None = None
    parts: list[dict[str, Any]] = []
    if fields is not None:
        try:
            chosen, until = _choice(fields, expires_on)
        except InvalidInput as exc:
            errors.update(exc.errors)
        else:
            made = form.gather(session, case, category, chosen, until, utc_now())
            parts = form.parts(made)
    existing = consent.current(session, household.id, category)  # type: ignore[arg-type]
    context = {
        "case": case,
        "household": household,
        "category": category,
        "label": PARTNER_CATEGORY_LABELS[category],
        "existing": existing,
        "field_labels": SHARED_FIELD_LABELS,
        "checked": fields
        if fields is not None
        else (existing.shared_fields if existing else [str(f) for f in DEFAULT_SHARED_FIELDS]),
        "expires_on": expires_on,
        "chosen": chosen,
        "parts": parts,
        "errors": errors,
        "today": berlin(utc_now()).date().isoformat(),
        "upload_mb": UPLOAD_BYTES // 1024 // 1024,
    }
    return render(request, "cases/consent.html", context, status_code=status_code)


@router.get("/cases/{case_id:int}/einwilligungen/{category}")
def consent_page(
    request: Request,
    case_id: Id,
    category: str,
    staff: CaseStaff,
    session: DbSession,
    shared_fields: FieldsQuery = None,
    expires_on: str = "",
    weiter: str = "",
) -> Response:
    """Choose what is shared and until when; then the form for that choice, to sign."""
    case = case_to_change(session, staff, case_id)
    reads.record(session, staff.id, case_id, reads.Read.CONSENT)  # type: ignore[arg-type]
    chosen = (shared_fields or []) if weiter else None
    return _page(request, session, case, _category(category), chosen, expires_on)


@router.get("/cases/{case_id:int}/einwilligungen/{category}/formular.pdf")
def blank_form(
    case_id: Id,
    category: str,
    staff: CaseStaff,
    session: DbSession,
    shared_fields: FieldsQuery = None,
    expires_on: str = "",
) -> Response:
    """The form for this choice, unsigned: to print and sign on paper."""
    case = case_to_change(session, staff, case_id)
    chosen, until = _choice(shared_fields, expires_on)
    reads.record(session, staff.id, case_id, reads.Read.CONSENT)  # type: ignore[arg-type]
    made = form.gather(session, case, _category(category), chosen, until, utc_now())
    content = form.pdf(made)
    name = f"einwilligung-{case.number}-{category}.pdf"
    headers = {**NO_STORE, "Content-Disposition": f'inline; filename="{name}"'}
    return Response(content, media_type="application/pdf", headers=headers)


@router.post("/cases/{case_id:int}/einwilligungen/{category}")
async def record_consent(
    request: Request,
    case_id: Id,
    category: str,
    staff: CaseStaff,
    session: DbSession,
    shared_fields: Annotated[list[str] | None, Form()] = None,
    expires_on: FormText = "",
    signature: FormText = "",
    scan: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Record the consent with the household's signature: drawn on the tablet, or the signed
    paper form uploaded."""
    case = case_to_change(session, staff, case_id)
    chosen_category = _category(category)
    uploaded = await scan.read(UPLOAD_BYTES + 1) if scan is not None else b""
    try:
        chosen, until = _choice(shared_fields, expires_on)
        signed = _evidence(uploaded, signature)
        consent.grant(
            session, case.household_id, chosen_category, actor_id=_id(staff),
            evidence=signed, fields=chosen, expires_on=until,
        )  # fmt: skip
    except InvalidInput as exc:
        session.rollback()
        return _page(
            request, session, case, chosen_category, shared_fields or [], expires_on,
            errors=exc.errors, status_code=422,
        )  # fmt: skip
    commit(session)
    how = EVIDENCE_LABELS[signed.kind]
    flash(request, f"Einwilligung erfasst: {PARTNER_CATEGORY_LABELS[chosen_category]} ({how}).",
          "success")  # fmt: skip
    return RedirectResponse(f"/cases/{case_id}#einwilligungen", status_code=303)


def _evidence(uploaded: bytes, signature: str) -> evidence.Evidence:
    if uploaded and signature:
        raise InvalidInput(
            {"evidence": "Bitte entweder auf dem Tablet unterschreiben oder das Papierformular "
             "hochladen, nicht beides."}
        )  # fmt: skip
    if uploaded:
        return evidence.scan(uploaded)
    if signature:
        return evidence.signature_from_data_url(signature)
    raise InvalidInput(
        {"evidence": "Bitte auf dem Tablet unterschreiben lassen oder das unterschriebene "
         "Formular hochladen."}
    )  # fmt: skip


@router.get("/cases/{case_id:int}/einwilligungen/nachweis/{consent_id:int}")
def signed_form(case_id: Id, consent_id: Id, staff: CaseStaff, session: DbSession) -> Response:
    """The evidence: the form with the tablet signature as a PDF, or the scan as uploaded."""
    case = case_for(session, staff, case_id)
    given = session.get(Consent, consent_id)
    kept = consent.evidence_of(session, consent_id) if given else None
    if given is None or given.household_id != case.household_id or kept is None or not kept.data:
        raise NotFound("Für diese Einwilligung ist kein Nachweis gespeichert.")
    reads.record(session, staff.id, case_id, reads.Read.CONSENT)  # type: ignore[arg-type]
    stem = f"einwilligung-{case.number}-{given.partner_category}-{consent_id}"
    if kept.kind == EvidenceKind.TABLET:
        made = form.gather(
            session, case, given.partner_category, given.shared_fields, given.expires_on,
            utc_now(), consent=given,
        )  # fmt: skip
        content, media, ending = form.pdf(made), "application/pdf", "pdf"
    else:
        content, media = kept.data, kept.content_type
        ending = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}[media]
    headers = {**NO_STORE, "Content-Disposition": f'inline; filename="{stem}.{ending}"'}
    return Response(content, media_type=media, headers=headers)


@router.post("/cases/{case_id:int}/consents/{category}/withdraw")
def withdraw_consent(
    request: Request, case_id: Id, category: str, staff: CaseStaff, session: DbSession
) -> Response:
    """Record that the household withdrew its consent for one partner category."""
    case = case_to_change(session, staff, case_id)
    back = RedirectResponse(f"/cases/{case_id}#einwilligungen", status_code=303)
    chosen = _category(category)
    try:
        consent.withdraw(session, case.household_id, chosen, actor_id=_id(staff))
    except InvalidInput as exc:
        flash(request, exc.errors.get("partner_category", str(exc)), "error")
        return back
    commit(session)
    label = PARTNER_CATEGORY_LABELS[chosen]
    flash(request, f"Einwilligung widerrufen: {label}.", "success")
    return back


def _id(staff: Staff) -> int:
    assert staff.id is not None  # a signed-in staff member is a stored row
    return staff.id
