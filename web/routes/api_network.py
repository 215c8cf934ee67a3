"""The JSON API for the network: one search over partners and the office's volunteers, the
office's volunteers (take in, change, leave), a partner's contact persons (supervisors and
administrators) and volunteers suggested to a household — the same services and rules as the
pages. Another office's volunteer or case is 404; invalid input is 422 with a message per field.
"""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel

from core import limits
from core.db import commit
from models import PartnerContact, Staff, Volunteer
from models.enums import ContactTopic, District
from web.deps import DbSession
from web.params import Id
from web.routes.api import AUTH_RESPONSES, EDGE_RESPONSES, ApiCaseStaff, ApiRoute
from web.routes.api_consultations import NOT_FOUND, ApiStaff
from web.routes.case_forms import case_for, case_to_change
from web.schemas import Problem
from workflows.casework.fields import Language
from workflows.engine.errors import NotFound
from workflows.network import contacts, search, volunteers
from workflows.network.contacts import ContactIn
from workflows.network.volunteers import SuggestionIn, VolunteerIn

router = APIRouter(
    prefix="/api",
    tags=["Netzwerk"],
    route_class=ApiRoute,
    responses={**AUTH_RESPONSES, **EDGE_RESPONSES},
)
KEEPERS_ONLY = "Ansprechpersonen pflegen die Leitung und die Verwaltung."


class ContactOut(BaseModel):
    id: int
    name: str
    role: str | None
    email: str | None
    phone: str | None
    languages: list[str]


class PartnerOut(BaseModel):
    id: int
    name: str
    category: str
    districts: list[str]
    languages: list[str]
    offers: str | None
    opening_hours: str | None
    capacity_note: str | None
    contacts: list[ContactOut]


class VolunteerOut(BaseModel):
    id: int
    name: str
    email: str | None
    phone: str | None
    languages: list[str]
    helps_with: list[str]
    districts: list[str]
    availability: str | None
    contact_consent_on: date | None
    agreement_on: date | None
    active: bool


class FoundOut(BaseModel):
    partners: list[PartnerOut]
    volunteers: list[VolunteerOut]


class SuggestionOut(BaseModel):
    id: int
    volunteer_id: int
    volunteer_name: str
    area: str
    household_consent_on: date
    note: str | None
    suggested_at: datetime
    ended_at: datetime | None


def _contact(person: PartnerContact) -> ContactOut:
    return ContactOut.model_validate(person, from_attributes=True)


def _volunteer(volunteer: Volunteer) -> VolunteerOut:
    return VolunteerOut.model_validate(volunteer, from_attributes=True)


@router.get("/network", response_model=FoundOut)
def find(
    staff: ApiStaff,
    session: DbSession,
    language: Annotated[Language | None, Query()] = None,
    area: Annotated[ContactTopic | None, Query()] = None,
    district: Annotated[District | None, Query()] = None,
    q: Annotated[str | None, Query(max_length=100, pattern=limits.LINE_PATTERN)] = None,
) -> Any:
    """Active partners and the caller's office's active volunteers matching every filter."""
    query = search.Query(language, area, district, q)
    found = search.search(session, staff.office_id, query)
    return FoundOut(
        partners=[
            PartnerOut(
                id=p.id,
                name=p.name,
                category=str(p.category),
                districts=p.districts,
                languages=p.languages,
                offers=p.offers,
                opening_hours=p.opening_hours,
                capacity_note=p.capacity_note,
                contacts=[_contact(c) for c in people],
            )  # type: ignore[arg-type]  # fmt: skip
            for p, people in found.partners
        ],
        volunteers=[_volunteer(v) for v in found.volunteers],
    )


def _office(staff: Staff) -> int:
    if staff.office_id is None:
        raise HTTPException(404, "Ehrenamtliche gehören zu einem Büro.")
    return staff.office_id


def _get_volunteer(session: DbSession, staff: Staff, volunteer_id: int) -> Volunteer:
    try:
        return volunteers.get(session, staff, volunteer_id)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/volunteers", response_model=list[VolunteerOut], responses=NOT_FOUND)
def list_volunteers(staff: ApiCaseStaff, session: DbSession) -> Any:
    """The office's volunteers, those who left included (without their details)."""
    return [_volunteer(v) for v in volunteers.of_office(session, _office(staff), active_only=False)]


@router.post("/volunteers", status_code=201, response_model=VolunteerOut, responses=NOT_FOUND)
def create_volunteer(body: VolunteerIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Take a volunteer in (with the date of their own consent to be contacted)."""
    answer = _volunteer(volunteers.save(session, _office(staff), body))
    commit(session)
    return answer


@router.put("/volunteers/{volunteer_id}", response_model=VolunteerOut, responses=NOT_FOUND)
def update_volunteer(
    volunteer_id: Id, body: VolunteerIn, staff: ApiCaseStaff, session: DbSession
) -> Any:
    volunteer = _get_volunteer(session, staff, volunteer_id)
    answer = _volunteer(volunteers.save(session, volunteer.office_id, body, volunteer))
    commit(session)
    return answer


@router.post("/volunteers/{volunteer_id}/leave", response_model=VolunteerOut, responses=NOT_FOUND)
def volunteer_leaves(volunteer_id: Id, staff: ApiCaseStaff, session: DbSession) -> Any:
    """The volunteer left: inactive, name and contact details erased, suggestions ended."""
    volunteer = _get_volunteer(session, staff, volunteer_id)
    volunteers.leave(session, volunteer)
    answer = _volunteer(volunteer)
    commit(session)
    return answer


def _keeper(staff: Staff) -> None:
    if not contacts.may_keep(staff):
        raise HTTPException(403, KEEPERS_ONLY)


@router.post(
    "/partners/{partner_id}/contacts", status_code=201, response_model=ContactOut,
    responses={**NOT_FOUND, 403: {"model": Problem, "description": KEEPERS_ONLY}},
)  # fmt: skip
def add_contact(partner_id: Id, body: ContactIn, staff: ApiStaff, session: DbSession) -> Any:
    _keeper(staff)
    try:
        person = contacts.add(session, partner_id, body)
    except contacts.PartnerNotFound as exc:
        raise HTTPException(404, str(exc)) from None
    answer = _contact(person)
    commit(session)
    return answer


@router.delete(
    "/partners/{partner_id}/contacts/{contact_id}", status_code=204,
    responses={**NOT_FOUND, 403: {"model": Problem, "description": KEEPERS_ONLY}},
)  # fmt: skip
def remove_contact(partner_id: Id, contact_id: Id, staff: ApiStaff, session: DbSession) -> Response:
    _keeper(staff)
    try:
        contacts.remove(session, partner_id, contact_id)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    commit(session)
    return Response(status_code=204)


def _suggestion(item: volunteers.Suggested) -> SuggestionOut:
    s, v = item.suggestion, item.volunteer
    return SuggestionOut(
        id=s.id, volunteer_id=v.id, volunteer_name=v.name, area=s.area,
        household_consent_on=s.household_consent_on, note=s.note,
        suggested_at=s.suggested_at, ended_at=s.ended_at,
    )  # type: ignore[arg-type]  # fmt: skip


@router.get(
    "/cases/{case_id}/volunteer-suggestions", response_model=list[SuggestionOut],
    responses=NOT_FOUND,
)  # fmt: skip
def list_suggestions(case_id: Id, staff: ApiCaseStaff, session: DbSession) -> Any:
    case_for(session, staff, case_id)
    return [_suggestion(item) for item in volunteers.suggestions_of(session, case_id)]


@router.post(
    "/cases/{case_id}/volunteer-suggestions", status_code=201, response_model=SuggestionOut,
    responses=NOT_FOUND,
)  # fmt: skip
def suggest(case_id: Id, body: SuggestionIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Suggest a volunteer of the office to the household (``household_consent`` must be true)."""
    case = case_to_change(session, staff, case_id)
    made = volunteers.suggest(session, case, body, actor_id=staff.id)
    (answer,) = [
        _suggestion(i)
        for i in volunteers.suggestions_of(session, case_id)
        if i.suggestion.id == made.id
    ]
    commit(session)
    return answer


@router.post(
    "/cases/{case_id}/volunteer-suggestions/{suggestion_id}/end", response_model=SuggestionOut,
    responses=NOT_FOUND,
)  # fmt: skip
def end_suggestion(case_id: Id, suggestion_id: Id, staff: ApiCaseStaff, session: DbSession) -> Any:
    case = case_to_change(session, staff, case_id)
    volunteers.end(session, case, suggestion_id, actor_id=staff.id)  # NotFound: 404
    (answer,) = [
        _suggestion(i)
        for i in volunteers.suggestions_of(session, case_id)
        if i.suggestion.id == suggestion_id
    ]
    commit(session)
    return answer
