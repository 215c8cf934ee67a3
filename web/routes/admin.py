"""Administration: offices and their sub-locations, cooperation partners, staff accounts.

Administrators only (everyone else gets 403). Invalid input shows the form again with the
problems at their fields (422) and saves nothing; a change answers with a redirect (PRG).
"""

from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import Response
from sqlalchemy import func
from sqlmodel import Session, col, select

from core.clock import utc_now
from models import Office, Partner, Staff, SubLocation
from models.enums import PARTNER_CATEGORY_LABELS
from web.csrf import verify_csrf
from web.deps import Admin, DbSession
from web.outcome import done
from web.params import Id
from web.templating import render
from workflows.directory import checks, offices, partners, team
from workflows.directory.offices import OfficeInput, SubLocationInput
from workflows.directory.partners import PartnerInput
from workflows.directory.team import StaffInput
from workflows.engine.errors import InvalidInput

T = TypeVar("T")

router = APIRouter(prefix="/admin", dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _page(
    request: Request,
    staff: Staff,
    template: str,
    context: dict[str, Any],
    *,
    errors: dict[str, str] | None = None,
) -> Response:
    """An admin page; with ``errors`` the form is shown again with them (422)."""
    base = {
        "staff": staff,
        "nav": "admin",
        "errors": errors or {},
        "districts": checks.DISTRICTS,
        "role_labels": team.ROLE_LABELS,
        "employer_labels": team.EMPLOYER_LABELS,
        "category_labels": PARTNER_CATEGORY_LABELS,
        "now": utc_now(),
    }
    status = 422 if errors else 200
    return render(request, f"admin/{template}", base | context, status_code=status)


def _get(session: Session, model: type[T], item_id: Id) -> T:
    found = session.get(model, item_id)
    if found is None:
        raise HTTPException(status_code=404)
    return found


@router.get("")
def index(request: Request, staff: Admin, session: DbSession) -> Response:
    """Where administrators start: the three registers and how large they are."""
    counts = {
        name: session.exec(select(func.count()).select_from(model)).one()
        for name, model in (("offices", Office), ("partners", Partner), ("staff", Staff))
    }
    return _page(request, staff, "index.html", {"counts": counts, "title": "Verwaltung"})


# ---------------------------------------------------------------------------------------------
# Offices and sub-locations


@router.get("/offices")
def office_list(request: Request, staff: Admin, session: DbSession) -> Response:
    """Every office with its districts, sub-locations and staff."""
    rows = offices.list_offices(session)
    return _page(request, staff, "offices.html", {"rows": rows, "title": "Büros"})


@router.get("/offices/new")
def office_new(request: Request, staff: Admin, session: DbSession) -> Response:
    """The form for a new office."""
    return _office_form(request, staff, OfficeInput(), None, session=session)


@router.post("/offices")
def office_create(
    request: Request, staff: Admin, session: DbSession, data: Annotated[OfficeInput, Form()]
) -> Response:
    """Add an office."""
    try:
        office = offices.save_office(session, data)
    except InvalidInput as exc:
        return _office_form(request, staff, data, None, session=session, errors=exc.errors)
    return done(request, session, f"Büro {office.name} angelegt.", f"/admin/offices/{office.id}")


@router.get("/offices/{office_id}")
def office_edit(request: Request, staff: Admin, session: DbSession, office_id: Id) -> Response:
    """An office's details, ready to change, and its sub-locations."""
    office = _get(session, Office, office_id)
    return _office_form(request, staff, OfficeInput.of(office), office, session=session)


@router.post("/offices/{office_id}")
def office_update(
    request: Request,
    staff: Admin,
    session: DbSession,
    office_id: Id,
    data: Annotated[OfficeInput, Form()],
) -> Response:
    """Change an office's details."""
    office = _get(session, Office, office_id)
    try:
        offices.save_office(session, data, office_id)
    except InvalidInput as exc:
        return _office_form(request, staff, data, office, session=session, errors=exc.errors)
    return done(request, session, f"Büro {office.name} gespeichert.", "/admin/offices")


def _office_form(
    request: Request,
    staff: Staff,
    form: OfficeInput,
    office: Office | None,
    *,
    session: Session,
    errors: dict[str, str] | None = None,
) -> Response:
    office_id = office.id if office else None
    places = offices.sub_locations_of(session, office_id) if office_id else []
    owners = offices.district_owners(session, office_id)
    title = f"Büro {office.name}" if office else "Neues Büro"
    context = {"form": form, "office": office, "places": places, "owners": owners, "title": title}
    return _page(request, staff, "office_form.html", context, errors=errors)


@router.get("/offices/{office_id}/sub-locations/new")
def sub_location_new(request: Request, staff: Admin, session: DbSession, office_id: Id) -> Response:
    """The form for a new outreach place of an office."""
    office = _get(session, Office, office_id)
    return _place_form(request, staff, office, SubLocationInput(), None)


@router.post("/offices/{office_id}/sub-locations")
def sub_location_create(
    request: Request,
    staff: Admin,
    session: DbSession,
    office_id: Id,
    data: Annotated[SubLocationInput, Form()],
) -> Response:
    """Add an outreach place to an office."""
    office = _get(session, Office, office_id)
    try:
        place = offices.save_sub_location(session, office_id, data)
    except InvalidInput as exc:
        return _place_form(request, staff, office, data, None, errors=exc.errors)
    message = f"Außenstelle {place.name} angelegt."
    return done(request, session, message, f"/admin/offices/{office_id}")


@router.get("/sub-locations/{place_id}")
def sub_location_edit(request: Request, staff: Admin, session: DbSession, place_id: Id) -> Response:
    """An outreach place, ready to change."""
    place = _get(session, SubLocation, place_id)
    office = _get(session, Office, place.office_id)
    form = SubLocationInput(name=place.name, address=place.address)
    return _place_form(request, staff, office, form, place)


@router.post("/sub-locations/{place_id}")
def sub_location_update(
    request: Request,
    staff: Admin,
    session: DbSession,
    place_id: Id,
    data: Annotated[SubLocationInput, Form()],
) -> Response:
    """Change an outreach place's name or address."""
    place = _get(session, SubLocation, place_id)
    office = _get(session, Office, place.office_id)
    try:
        offices.save_sub_location(session, office.id, data, place_id)  # type: ignore[arg-type]
    except InvalidInput as exc:
        return _place_form(request, staff, office, data, place, errors=exc.errors)
    message = f"Außenstelle {data.name.strip()} gespeichert."
    return done(request, session, message, f"/admin/offices/{office.id}")


def _place_form(
    request: Request,
    staff: Staff,
    office: Office,
    form: SubLocationInput,
    place: SubLocation | None,
    *,
    errors: dict[str, str] | None = None,
) -> Response:
    title = f"Außenstelle {place.name}" if place else f"Neue Außenstelle für {office.name}"
    context = {"form": form, "office": office, "place": place, "title": title}
    return _page(request, staff, "sub_location_form.html", context, errors=errors)


# ---------------------------------------------------------------------------------------------
# Partners


@router.get("/partners")
def partner_list(request: Request, staff: Admin, session: DbSession) -> Response:
    """Every cooperation partner by kind."""
    rows = partners.list_partners(session)
    return _page(request, staff, "partners.html", {"partners": rows, "title": "Partner"})


@router.get("/partners/new")
def partner_new(request: Request, staff: Admin) -> Response:
    """The form for a new partner."""
    return _partner_form(request, staff, PartnerInput(active=True), None)


@router.post("/partners")
def partner_create(
    request: Request, staff: Admin, session: DbSession, data: Annotated[PartnerInput, Form()]
) -> Response:
    """Add a cooperation partner."""
    try:
        partner = partners.save_partner(session, data)
    except InvalidInput as exc:
        return _partner_form(request, staff, data, None, errors=exc.errors)
    return done(request, session, f"Partner {partner.name} angelegt.", "/admin/partners")


@router.get("/partners/{partner_id}")
def partner_edit(request: Request, staff: Admin, session: DbSession, partner_id: Id) -> Response:
    """A partner, ready to change."""
    partner = _get(session, Partner, partner_id)
    return _partner_form(request, staff, PartnerInput.of(partner), partner)


@router.post("/partners/{partner_id}")
def partner_update(
    request: Request,
    staff: Admin,
    session: DbSession,
    partner_id: Id,
    data: Annotated[PartnerInput, Form()],
) -> Response:
    """Change a partner; an inactive partner receives no new referrals."""
    partner = _get(session, Partner, partner_id)
    try:
        partners.save_partner(session, data, partner_id)
    except InvalidInput as exc:
        return _partner_form(request, staff, data, partner, errors=exc.errors)
    return done(request, session, f"Partner {partner.name} gespeichert.", "/admin/partners")


def _partner_form(
    request: Request,
    staff: Staff,
    form: PartnerInput,
    partner: Partner | None,
    *,
    errors: dict[str, str] | None = None,
) -> Response:
    title = f"Partner {partner.name}" if partner else "Neuer Partner"
    context = {"form": form, "partner": partner, "title": title}
    return _page(request, staff, "partner_form.html", context, errors=errors)


# ---------------------------------------------------------------------------------------------
# Staff


@router.get("/staff")
def staff_list(request: Request, staff: Admin, session: DbSession) -> Response:
    """Every account with role, office and status."""
    rows = team.list_staff(session)
    return _page(request, staff, "staff.html", {"rows": rows, "title": "Mitarbeitende"})


@router.get("/staff/new")
def staff_new(request: Request, staff: Admin, session: DbSession) -> Response:
    """The form for a new account."""
    return _staff_form(request, staff, session, StaffInput())


@router.post("/staff")
def staff_create(
    request: Request, staff: Admin, session: DbSession, data: Annotated[StaffInput, Form()]
) -> Response:
    """Add an account with an initial password."""
    try:
        person = team.add_staff(session, data)
    except InvalidInput as exc:
        session.rollback()  # an account flushed before a later check failed is not kept
        return _staff_form(request, staff, session, data, errors=exc.errors)
    return done(request, session, f"Konto für {person.name} angelegt.", f"/admin/staff/{person.id}")


def _staff_form(
    request: Request,
    staff: Staff,
    session: Session,
    form: StaffInput,
    *,
    errors: dict[str, str] | None = None,
) -> Response:
    known = session.exec(select(Office).order_by(col(Office.name))).all()
    options = [(str(office.id), office.name) for office in known]
    context = {"form": form, "office_options": options, "title": "Neues Konto"}
    return _page(request, staff, "staff_form.html", context, errors=errors)


@router.get("/staff/{staff_id}")
def staff_detail(request: Request, staff: Admin, session: DbSession, staff_id: Id) -> Response:
    """One account: deactivate or reactivate it, set a new password."""
    return _staff_page(request, staff, session, staff_id)


def _staff_page(
    request: Request,
    staff: Staff,
    session: Session,
    staff_id: Id,
    *,
    errors: dict[str, str] | None = None,
) -> Response:
    person = _get(session, Staff, staff_id)
    office = session.get(Office, person.office_id) if person.office_id else None
    context = {"person": person, "office": office, "title": person.name}
    return _page(request, staff, "staff_detail.html", context, errors=errors)


@router.post("/staff/{staff_id}/active")
def staff_set_active(
    request: Request,
    staff: Admin,
    session: DbSession,
    staff_id: Id,
    active: Annotated[bool, Form()],
) -> Response:
    """Deactivate an account (no sign-in, no API token works) or reactivate it."""
    _get(session, Staff, staff_id)
    try:
        person = team.set_staff_active(session, staff_id, active, by_id=staff.id)  # type: ignore[arg-type]
    except InvalidInput as exc:
        return _staff_page(request, staff, session, staff_id, errors=exc.errors)
    message = f"Konto von {person.name} {'reaktiviert' if active else 'deaktiviert'}."
    return done(request, session, message, f"/admin/staff/{staff_id}")


@router.post("/staff/{staff_id}/password")
def staff_reset_password(
    request: Request,
    staff: Admin,
    session: DbSession,
    staff_id: Id,
    password: Annotated[str, Form()] = "",
) -> Response:
    """Set a new password (which also ends a lock-out after failed sign-ins)."""
    person = _get(session, Staff, staff_id)
    try:
        team.reset_password(session, staff_id, password)
    except InvalidInput as exc:
        return _staff_page(request, staff, session, staff_id, errors=exc.errors)
    message = f"Neues Passwort für {person.name} gesetzt."
    return done(request, session, message, f"/admin/staff/{staff_id}")
