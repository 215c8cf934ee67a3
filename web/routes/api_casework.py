"""The JSON API for casework beyond triggers: the household and its members, notices.

The same services, access rules and refusals as the staff pages: another office's case is 404,
a change on an old ``expected_version`` 409, invalid input 422 with a message per field. Each
change answers with what the look at the steps found and the case as it is now.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from sqlmodel import Session, col, select

from core import limits
from core.clock import utc_now
from core.db import commit
from models import Household, HouseholdMember
from web.deps import DbSession
from web.params import Id
from web.routes.api import (
    AUTH_RESPONSES,
    EDGE_RESPONSES,
    NOT_FOUND,
    ApiCaseStaff,
    ApiRoute,
    detail,
    visible_case,
)
from web.schemas import (
    AgreementOut,
    CaseChanged,
    Found,
    GuardProblem,
    HouseholdOut,
    InvalidProblem,
    MemberOut,
    Problem,
    VisitOut,
)
from workflows.appointments import visits
from workflows.casework import eligibility, notices
from workflows.casework import household as edits
from workflows.casework.intake import MemberIn
from workflows.engine.errors import GuardFailed
from workflows.messaging import i18n

router = APIRouter(
    prefix="/api", route_class=ApiRoute, responses={**AUTH_RESPONSES, **EDGE_RESPONSES}
)
CHANGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    **NOT_FOUND,
    409: {"model": Problem, "description": "Der Fall wurde seit expected_version geändert."},
}
ExpectedVersion = Annotated[
    int | None,
    Field(ge=1, le=limits.MAX_VERSION, description="The case version read; changed since: 409."),
]


class HouseholdPatch(edits.HouseholdEdit):
    """Only the fields sent change; ``null`` empties an optional one (email, phone, …)."""

    expected_version: ExpectedVersion = None


class MemberPatch(edits.MemberEdit):
    expected_version: ExpectedVersion = None


class NewMember(MemberIn):
    expected_version: ExpectedVersion = None


class Removal(BaseModel):
    reason: str = Field(
        min_length=1, max_length=500, pattern=limits.TEXT_PATTERN, examples=["ausgezogen"]
    )
    expected_version: ExpectedVersion = None


_HOUSEHOLD_FIELDS = (
    "family_name", "street", "postal_code", "city", "district", "sub_location_id",
    "moved_in_on", "languages", "contact_channels", "email", "phone", "expected_birth_on",
)  # fmt: skip


def _changed(session: Session, staff: Any, case_id: int, found: eligibility.Found) -> CaseChanged:
    commit(session)
    case = visible_case(session, staff, case_id)
    return CaseChanged(
        found=Found(opened=found.opened, offered=found.offered, flagged=found.flagged),
        case=detail(session, case, utc_now()),
    )


def _fields(body: BaseModel) -> dict[str, Any]:
    """What the client sent, without the version (to tell a change from a field left out)."""
    return {name: getattr(body, name) for name in body.model_fields_set - {"expected_version"}}


@router.get(
    "/cases/{case_id}/household", tags=["Haushalte"], response_model=HouseholdOut,
    responses=NOT_FOUND,
)  # fmt: skip
def read_household(case_id: Id, staff: ApiCaseStaff, session: DbSession) -> HouseholdOut:
    """The household of a case with every member, as the household page shows it."""
    case = visible_case(session, staff, case_id)
    household = session.get(Household, case.household_id)
    assert household is not None
    members = session.exec(
        select(HouseholdMember)
        .where(HouseholdMember.household_id == household.id)
        .order_by(col(HouseholdMember.id))
    )
    return HouseholdOut(
        case_id=case_id,
        version=case.version,
        **{name: getattr(household, name) for name in _HOUSEHOLD_FIELDS},
        messages_in=list(i18n.choose_languages(household.languages)),
        members=[MemberOut.model_validate(m, from_attributes=True) for m in members],
    )


@router.patch(
    "/cases/{case_id}/household", tags=["Haushalte"], response_model=CaseChanged,
    responses=CHANGE_RESPONSES,
)  # fmt: skip
def edit_household(
    case_id: Id, body: HouseholdPatch, staff: ApiCaseStaff, session: DbSession
) -> CaseChanged:
    """Correct the household: address, languages (preferred first), contact, expected birth.

    The district must stay with the case's office (a move to another office's district is a
    transfer). Steps are looked at again: `found` says what opened, what may be opened and
    which open step no longer applies. A corrected move-in date moves the registration
    deadline; the next reminder goes to the new address, in the new first language."""
    visible_case(session, staff, case_id)
    edit = edits.HouseholdEdit.model_validate(_fields(body))
    found = edits.edit_household(
        session, case_id, edit, actor_id=staff.id, expected_version=body.expected_version
    )
    return _changed(session, staff, case_id, found)


@router.post(
    "/cases/{case_id}/members", tags=["Haushalte"], status_code=201,
    response_model=CaseChanged, responses=CHANGE_RESPONSES,
)  # fmt: skip
def add_member(
    case_id: Id, body: NewMember, staff: ApiCaseStaff, session: DbSession
) -> CaseChanged:
    """A newborn or a family member who arrived later; steps looked at again."""
    visible_case(session, staff, case_id)
    new = MemberIn.model_validate(body.model_dump(exclude={"expected_version"}))
    _member, found = edits.add_member(
        session, case_id, new, actor_id=staff.id, expected_version=body.expected_version
    )
    return _changed(session, staff, case_id, found)


@router.patch(
    "/cases/{case_id}/members/{member_id}", tags=["Haushalte"], response_model=CaseChanged,
    responses={**CHANGE_RESPONSES, 404: {"model": Problem, "description": "Kein solcher Fall "
                                         "oder kein Mitglied dieses Haushalts."}},
)  # fmt: skip
def edit_member(
    case_id: Id, member_id: Id, body: MemberPatch, staff: ApiCaseStaff, session: DbSession
) -> CaseChanged:
    """Correct a member or note what changed (a school or Kita place found, able to work)."""
    visible_case(session, staff, case_id)
    edit = edits.MemberEdit.model_validate(_fields(body))
    found = edits.edit_member(
        session, case_id, member_id, edit, actor_id=staff.id,
        expected_version=body.expected_version,
    )  # fmt: skip
    return _changed(session, staff, case_id, found)


@router.post(
    "/cases/{case_id}/members/{member_id}/remove", tags=["Haushalte"],
    response_model=CaseChanged, responses=CHANGE_RESPONSES,
)  # fmt: skip
def remove_member(
    case_id: Id, member_id: Id, body: Removal, staff: ApiCaseStaff, session: DbSession
) -> CaseChanged:
    """Someone left the household, with a reason; the last member stays (422). An open step
    that applied because of them is flagged, never closed by itself."""
    visible_case(session, staff, case_id)
    found = edits.remove_member(
        session, case_id, member_id, reason=body.reason, actor_id=staff.id,
        expected_version=body.expected_version,
    )  # fmt: skip
    return _changed(session, staff, case_id, found)


@router.post(
    "/cases/{case_id}/notices/{notice_id}/done", tags=["Fälle"], status_code=204,
    responses={404: {"model": Problem, "description": "Kein solcher Fall oder Hinweis."}},
)  # fmt: skip
def notice_done(case_id: Id, notice_id: Id, staff: ApiCaseStaff, session: DbSession) -> Response:
    """Mark a notice as looked at: it leaves the case's `notices` (and stays on record)."""
    visible_case(session, staff, case_id)
    notices.mark_done(session, case_id, notice_id, actor_id=staff.id)  # type: ignore[arg-type]
    commit(session)
    return Response(status_code=204)


class VisitIn(visits.VisitRecordIn):
    """Record a planned visit as held: the trigger that ends it and what happened."""

    trigger: Literal["record_welcome_visit", "complete_follow_up", "continue_support"]
    expected_version: ExpectedVersion = None


def _visits(session: DbSession, case_id: int) -> list[VisitOut]:
    return [
        VisitOut(
            **record.model_dump(
                include={
                    "id",
                    "held_at",
                    "participants",
                    "interpreter_language",
                    "interpreter_name",
                    "topics",
                }
            ),
            agreements=[AgreementOut.model_validate(a, from_attributes=True) for a in agreed],
        )  # fmt: skip
        for record, agreed in visits.visits_of(session, case_id)
    ]


@router.get(
    "/cases/{case_id}/visits", tags=["Besuche"], response_model=list[VisitOut],
    responses=NOT_FOUND,
)  # fmt: skip
def list_visits(case_id: Id, staff: ApiCaseStaff, session: DbSession) -> list[VisitOut]:
    """The case's recorded visits, newest first, each with what was agreed."""
    visible_case(session, staff, case_id)
    return _visits(session, case_id)


@router.post(
    "/cases/{case_id}/visits", tags=["Besuche"], status_code=201, response_model=CaseChanged,
    responses={**CHANGE_RESPONSES, 422: {"model": GuardProblem | InvalidProblem,
               "description": "Eine Bedingung (z. B. Besuch erst später geplant: "
               "confirm_early) oder Eingaben ungültig."}},
)  # fmt: skip
def record_visit(case_id: Id, body: VisitIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Record the planned visit as held: when it really was (default: as planned), who was
    there, the interpreter, the topics and up to ten agreements (each becomes a reminder to
    the caseworker on its day). Before its planned time only with `confirm_early: true`."""
    visible_case(session, staff, case_id)
    record = visits.VisitRecordIn.model_validate(
        body.model_dump(exclude={"trigger", "expected_version"})
    )
    try:
        visits.record_visit(
            session, case_id, body.trigger, record, actor_id=staff.id,
            expected_version=body.expected_version,
        )  # fmt: skip
    except GuardFailed as exc:
        session.rollback()
        problem = GuardProblem(
            detail=str(exc), trigger=exc.trigger, guard=exc.guard, reason=exc.reason
        )
        return JSONResponse(problem.model_dump(), status_code=422)
    return _changed(session, staff, case_id, eligibility.Found([], [], []))


@router.post(
    "/cases/{case_id}/agreements/{agreement_id}/done", tags=["Besuche"], status_code=204,
    responses={404: {"model": Problem, "description": "Kein solcher Fall oder Vereinbarung."}},
)  # fmt: skip
def agreement_done(
    case_id: Id, agreement_id: Id, staff: ApiCaseStaff, session: DbSession
) -> Response:
    """An agreed next step is done: its reminder is cancelled."""
    visible_case(session, staff, case_id)
    visits.agreement_done(session, case_id, agreement_id, actor_id=staff.id)  # type: ignore[arg-type]
    commit(session)
    return Response(status_code=204)
