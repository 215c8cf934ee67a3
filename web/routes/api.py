"""The JSON API under /api: the same cases and the same rules as the staff pages, for programs.

Authentication is a bearer token per staff member (``Authorization: Bearer <token>``); a
caseworker's token reaches only their office's cases, a case of another office is "not found".
Refusals are ``{"detail": ...}`` with the status of the domain error (404, 409, 422); invalid
input adds ``errors`` with a message per field.
"""

from collections.abc import Callable, Coroutine
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.dependencies.models import Dependant
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from core import limits, validation
from core.clock import utc_now
from core.config import get_settings
from core.db import commit
from models import Case, CaseEvent, CaseStep, Household, HouseholdMember, Office, Staff, SubLocation
from models.enums import Role
from web.deps import DbSession
from web.params import Id, OptionalIdQuery
from web.schemas import (
    AdvanceIn,
    CaseAdvanced,
    CaseCreated,
    CaseDetail,
    CaseList,
    CaseSummary,
    EventOut,
    GuardProblem,
    HistoryPage,
    HouseholdSummary,
    InvalidProblem,
    NoticeOut,
    OfficeRef,
    Problem,
    StaffRef,
    StepOut,
    StepState,
    TriggerOut,
)
from workflows.audit import reads
from workflows.casework import eligibility, notes, notices
from workflows.casework.intake import IntakeIn, open_case
from workflows.casework.worklist import CaseQuery, find_cases
from workflows.directory.accounts import staff_for_token
from workflows.engine import Change, allowed_triggers, transition
from workflows.engine.access import staff_may_see, visible_office_ids
from workflows.engine.errors import CaseNotFound, GuardFailed, InvalidInput
from workflows.engine.facts import CaseFacts
from workflows.move_in import STEPS, step_label
from workflows.move_in.states import (
    CASE_STATE_LABELS,
    OPEN_STEP_STATES,
    STEP_STATE_LABELS,
    CaseState,
    StepKind,
)

Handler = Callable[[Request], Coroutine[Any, Any, Response]]


def _invalid(errors: dict[str, str], detail: str = "Eingaben ungültig.") -> JSONResponse:
    body = InvalidProblem(detail=detail, errors=errors).model_dump()
    return JSONResponse(body, status_code=422)


def _query_names(dependant: Dependant) -> set[str]:
    """The query parameters an operation declares, its dependencies' included."""
    names = {param.alias for param in dependant.query_params}
    for dependency in dependant.dependencies:
        names |= _query_names(dependency)
    return names


class ApiRoute(APIRoute):
    """Request validation errors answer like every other invalid input: detail and errors."""

    def get_route_handler(self) -> Handler:
        handler = super().get_route_handler()
        # A misspelt filter would otherwise be ignored and answer with every case.
        known = _query_names(self.dependant)

        async def handle(request: Request) -> Response:
            unknown = sorted(set(request.query_params) - known)
            if unknown:
                detail = f"Unbekannter Parameter: {', '.join(unknown)[:100]}."
                return JSONResponse({"detail": detail}, status_code=400)
            try:
                return await handler(request)
            except RequestValidationError as exc:
                if validation.in_path(exc.errors()):  # no case can have that number
                    return JSONResponse({"detail": "Nicht gefunden."}, status_code=404)
                return _invalid(validation.by_field(exc.errors()))

        return handle


bearer = HTTPBearer(
    auto_error=False,
    scheme_name="Token",
    description="Persönliches API-Token: `willkommen staff token EMAIL`.",
)
UNAUTHORIZED = {"WWW-Authenticate": "Bearer"}


def api_staff(
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Staff:
    """The active staff member owning the bearer token, or 401."""
    if credentials is None:
        raise HTTPException(401, "Anmeldung erforderlich: Bearer-Token fehlt.", UNAUTHORIZED)
    staff = staff_for_token(session, credentials.credentials)
    if staff is None:
        detail = "Token ungültig oder widerrufen, oder das Konto ist deaktiviert."
        raise HTTPException(401, detail, {"WWW-Authenticate": 'Bearer error="invalid_token"'})
    if session.dirty:
        commit(session)  # when the token was last used (at most once a minute)
    session.info["actor_id"] = staff.id  # the audit trail's "who" (workflows.audit)
    return staff


def api_case_staff(staff: Annotated[Staff, Depends(api_staff)]) -> Staff:
    """Caseworkers and supervisors; administrators manage accounts, not cases (403)."""
    if staff.role not in (Role.CASEWORKER, Role.SUPERVISOR):
        raise HTTPException(403, "Dieses Konto arbeitet nicht mit Fällen.")
    return staff


ApiCaseStaff = Annotated[Staff, Depends(api_case_staff)]

AUTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": Problem, "description": "Kein, ein ungültiges oder widerrufenes Token."},
    403: {"model": Problem, "description": "Ein Konto, das nicht mit Fällen arbeitet."},
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "Kein Fall dieser Nummer in Ihren Büros."}
}

# Every operation can meet the edge checks (web/edge.py) and invalid input (per field).
EDGE_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "model": Problem,
        "description": "Anfrage fehlerhaft: Steuerzeichen (z. B. ein Null-Byte), kein UTF-8, "
        "ein Parameter doppelt angegeben oder einer, den die Operation nicht kennt.",
    },
    413: {"model": Problem, "description": "Anfrage größer als 256 KB."},
    422: {"model": InvalidProblem, "description": "Eingaben ungültig, je Feld."},
}
router = APIRouter(
    prefix="/api", route_class=ApiRoute, responses={**AUTH_RESPONSES, **EDGE_RESPONSES}
)


@router.post(
    "/households",
    tags=["Haushalte"],
    status_code=201,
    response_model=CaseCreated,
    responses={422: {"model": InvalidProblem, "description": "Eingaben ungültig, je Feld."}},
)
def create_household(
    intake: IntakeIn, staff: ApiCaseStaff, session: DbSession, response: Response
) -> Any:
    """Register a household that has just moved in and open its case.

    The office follows from the district; it must be one of yours. Steps that apply open with
    their deadlines. Answers with the new case and its address in `Location`.

    Rules the schema cannot express, each refused with 422 at its field: `moved_in_on` from
    five years ago to 60 days ahead; `expected_birth_on` within a year of today; birth dates
    not in the future and not before 1900; the district served by one of your offices;
    `assignee_id` and `sub_location_id` naming staff and a sub-location of that office.
    """
    try:
        case = open_case(session, intake, actor_id=staff.id)
    except InvalidInput as exc:
        session.rollback()  # nothing of the household is kept
        return _invalid(exc.errors, str(exc))
    commit(session)
    office = session.get(Office, case.office_id)
    open_steps = session.exec(
        select(CaseStep.kind).where(
            CaseStep.case_id == case.id, col(CaseStep.state).in_(OPEN_STEP_STATES)
        )
    ).all()
    response.headers["Location"] = f"/api/cases/{case.id}"
    return CaseCreated(
        id=case.id,  # type: ignore[arg-type]
        number=case.number,
        state=case.state,
        version=case.version,
        office=OfficeRef(id=case.office_id, name=office.name if office else ""),
        open_steps=sorted(open_steps, key=_step_order),
    )


@router.get("/cases", tags=["Fälle"], response_model=CaseList)
def list_cases(
    staff: ApiCaseStaff,
    session: DbSession,
    state: Annotated[
        CaseState | None, Query(description="Nur dieser Stand (sonst alle offenen).")
    ] = None,
    step: Annotated[
        StepKind | None, Query(description="Fälle, in denen dieser Schritt offen ist.")
    ] = None,
    overdue: Annotated[bool, Query(description="Nur Fälle mit überfälliger Frist.")] = False,
    assignee: Annotated[
        int | None, Query(ge=1, le=limits.MAX_ID, description="Zuständige Person (id).")
    ] = None,
    sub_location: Annotated[
        int | None, Query(ge=1, le=limits.MAX_ID, description="Außenstelle (id).")
    ] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=limits.SEARCH,
            pattern=limits.LINE_PATTERN,
            description="Familienname oder Fallnummer.",
        ),
    ] = None,
    page: Annotated[int, Query(ge=1, le=limits.MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 25,
) -> CaseList:
    """Your offices' cases, the most urgent first (next due date), filtered and paginated."""
    query = CaseQuery(
        office_ids=visible_office_ids(staff),
        state=state,
        step=step,
        overdue=overdue,
        assignee_id=assignee,
        sub_location_id=sub_location,
        search=q,
        page=page,
        per_page=per_page,
    )
    found = find_cases(session, query, utc_now())
    items = [
        CaseSummary(
            id=row.id,
            number=row.number,
            family_name=row.family_name,
            office=row.office_name,
            state=row.state,
            state_label=row.state_label,
            assignee=row.assignee_name,
            next_due_at=row.next_due_at,
            overdue=row.overdue,
            open_steps=row.open_steps,
        )
        for row in found.rows
    ]
    return CaseList(
        items=items, total=found.total, page=found.page, per_page=found.per_page, pages=found.pages
    )


@router.get("/cases/{case_id}", tags=["Fälle"], response_model=CaseDetail, responses=NOT_FOUND)
def read_case(case_id: Id, staff: ApiCaseStaff, session: DbSession) -> CaseDetail:
    """One case: household summary, steps, the triggers offered now (and why some are refused),
    and the history. ``version`` is what to send as ``expected_version`` when advancing."""
    case = visible_case(session, staff, case_id)
    reads.record(session, staff.id, case_id, reads.Read.API)  # type: ignore[arg-type]
    return detail(session, case, utc_now(), reader=staff)


@router.get(
    "/cases/{case_id}/history", tags=["Fälle"], response_model=HistoryPage,
    responses={**NOT_FOUND, 422: {"model": InvalidProblem}},
)  # fmt: skip
def read_history(
    case_id: Id, staff: ApiCaseStaff, session: DbSession, before: OptionalIdQuery = None
) -> HistoryPage:
    """The case's history page by page, oldest first within a page: the newest 50 without
    ``before``; with it (``history_older`` of the case, ``older`` of a page), the 50 before."""
    case = visible_case(session, staff, case_id)
    reads.record(session, staff.id, case_id, reads.Read.HISTORY)  # type: ignore[arg-type]
    return history_page(session, case, before, staff)


@router.post(
    "/cases/{case_id}/advance",
    tags=["Fälle"],
    response_model=CaseAdvanced,
    responses={
        **NOT_FOUND,
        409: {"model": Problem, "description": "Nicht im aktuellen Stand, oder veraltet."},
        422: {
            "model": GuardProblem | InvalidProblem,
            "description": "Eine Bedingung ist nicht erfüllt, oder Eingaben sind ungültig.",
        },
    },
)
def advance_case(case_id: Id, body: AdvanceIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Apply a trigger (e.g. `schedule_welcome_visit` with `at`, `complete_registration`).

    With `expected_version` the change is refused (409) if the case changed since you read it.
    Answers compactly with what changed: the case's state and new version, its steps, and the
    history entries recorded (the trigger's and any automatic transition that followed); the
    whole case (household, notices, history, the triggers offered next) is
    `GET /api/cases/{case_id}`. The triggers a case offers now, and why the others are
    refused, are in `triggers` of `GET /api/cases/{case_id}`: an unknown or not offered
    trigger is a 409, a condition not met (a reason missing in `note`, an appointment not in the
    future, consent missing) a 422 naming the condition.
    """
    try:
        change = transition(
            session,
            case_id,
            body.trigger,
            actor_id=staff.id,
            note=body.note,
            at=body.at,
            on=body.on,
            happened_on=body.happened_on,
            confirm=body.confirm,
            partner_id=body.partner_id,
            message=body.message,
            expected_version=body.expected_version,
        )
    except GuardFailed as exc:
        session.rollback()
        problem = GuardProblem(
            detail=str(exc), trigger=exc.trigger, guard=exc.guard, reason=exc.reason
        )
        return JSONResponse(problem.model_dump(), status_code=422)
    commit(session)
    return advanced(change, utc_now(), staff)


# ---------------------------------------------------------------------------------------------
# Reading one case


def visible_case(session: Session, staff: Staff, case_id: Id) -> Case:
    """The case, if it belongs to one of the staff member's offices or is being handed over to
    one of them (read-only until accepted); otherwise not found."""
    case = session.get(Case, case_id, populate_existing=True)
    if case is None or not staff_may_see(staff, case):
        raise CaseNotFound(case_id)
    return case


def _step_order(kind: str) -> int:
    return list(STEPS).index(kind) if kind in STEPS else len(STEPS)


def detail(session: Session, case: Case, now: datetime, reader: Staff | None = None) -> CaseDetail:
    """The case as the API shows it to ``reader`` (confidential notes: only if they may)."""
    household = session.get(Household, case.household_id)
    office = session.get(Office, case.office_id)
    assert household is not None and office is not None  # foreign keys
    assignee = session.get(Staff, case.assignee_id) if case.assignee_id else None
    place = (
        session.get(SubLocation, household.sub_location_id) if household.sub_location_id else None
    )
    members = session.exec(
        select(func.count()).where(HouseholdMember.household_id == household.id)
    ).one()
    # One view of the case for the steps, what lapsed and the triggers: each row read once.
    facts = CaseFacts(
        session, case, actor_id=None, now=now, settings=get_settings(), household=household
    )
    steps = list(facts.steps.values())
    lapsed = {step.kind: eligibility.no_longer_applies(facts, step) for step in steps}
    history = history_page(session, case, None, reader)
    return CaseDetail(
        id=case.id,  # type: ignore[arg-type]
        number=case.number,
        state=case.state,
        state_label=CASE_STATE_LABELS.get(case.state, case.state),
        version=case.version,
        office=OfficeRef(id=office.id, name=office.name),  # type: ignore[arg-type]
        assignee=StaffRef(id=assignee.id, name=assignee.name) if assignee else None,  # type: ignore[arg-type]
        opened_at=case.opened_at,
        updated_at=case.updated_at,
        closed_at=case.closed_at,
        milestone_due_at=case.milestone_due_at,
        next_due_at=case.next_due_at,
        household=HouseholdSummary(
            family_name=household.family_name,
            district=household.district,
            postal_code=household.postal_code,
            moved_in_on=household.moved_in_on,
            languages=household.languages,
            contact_channels=household.contact_channels,
            members=members,
            sub_location=place.name if place else None,
        ),
        steps=[
            _step(step, now, lapsed.get(step.kind))
            for step in sorted(steps, key=lambda s: _step_order(s.kind))
        ],
        triggers=[
            TriggerOut(
                trigger=option.trigger,
                label=option.label,
                allowed=option.allowed,
                reason=option.reason,
                needs_input=list(option.needs_input),
            )
            for option in allowed_triggers(session, case.id, facts=facts)  # type: ignore[arg-type]
        ],
        notices=[
            NoticeOut(id=n.id, text=n.text, created_at=n.created_at)  # type: ignore[arg-type]
            for n in notices.open_notices(session, case.id)  # type: ignore[arg-type]
        ],
        history=history.entries,
        history_older=history.older,
    )


HISTORY_PAGE = 50


def history_page(
    session: Session, case: Case, before: int | None, reader: Staff | None, size: int = HISTORY_PAGE
) -> HistoryPage:
    """``size`` entries of the case's history before the entry ``before`` (None: the newest),
    oldest first, and where the page before them starts."""
    query = (
        select(CaseEvent, Staff.name)
        .outerjoin(Staff, col(Staff.id) == CaseEvent.actor_id)
        .where(CaseEvent.case_id == case.id)
    )
    if before is not None:
        start = session.get(CaseEvent, before)
        if start is None or start.case_id != case.id:
            raise InvalidInput({"before": "Diesen Eintrag gibt es im Verlauf des Falls nicht."})
        query = query.where(
            or_(
                col(CaseEvent.at) < start.at,
                and_(col(CaseEvent.at) == start.at, col(CaseEvent.id) < start.id),
            )
        )
    newest_first = query.order_by(col(CaseEvent.at).desc(), col(CaseEvent.id).desc())
    rows = session.exec(newest_first.limit(size + 1)).all()
    shown = list(reversed(rows[:size]))
    return HistoryPage(
        entries=[_event(event, name, case, reader) for event, name in shown],
        older=shown[0][0].id if len(rows) > size else None,
    )


def _event(event: CaseEvent, actor: str | None, case: Case, reader: Staff | None) -> EventOut:
    return EventOut(
        at=event.at,
        actor=StaffRef(id=event.actor_id, name=actor or "") if event.actor_id else None,
        trigger=event.trigger,
        step_kind=event.step_kind,
        from_state=event.from_state,
        to_state=event.to_state,
        note=notes.readable_note(event, reader, case.office_id),
        confidential=event.confidential,
    )


def advanced(change: Change, now: datetime, reader: Staff) -> CaseAdvanced:
    """What an advance changed, from what it wrote (nothing is read back): the case, its steps
    and the history entries recorded — the trigger's and any automatic transition's, all by
    ``reader`` (the system's own entries in a change are stamped with the change's actor)."""
    case = change.case
    return CaseAdvanced(
        id=case.id,  # type: ignore[arg-type]
        number=case.number,
        state=case.state,
        state_label=CASE_STATE_LABELS.get(case.state, case.state),
        version=case.version,
        updated_at=case.updated_at,
        milestone_due_at=case.milestone_due_at,
        next_due_at=case.next_due_at,
        steps=[
            StepState(**_step_state(step, now))
            for step in sorted(change.steps, key=lambda s: _step_order(s.kind))
        ],
        recorded=[
            _event(event, reader.name if event.actor_id == reader.id else None, case, reader)
            for event in change.recorded
        ],
    )


def _step_state(step: CaseStep, now: datetime) -> dict[str, Any]:
    is_open = step.state in OPEN_STEP_STATES
    return {
        "kind": step.kind,
        "label": step_label(step.kind),
        "state": step.state,
        "state_label": STEP_STATE_LABELS.get(step.state, step.state),
        "due_at": step.due_at,
        "overdue": is_open and step.due_at is not None and step.due_at < now,
        "closed_at": step.closed_at,
        "hold_until": step.hold_until,
    }


def _step(step: CaseStep, now: datetime, lapsed: str | None = None) -> StepOut:
    return StepOut(
        **_step_state(step, now),
        legal_deadline=step.legal_deadline,
        opened_at=step.opened_at,
        waive_reason=step.waive_reason,
        hold_reason=step.hold_reason,
        no_longer_applies=lapsed,
    )
