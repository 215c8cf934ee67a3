"""The network in the staff pages: one search over partners and the office's volunteers (by
language, area, district and a word), a partner's page with the people to speak to there, the
office's volunteers kept by its caseworkers and supervisors, and a volunteer suggested to a
household from its case.

Another office's volunteer or case is not found (404); contact persons are kept by
supervisors and administrators (403 for others). Refused input comes back with the reason at
its field (422) or as a message, and nothing is saved.
"""

import re
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session
from starlette.datastructures import FormData

from core.clock import berlin, utc_now
from models import Staff, Volunteer
from models.enums import CONTACT_TOPIC_LABELS, PARTNER_CATEGORY_LABELS, District
from web.csrf import verify_csrf
from web.deps import CaseStaff, CurrentStaff, DbSession
from web.outcome import done, refused
from web.params import Id
from web.routes.case_forms import case_for, case_to_change, form_list, form_text, parse_int
from web.templating import render
from workflows.casework.household import parse
from workflows.engine.access import staff_may_work_on
from workflows.engine.errors import InvalidInput, NotFound
from workflows.messaging import i18n
from workflows.network import contacts, search, volunteers
from workflows.network.contacts import ContactIn
from workflows.network.volunteers import SuggestionIn, VolunteerIn

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _codes(text: str) -> list[str]:
    return [code for code in re.split(r"[\s,;]+", text.lower()) if code][:12]


def _context(staff: Staff, title: str, **values: Any) -> dict[str, Any]:
    return {
        "staff": staff,
        "nav": "network",
        "title": title,
        "areas": CONTACT_TOPIC_LABELS,
        "categories": PARTNER_CATEGORY_LABELS,
        "language_names": i18n.LANGUAGE_NAMES,
        "districts": [d.value for d in District],
        "errors": {},
        **values,
    }


@router.get("/netzwerk")
def directory(
    request: Request, staff: CurrentStaff, session: DbSession, sprache: str = "",
    bereich: str = "", bezirk: str = "", q: str = "",
) -> Response:  # fmt: skip
    """Partners and the office's volunteers matching every filter given."""
    query = search.Query(
        language=sprache[:3] or None,
        area=bereich[:20] if bereich[:20] in CONTACT_TOPIC_LABELS else None,
        district=bezirk[:40] if bezirk[:40] in {d.value for d in District} else None,
        text=q[:100] or None,
    )
    found = search.search(session, staff.office_id, query)
    context = _context(
        staff, "Netzwerk", found=found, query=query, q=q[:100],
        may_add_volunteer=staff.office_id is not None and staff_may_work_on(staff, staff.office_id),
    )  # fmt: skip
    return render(request, "network/directory.html", context)


# ---------------------------------------------------------------------------------------------
# A partner and its contact persons


def _partner_page(
    request: Request, staff: Staff, session: Session, partner_id: int,
    errors: dict[str, str] | None = None, entered: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    try:
        partner = contacts.get_partner(session, partner_id)
    except NotFound:
        raise HTTPException(status_code=404) from None
    context = _context(
        staff, partner.name, partner=partner,
        people=contacts.contacts_of(session, [partner_id])[partner_id],
        may_keep=contacts.may_keep(staff), errors=errors or {}, entered=entered or {},
    )  # fmt: skip
    return render(request, "network/partner.html", context, status_code=422 if errors else 200)


@router.get("/netzwerk/partner/{partner_id:int}")
def partner_page(
    request: Request, partner_id: Id, staff: CurrentStaff, session: DbSession
) -> Response:
    return _partner_page(request, staff, session, partner_id)


@router.post("/netzwerk/partner/{partner_id:int}/ansprechpersonen")
async def add_contact(
    request: Request, partner_id: Id, staff: CurrentStaff, session: DbSession
) -> Response:
    if not contacts.may_keep(staff):
        raise HTTPException(status_code=403)
    form = await request.form()
    entered = {
        key: form_text(form, key, 200) for key in ("name", "role", "email", "phone", "languages")
    }
    data: dict[str, Any] = {k: v for k, v in entered.items() if v and k != "languages"}
    data["languages"] = _codes(entered["languages"])
    try:
        contacts.add(session, partner_id, parse(ContactIn, data))
    except contacts.PartnerNotFound:
        raise HTTPException(status_code=404) from None
    except InvalidInput as exc:
        session.rollback()
        return _partner_page(request, staff, session, partner_id, exc.errors, entered)
    return done(
        request, session, "Ansprechperson eingetragen.", f"/netzwerk/partner/{partner_id}"
    )  # no name in the cookie


@router.post("/netzwerk/partner/{partner_id:int}/ansprechpersonen/{contact_id:int}/entfernen")
def remove_contact(
    request: Request, partner_id: Id, contact_id: Id, staff: CurrentStaff, session: DbSession
) -> Response:
    if not contacts.may_keep(staff):
        raise HTTPException(status_code=403)
    try:
        contacts.remove(session, partner_id, contact_id)
    except NotFound:
        raise HTTPException(status_code=404) from None
    return done(request, session, "Ansprechperson entfernt.", f"/netzwerk/partner/{partner_id}")


# ---------------------------------------------------------------------------------------------
# Volunteers


def _volunteer_data(form: FormData) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": form_text(form, "name", 120),
        "languages": _codes(form_text(form, "languages", 100)),
        "helps_with": form_list(form, "helps_with"),
        "districts": form_list(form, "districts"),
    }
    for key in ("email", "phone", "availability", "contact_consent_on", "agreement_on"):
        if value := form_text(form, key, 200):
            data[key] = value
    return data


def _volunteer_form(
    request: Request, staff: Staff, volunteer: Volunteer | None, entered: dict[str, Any],
    errors: dict[str, str] | None = None,
) -> Response:  # fmt: skip
    title = f"Ehrenamtliche Person: {volunteer.name}" if volunteer else "Neue ehrenamtliche Person"
    context = _context(staff, title, volunteer=volunteer, entered=entered, errors=errors or {})
    return render(
        request, "network/volunteer_form.html", context, status_code=422 if errors else 200
    )


def _entered(volunteer: Volunteer) -> dict[str, Any]:
    values = volunteer.model_dump()
    values["languages"] = ", ".join(volunteer.languages)
    return values


def _own_office(staff: Staff) -> int:
    if staff.office_id is None:
        raise HTTPException(status_code=404)
    return staff.office_id


@router.get("/netzwerk/ehrenamtliche/neu")
def volunteer_new(request: Request, staff: CaseStaff) -> Response:
    _own_office(staff)
    today = berlin(utc_now()).date().isoformat()
    return _volunteer_form(request, staff, None, {"contact_consent_on": today, "languages": ""})


@router.post("/netzwerk/ehrenamtliche")
async def volunteer_create(request: Request, staff: CaseStaff, session: DbSession) -> Response:
    office_id = _own_office(staff)
    form = await request.form()
    data = _volunteer_data(form)
    try:
        volunteer = volunteers.save(session, office_id, parse(VolunteerIn, data))
    except InvalidInput as exc:
        session.rollback()
        return _volunteer_form(
            request, staff, None, {**data, "languages": form_text(form, "languages")}, exc.errors
        )
    return done(
        request, session, f"Ehrenamtliche Person Nr. {volunteer.id} steht im Netzwerk.", "/netzwerk"
    )


def _volunteer(session: Session, staff: Staff, volunteer_id: int) -> Volunteer:
    try:
        return volunteers.get(session, staff, volunteer_id)
    except NotFound:
        raise HTTPException(status_code=404) from None


@router.get("/netzwerk/ehrenamtliche/{volunteer_id:int}")
def volunteer_edit(
    request: Request, volunteer_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    volunteer = _volunteer(session, staff, volunteer_id)
    return _volunteer_form(request, staff, volunteer, _entered(volunteer))


@router.post("/netzwerk/ehrenamtliche/{volunteer_id:int}")
async def volunteer_update(
    request: Request, volunteer_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    volunteer = _volunteer(session, staff, volunteer_id)
    form = await request.form()
    data = _volunteer_data(form)
    try:
        volunteers.save(session, volunteer.office_id, parse(VolunteerIn, data), volunteer)
    except InvalidInput as exc:
        session.rollback()
        return _volunteer_form(
            request,
            staff,
            volunteer,
            {**data, "languages": form_text(form, "languages")},
            exc.errors,
        )
    return done(request, session, "Gespeichert.", "/netzwerk")


@router.post("/netzwerk/ehrenamtliche/{volunteer_id:int}/ausgeschieden")
def volunteer_leaves(
    request: Request, volunteer_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    volunteer = _volunteer(session, staff, volunteer_id)
    volunteers.leave(session, volunteer)
    return done(
        request, session, "Ausgeschieden: Name und Kontaktdaten sind gelöscht.", "/netzwerk"
    )


# ---------------------------------------------------------------------------------------------
# From a case


def _case_url(case_id: int) -> str:
    return f"/cases/{case_id}/ehrenamt"


@router.get("/cases/{case_id:int}/ehrenamt")
def case_volunteers(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    case = case_for(session, staff, case_id)
    context = _context(
        staff, f"Ehrenamtliche · Fall {case_id}", nav="cases", case=case,
        suggested=volunteers.suggestions_of(session, case_id),
        offered=volunteers.of_office(session, case.office_id),
        may_change=case.closed_at is None and case.transfer_to_office_id is None
        and staff_may_work_on(staff, case.office_id),
    )  # fmt: skip
    return render(request, "network/case.html", context)


@router.post("/cases/{case_id:int}/ehrenamt")
async def suggest(request: Request, case_id: Id, staff: CaseStaff, session: DbSession) -> Response:
    form = await request.form()
    case = case_to_change(session, staff, case_id)
    data: dict[str, Any] = {
        "volunteer_id": parse_int(form_text(form, "volunteer_id", 12)),
        "area": form_text(form, "area", 20),
        "household_consent": form_text(form, "household_consent", 5) != "",
    }
    if note := form_text(form, "note", 500):
        data["note"] = note
    try:
        volunteers.suggest(session, case, parse(SuggestionIn, data), actor_id=staff.id)
    except InvalidInput as exc:
        return refused(request, session, "Nicht vermittelt", exc, _case_url(case_id))
    return done(request, session, "Vermittelt; es steht im Verlauf des Falls.", _case_url(case_id))


@router.post("/cases/{case_id:int}/ehrenamt/{suggestion_id:int}/beenden")
def end_suggestion(
    request: Request, case_id: Id, suggestion_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    case = case_to_change(session, staff, case_id)
    try:
        volunteers.end(session, case, suggestion_id, actor_id=staff.id)
    except NotFound:
        raise HTTPException(status_code=404) from None
    except InvalidInput as exc:
        return refused(request, session, "Nicht geändert", exc, _case_url(case_id))
    return done(request, session, "Begleitung beendet.", _case_url(case_id))
