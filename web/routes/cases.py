"""The case list and the case page: caseworkers look cases up and advance them, on a tablet too.

Routes are thin doors: they parse the form, call the ``workflows`` service (every change of a
case goes through ``advance``), commit, and redirect (Post/Redirect/Get, 303). A refusal becomes
a message on the case page; another office's case is not found (404).
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select

from core.clock import berlin, utc_now
from core.config import get_settings
from core.db import commit
from models import Household, Staff
from models.enums import CHANNEL_LABELS, PARTNER_CATEGORY_LABELS, District, PartnerCategory, Role
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.params import Id
from web.routes.case_forms import (
    case_for,
    case_page,
    case_to_change,
    deadline,
    parse_day,
    parse_int,
    parse_local_time,
    place_choices,
)
from web.templating import render
from workflows.appointments import visits
from workflows.audit import reads
from workflows.casework import handover, track
from workflows.casework.notes import add_note
from workflows.casework.timeline import Cursor, timeline_page
from workflows.casework.worklist import CaseQuery, find_cases
from workflows.engine import advance
from workflows.engine.access import staff_may_work_on, visible_office_ids
from workflows.engine.definition import get_workflow
from workflows.engine.diagram import readable
from workflows.engine.errors import GuardFailed, InvalidInput, StaleCase, TransitionNotAllowed
from workflows.messaging import by_hand
from workflows.messaging.i18n import LANGUAGE_NAMES
from workflows.move_in import STEPS
from workflows.move_in.guards import VISIT_HELD
from workflows.move_in.states import CASE_STATE_LABELS
from workflows.privacy import erasure

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

FormText = Annotated[str, Form()]
CONTACT_LABELS = CHANNEL_LABELS
STALE_MESSAGE = (
    "Der Fall wurde inzwischen von jemand anderem geändert. Es wurde nichts gespeichert. "
    "Bitte prüfen Sie den aktuellen Stand unten und versuchen Sie es bei Bedarf erneut."
)
PER_PAGE = 25
# Short step names for the list's badges (the full name is their tooltip).
SHORT_STEP_LABELS = {
    "registration": "Anmeldung",
    "energy": "Strom/Gas",
    "school": "Schule",
    "kindergarten": "Kita",
    "transit_ticket": "ÖPNV-Ticket",
    "job_search": "Arbeit",
    "birth": "Geburt",
}


@dataclass(frozen=True)
class Filters:
    """The list's filters as typed in (for the form and the page links) and as understood."""

    step: str = ""
    state: str = ""
    overdue: bool = False
    assignee: int | None = None
    sub_location: int | None = None
    office: int | None = None
    q: str = ""
    notices: bool = False
    page: int = 1

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> "Filters":
        """Unknown values are ignored rather than refused: a list always answers."""
        step = params.get("step", "")
        state = params.get("state", "")
        return cls(
            step=step if step in STEPS else "",
            state=state if state in CASE_STATE_LABELS else "",
            overdue=params.get("overdue", "") in ("1", "on", "true"),
            assignee=parse_int(params.get("assignee")),
            sub_location=parse_int(params.get("sub_location")),
            office=parse_int(params.get("office")),
            q=params.get("q", "").strip()[:120],
            notices=params.get("notices", "") in ("1", "on", "true"),
            page=parse_int(params.get("page")) or 1,
        )

    def query(self, office_ids: list[int] | None) -> CaseQuery:
        if self.office is not None:  # narrows what may be seen, never widens it
            office_ids = [self.office] if office_ids is None or self.office in office_ids else []
        return CaseQuery(
            office_ids=office_ids,
            state=self.state or None,
            step=self.step or None,
            overdue=self.overdue,
            assignee_id=self.assignee,
            sub_location_id=self.sub_location,
            search=self.q or None,
            with_notices=self.notices,
            page=self.page,
            per_page=PER_PAGE,
        )

    def url(self, page: int | None = None) -> str:
        """The list's address with these filters (and another page)."""
        values = {
            "q": self.q,
            "state": self.state,
            "step": self.step,
            "overdue": "1" if self.overdue else "",
            "assignee": self.assignee or "",
            "sub_location": self.sub_location or "",
            "office": self.office or "",
            "notices": "1" if self.notices else "",
            "page": page if page and page > 1 else "",
        }
        query = urlencode({key: value for key, value in values.items() if value})
        return f"/cases?{query}" if query else "/cases"


def filter_choices(session: Session, office_ids: list[int] | None) -> dict[str, list]:
    """Who and where the list can be filtered by: staff and sub-locations of the offices seen."""
    people = select(Staff).where(
        col(Staff.active).is_(True), col(Staff.role).in_([Role.CASEWORKER, Role.SUPERVISOR])
    )
    if office_ids is not None:
        people = people.where(col(Staff.office_id).in_(office_ids))
    return {
        "assignees": list(session.exec(people.order_by(col(Staff.name)))),
        "sub_locations": place_choices(session, office_ids),
    }


def colleagues(session: Session, office_id: int) -> list[Staff]:
    """Who can take on a case of this office: its active caseworkers and supervisors."""
    query = select(Staff).where(
        Staff.office_id == office_id,
        col(Staff.active).is_(True),
        col(Staff.role).in_([Role.CASEWORKER, Role.SUPERVISOR]),
    )
    return list(session.exec(query.order_by(col(Staff.name))))


def _htmx_part(request: Request) -> bool:
    """An HTMX request that swaps a part (a history restore wants the whole page)."""
    headers = request.headers
    return headers.get("HX-Request") == "true" and not headers.get("HX-History-Restore-Request")


def _back(case_id: Id) -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


@router.get("/cases")
def case_list(request: Request, staff: CaseStaff, session: DbSession) -> Response:
    """The office's cases, most urgent first, filtered and searched; HTMX swaps the results."""
    filters = Filters.parse(request.query_params)
    office_ids = visible_office_ids(staff)
    now = utc_now()
    result = find_cases(session, filters.query(office_ids), now)
    context = {
        "staff": staff,
        "nav": "cases",
        "filters": filters,
        "result": result,
        # Calls to make and letters to print, per case shown (workflows.messaging.by_hand).
        "tasks": by_hand.counts(session, [row.id for row in result.rows]),
        "now": now,
        "deadline": deadline,
        "many_offices": office_ids is None or len(office_ids) > 1,
        "step_kinds": list(STEPS),
        "short_steps": SHORT_STEP_LABELS,
        **filter_choices(session, office_ids),
    }
    if _htmx_part(request):
        context["flashes"] = []  # keep them for the next whole page
        response = render(request, "cases/list.html", context, block="results")
    else:
        context["incoming"] = handover.transfers_to(session, office_ids)
        response = render(request, "cases/list.html", context)
    response.headers["Vary"] = "HX-Request"
    return response


@router.get("/cases/{case_id:int}")
def case_detail(request: Request, case_id: Id, staff: CaseStaff, session: DbSession) -> Response:
    """Everything about one case, and a button for every trigger allowed now."""
    case_for(session, staff, case_id)  # may they see it at all (404 otherwise)
    reads.record(session, staff.id, case_id, reads.Read.PAGE)  # type: ignore[arg-type]
    return show_case(request, staff, session, case_id)


def show_case(
    request: Request,
    staff: Staff,
    session: Session,
    case_id: int,
    *,
    visit_form: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    """The case page; ``visit_form``: a visit record typed in and refused, shown again with
    its messages (``trigger``, ``values``, ``errors``)."""
    case = case_for(session, staff, case_id)
    now = utc_now()
    page = case_page(session, case, now)
    if page.handover is not None:  # read-only for both offices until the handover is answered
        page.groups = []
    office = page.office
    context = {
        "read_only": page.handover is not None,
        "receiving": page.handover is not None
        and staff_may_work_on(staff, page.handover.office.id),  # type: ignore[arg-type]
        "may_reassign": handover.may_reassign(staff, case),
        "colleagues": colleagues(session, case.office_id),
        "receiving_staff": colleagues(session, page.handover.office.id) if page.handover else [],  # type: ignore[arg-type]
        "other_districts": [d for d in District if d not in office.districts],
        "staff": staff,
        "nav": "cases",
        "title": f"{case.number} · Familie {page.household.family_name}",
        "page": page,
        "case": case,
        "history": timeline_page(session, case_id, now, reader=staff),
        "track": track.track(
            session, case, page.workflow, page.steps, page.appointments, now, page.partners
        ),
        # The whole process for those who lead and run it; caseworkers follow the track.
        "diagram": readable(page.workflow.case, current=case.state)
        if staff.role in (Role.SUPERVISOR, Role.ADMIN)
        else None,
        "now": now,
        "now_local": berlin(now).strftime("%Y-%m-%dT%H:%M"),
        "today": berlin(now).date().isoformat(),
        "tomorrow": (berlin(now).date() + timedelta(days=1)).isoformat(),
        "deadline": deadline,
        "contact_labels": CONTACT_LABELS,
        "visit_triggers": VISIT_HELD,
        "visit_form": visit_form or {},
        "visits": visits.visits_of(session, case_id),
        "tasks": by_hand.with_scripts(session, by_hand.open_tasks(session, case_id=case_id)),
        "task_outcomes": by_hand.OUTCOMES,
        "languages": LANGUAGE_NAMES,
        "step_categories": {kind: s.partner_category for kind, s in STEPS.items()},
        "consented": [c.category for c in page.consents if c.in_force],
        "category_labels": PARTNER_CATEGORY_LABELS,
        "erasure_refused": erasure.why_not(session, page.household, now, get_settings())
        if staff.role == Role.SUPERVISOR
        else None,
    }
    return render(request, "cases/detail.html", context, status_code=status_code)


@router.get("/cases/{case_id:int}/verlauf")
def case_history(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession, vor: str = ""
) -> Response:
    """The next page of older timeline entries: HTMX appends it below the case page's
    timeline; without JavaScript it is a page of its own with a link to the page after it."""
    case = case_for(session, staff, case_id)
    if not vor:
        return RedirectResponse(f"/cases/{case_id}#verlauf", status_code=303)
    before = Cursor.parse(vor)  # InvalidCursor: 400
    reads.record(session, staff.id, case_id, reads.Read.HISTORY)  # type: ignore[arg-type]
    household = session.get(Household, case.household_id)
    family_name = household.family_name if household else ""
    context = {
        "staff": staff,
        "nav": "cases",
        "title": f"Ältere Einträge · {case.number} · Familie {family_name}",
        "case": case,
        "family_name": family_name,
        "before": before,
        "history": timeline_page(session, case_id, utc_now(), before=before, reader=staff),
    }
    if _htmx_part(request):
        context |= {"flashes": [], "appending": True}
        response = render(request, "cases/history.html", context, block="entries")
    else:
        response = render(request, "cases/history.html", context)
    response.headers["Vary"] = "HX-Request"
    return response


@router.post("/cases/{case_id:int}/advance")
def advance_case(
    request: Request,
    case_id: Id,
    staff: CaseStaff,
    session: DbSession,
    trigger: FormText = "",
    version: FormText = "",
    note: FormText = "",
    at: FormText = "",
    on: FormText = "",
    happened_on: FormText = "",
    partner_id: FormText = "",
    message: FormText = "",
) -> Response:
    """Apply one trigger through the engine; a refusal comes back as a message on the page."""
    case = case_to_change(session, staff, case_id)
    if not trigger.strip():
        flash(request, "Bitte eine Aktion wählen. Es wurde nichts geändert.", "error")
        return _back(case_id)
    workflow = get_workflow(case.workflow, case.workflow_version)
    if not workflow.is_known(trigger):  # never echo what was typed: it would land in the cookie
        flash(request, "Diese Aktion ist nicht möglich. Es wurde nichts geändert.", "error")
        return _back(case_id)
    label = workflow.label(trigger)
    try:
        moment = parse_local_time(at)
    except ValueError:
        flash(request, f"„{label}“: Datum und Uhrzeit sind ungültig.", "error")
        return _back(case_id)
    try:
        day, happened = parse_day(on), parse_day(happened_on)
    except ValueError:
        flash(request, f"„{label}“: Das Datum ist ungültig.", "error")
        return _back(case_id)
    try:
        advance(
            session,
            case_id,
            trigger,
            actor_id=staff.id,
            note=note.strip() or None,
            at=moment,
            on=day,
            happened_on=happened,
            partner_id=parse_int(partner_id),
            message=message.strip() or None,
            expected_version=parse_int(version),
        )
    except StaleCase:
        flash(request, STALE_MESSAGE, "error")
        return _back(case_id)
    except TransitionNotAllowed:
        flash(request, f"„{label}“ ist im aktuellen Zustand des Falls nicht möglich.", "error")
        return _back(case_id)
    except GuardFailed as exc:
        flash(request, f"„{label}“ nicht möglich: {exc.reason}", "error")
        return _back(case_id)
    except InvalidInput as exc:
        flash(request, f"„{label}“ nicht gespeichert: {'; '.join(exc.errors.values())}", "error")
        return _back(case_id)
    commit(session)
    flash(request, f"Gespeichert: {label}.", "success")
    return _back(case_id)


@router.post("/cases/{case_id:int}/notes")
def add_case_note(
    request: Request,
    case_id: Id,
    staff: CaseStaff,
    session: DbSession,
    note: FormText = "",
    confidential: FormText = "",
) -> Response:
    """Write a note into the case's history; ticked confidential, only its author and the
    office's supervisors read it."""
    case_to_change(session, staff, case_id)
    try:
        add_note(session, case_id, note, actor_id=_id(staff), confidential=bool(confidential))
    except InvalidInput as exc:
        flash(request, exc.errors.get("note", str(exc)), "error")
        return _back(case_id)
    commit(session)
    flash(request, "Notiz gespeichert.", "success")
    return _back(case_id)


def _category(value: str) -> PartnerCategory | None:
    return PartnerCategory(value) if value in PartnerCategory._value2member_map_ else None


def _id(staff: Staff) -> int:
    assert staff.id is not None  # a signed-in staff member is a stored row
    return staff.id
