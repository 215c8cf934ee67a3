"""The JSON API for casework beyond triggers: the household and its members, notices.

The same services, access rules and refusals as the staff pages: another office's case is 404,
a change on an old ``expected_version`` 409, invalid input 422 with a message per field. Each
change answers with what the look at the steps found and the case as it is now.
"""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlmodel import Session, col, select

from core import limits
from core.clock import utc_now
from core.db import commit
from models import Case, CaseStep, Household, HouseholdMember, Partner, Referral, Staff
from models.enums import District, PartnerCategory
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
    NoteOut,
    Problem,
    ReferralOut,
    VisitOut,
)
from workflows.appointments import visits
from workflows.audit import reads
from workflows.casework import eligibility, handover, notes, notices
from workflows.casework import household as edits
from workflows.casework.intake import MemberIn
from workflows.engine.errors import CaseInTransfer, GuardFailed
from workflows.messaging import i18n
from workflows.referrals import sending

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
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(
        min_length=1, max_length=500, pattern=limits.TEXT_PATTERN, examples=["ausgezogen"]
    )
    expected_version: ExpectedVersion = None


_HOUSEHOLD_FIELDS = (
    "family_name", "street", "postal_code", "city", "district", "sub_location_id",
    "moved_in_on", "languages", "contact_channels", "email", "phone", "helper_name",
    "helper_phone", "helper_email", "expected_birth_on",
)  # fmt: skip


def _changed(session: Session, staff: Any, case_id: int, found: eligibility.Found) -> CaseChanged:
    commit(session)
    case = visible_case(session, staff, case_id)
    return CaseChanged(
        found=Found(opened=found.opened, offered=found.offered, flagged=found.flagged),
        case=detail(session, case, utc_now(), reader=staff),
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
    reads.record(session, staff.id, case_id, reads.Read.API)  # type: ignore[arg-type]
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


# ---------------------------------------------------------------------------------------------
# Notes, consent, referrals, reassignment and handover


def changeable(session: DbSession, staff: Staff, case_id: int) -> Case:
    """The case, if ``staff`` may change it now (not while it is handed over: 409)."""
    case = visible_case(session, staff, case_id)
    if case.transfer_to_office_id is not None:
        raise CaseInTransfer(case_id)
    return case


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=limits.NOTE, pattern=limits.TEXT_PATTERN)
    confidential: StrictBool = Field(
        default=False,
        description="Health, violence, …: only its author and the office's supervisors read it.",
    )


@router.post(
    "/cases/{case_id}/notes", tags=["Fälle"], status_code=201, response_model=NoteOut,
    responses=CHANGE_RESPONSES,
)  # fmt: skip
def add_note(case_id: Id, body: NoteIn, staff: ApiCaseStaff, session: DbSession) -> NoteOut:
    """A note on the case's history (a phone call, what was agreed at the door)."""
    changeable(session, staff, case_id)
    event = notes.add_note(
        session,
        case_id,
        body.note,
        actor_id=staff.id,  # type: ignore[arg-type]
        confidential=body.confidential,
    )
    commit(session)
    return NoteOut(at=event.at, note=event.note or "", confidential=event.confidential)


def _referrals(session: DbSession, case_id: int) -> list[ReferralOut]:
    query = (
        select(Referral, Partner, CaseStep.kind)
        .join(Partner, col(Partner.id) == Referral.partner_id)
        .outerjoin(CaseStep, col(CaseStep.id) == Referral.step_id)
        .where(Referral.case_id == case_id)
        .order_by(col(Referral.created_at), col(Referral.id))
    )
    return [
        ReferralOut(
            id=r.id,
            partner=p.name,
            partner_category=p.category,
            step_kind=kind,  # type: ignore[arg-type]
            status=r.status,
            message=r.message,
            created_at=r.created_at,
            answered_at=r.answered_at,
            answer_note=r.answer_note,
            reported_at=r.reported_at,
            report_note=r.report_note,
        )  # fmt: skip
        for r, p, kind in session.exec(query)
    ]


@router.get(
    "/cases/{case_id}/referrals", tags=["Weitervermittlungen"],
    response_model=list[ReferralOut], responses=NOT_FOUND,
)  # fmt: skip
def list_referrals(case_id: Id, staff: ApiCaseStaff, session: DbSession) -> list[ReferralOut]:
    """Every referral of the case (for a step or not), oldest first, with the partner's
    answer and report."""
    visible_case(session, staff, case_id)
    return _referrals(session, case_id)


class ReferralIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    partner_category: PartnerCategory
    partner_id: Annotated[int | None, Field(ge=1, le=limits.MAX_ID)] = Field(
        default=None, description="A partner of that category serving the household; "
        "default: the suggested one."
    )  # fmt: skip
    message: str | None = Field(default=None, max_length=limits.NOTE, pattern=limits.TEXT_PATTERN)
    expected_version: ExpectedVersion = None


@router.post(
    "/cases/{case_id}/referrals", tags=["Weitervermittlungen"], status_code=201,
    response_model=list[ReferralOut], responses=CHANGE_RESPONSES,
)  # fmt: skip
def refer(case_id: Id, body: ReferralIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Refer the household to a partner of any category it consented to, without a step
    (a step's referral is the trigger `refer_<step>` with `partner_id` and `message`)."""
    changeable(session, staff, case_id)
    sending.refer(
        session, case_id, body.partner_category, actor_id=staff.id, partner_id=body.partner_id,
        message=body.message, expected_version=body.expected_version,
    )  # fmt: skip
    commit(session)
    return _referrals(session, case_id)


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee_id: Annotated[int, Field(ge=1, le=limits.MAX_ID)]
    note: str | None = Field(default=None, max_length=500, pattern=limits.TEXT_PATTERN)
    expected_version: ExpectedVersion = None


@router.post(
    "/cases/{case_id}/reassign", tags=["Übergabe"], response_model=CaseChanged,
    responses=CHANGE_RESPONSES,
)  # fmt: skip
def reassign(case_id: Id, body: ReassignIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Hand the case to a colleague of its office: supervisors any case, a caseworker their
    own. Visits planned by the previous caseworker (and their reminders) go with it."""
    visible_case(session, staff, case_id)
    handover.reassign(
        session, case_id, body.assignee_id, actor_id=staff.id, note=body.note,  # type: ignore[arg-type]
        expected_version=body.expected_version,
    )  # fmt: skip
    return _changed(session, staff, case_id, eligibility.Found([], [], []))


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    street: str = Field(min_length=3, max_length=limits.STREET, pattern=limits.LINE_PATTERN)
    postal_code: str = Field(pattern=r"^44\d{3}$")
    district: District
    note: str | None = Field(default=None, max_length=500, pattern=limits.TEXT_PATTERN)
    expected_version: ExpectedVersion = None


@router.post(
    "/cases/{case_id}/transfer", tags=["Übergabe"], response_model=CaseChanged,
    responses=CHANGE_RESPONSES,
)  # fmt: skip
def request_transfer(case_id: Id, body: TransferIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """The household moved to another office's district: the new address is recorded and
    the case offered to that office; read-only for both until it accepts or declines."""
    visible_case(session, staff, case_id)
    handover.request_transfer(
        session, case_id, street=body.street, postal_code=body.postal_code,
        district=body.district, actor_id=staff.id, note=body.note,  # type: ignore[arg-type]
        expected_version=body.expected_version,
    )  # fmt: skip
    return _changed(session, staff, case_id, eligibility.Found([], [], []))


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    assignee_id: Annotated[int | None, Field(ge=1, le=limits.MAX_ID)] = None
    expected_version: ExpectedVersion = None


@router.post(
    "/cases/{case_id}/transfer/accept", tags=["Übergabe"], response_model=CaseChanged,
    responses=CHANGE_RESPONSES,
)  # fmt: skip
def accept_transfer(case_id: Id, body: AcceptIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """The receiving office takes the case (assigned to `assignee_id`, default: you)."""
    visible_case(session, staff, case_id)
    handover.accept_transfer(
        session, case_id, actor_id=staff.id, assignee_id=body.assignee_id,  # type: ignore[arg-type]
        expected_version=body.expected_version,
    )  # fmt: skip
    return _changed(session, staff, case_id, eligibility.Found([], [], []))


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field(min_length=1, max_length=500, pattern=limits.TEXT_PATTERN)
    expected_version: ExpectedVersion = None


@router.post(
    "/cases/{case_id}/transfer/decline", tags=["Übergabe"], status_code=204,
    responses=CHANGE_RESPONSES,
)  # fmt: skip
def decline_transfer(
    case_id: Id, body: DeclineIn, staff: ApiCaseStaff, session: DbSession
) -> Response:
    """The receiving office does not take the case (with a reason); it stays where it was."""
    visible_case(session, staff, case_id)
    handover.decline_transfer(
        session, case_id, actor_id=staff.id, note=body.note,  # type: ignore[arg-type]
        expected_version=body.expected_version,
    )  # fmt: skip
    commit(session)
    return Response(status_code=204)


class WithdrawIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    expected_version: ExpectedVersion = None


@router.post(
    "/cases/{case_id}/transfer/withdraw", tags=["Übergabe"], response_model=CaseChanged,
    responses=CHANGE_RESPONSES,
)  # fmt: skip
def withdraw_transfer(
    case_id: Id, body: WithdrawIn, staff: ApiCaseStaff, session: DbSession
) -> Any:
    """The sending office keeps the case after all."""
    visible_case(session, staff, case_id)
    actor = int(staff.id)  # type: ignore[arg-type]
    handover.withdraw_transfer(
        session, case_id, actor_id=actor, expected_version=body.expected_version
    )
    return _changed(session, staff, case_id, eligibility.Found([], [], []))
