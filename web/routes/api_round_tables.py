"""The JSON API for round tables: the office's meetings, one planned or changed (guests are
invited again when it moves), its guests and their invitations, minutes, decisions and
actions, and what becomes of an action (done, postponed, dropped, reopened: the round-table
action workflow) — the same services and rules as the pages. Another
office's meeting is 404; invalid input is 422 with a message per field.
"""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from core import limits
from core.db import commit
from models import RoundTable, Staff
from web.deps import DbSession
from web.params import Id
from web.routes.api import AUTH_RESPONSES, EDGE_RESPONSES, ApiCaseStaff, ApiRoute
from web.routes.api_consultations import NOT_FOUND
from workflows.engine.errors import NotFound
from workflows.roundtables import actions, invitations, items, meetings
from workflows.roundtables import minutes as printed_minutes
from workflows.roundtables.items import ItemIn
from workflows.roundtables.meetings import GuestIn, MeetingIn, MinutesIn

router = APIRouter(
    prefix="/api",
    tags=["Runde Tische"],
    route_class=ApiRoute,
    responses={**AUTH_RESPONSES, **EDGE_RESPONSES, **NOT_FOUND},
)


class GuestOut(BaseModel):
    id: int
    name: str
    email: str | None
    organisation: str | None
    invited: bool = Field(description="Sent the meeting as it is now.")


class ItemOut(BaseModel):
    id: int
    round_table_id: int
    kind: str
    text: str
    owner: str | None
    due_on: date | None
    state: str = Field(description="An action's state (open, done, dropped); a decision: open.")
    done_at: datetime | None
    overdue: bool


class MeetingOut(BaseModel):
    id: int
    office_id: int
    district: str
    title: str
    starts_at: datetime
    duration_minutes: int
    place: str
    agenda: list[str]
    minutes: str | None
    status: str
    sequence: int


class MeetingDetail(MeetingOut):
    guests: list[GuestOut]
    items: list[ItemOut]
    still_open: list[ItemOut] = Field(description="Earlier meetings' actions not done yet.")


class SentOut(BaseModel):
    queued: int = Field(description="Guests who will be sent the meeting as it is now.")


def _meeting_out(meeting: RoundTable) -> MeetingOut:
    return MeetingOut.model_validate(meeting, from_attributes=True)


def _item_out(entry: items.Item) -> ItemOut:
    i = entry.item
    return ItemOut(
        id=i.id, round_table_id=i.round_table_id, kind=i.kind, text=i.text, owner=entry.owner,
        due_on=i.due_on, state=i.state, done_at=i.done_at, overdue=entry.overdue,
    )  # type: ignore[arg-type]  # fmt: skip


def _detail(session: Session, meeting: RoundTable) -> MeetingDetail:
    guests = [
        GuestOut(
            id=g.guest.id,
            name=g.name,
            email=g.email,
            organisation=g.organisation,
            invited=g.guest.invited_sequence == meeting.sequence,
        )  # type: ignore[arg-type]  # fmt: skip
        for g in meetings.guests(session, meeting.id)  # type: ignore[arg-type]
    ]
    return MeetingDetail(
        **_meeting_out(meeting).model_dump(),
        guests=guests,
        items=[_item_out(e) for e in items.of_meeting(session, meeting.id)],  # type: ignore[arg-type]
        still_open=[_item_out(e) for e in items.still_open(session, meeting)],
    )


def _committed(session: Session, meeting: RoundTable) -> MeetingDetail:
    """The meeting as it now is, read before the commit ends the transaction."""
    answer = _detail(session, meeting)
    commit(session)
    return answer


def _office(staff: Staff) -> int:
    if staff.office_id is None:
        raise HTTPException(404, "Runde Tische gehören zu einem Büro.")
    return staff.office_id


def _get(session: Session, staff: Staff, meeting_id: int, for_update: bool = False) -> RoundTable:
    try:
        return meetings.get(session, staff, meeting_id, for_update=for_update)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None


@router.get("/round-tables", response_model=list[MeetingOut])
def list_meetings(staff: ApiCaseStaff, session: DbSession) -> Any:
    """The office's round tables, the latest first."""
    return [_meeting_out(m) for m in meetings.of_office(session, _office(staff))]


@router.post("/round-tables", status_code=201, response_model=MeetingDetail)
def plan(body: MeetingIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Plan a round table for a district the office serves."""
    meeting = meetings.plan(session, _office(staff), body, actor_id=staff.id)
    return _committed(session, meeting)


@router.get("/round-tables/{round_table_id}", response_model=MeetingDetail)
def read(round_table_id: Id, staff: ApiCaseStaff, session: DbSession) -> Any:
    return _detail(session, _get(session, staff, round_table_id))


@router.get(
    "/round-tables/{round_table_id}/minutes.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "Das Protokoll (PDF)."}},
)
def minutes_pdf(round_table_id: Id, staff: ApiCaseStaff, session: DbSession) -> Response:
    """The minutes as a PDF for the guests and the district council: guests, agenda, the
    district's obstacle figures (1–4 as "< 5"), minutes, decisions and actions; no household."""
    meeting = _get(session, staff, round_table_id)
    made = printed_minutes.gather(session, meeting)
    return Response(printed_minutes.pdf(made), media_type="application/pdf")


@router.put("/round-tables/{round_table_id}", response_model=MeetingDetail)
def change(round_table_id: Id, body: MeetingIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Change it; a new time or place goes to the guests invited before."""
    meeting = _get(session, staff, round_table_id, for_update=True)
    if meetings.change(session, meeting, body):
        invitations.send(session, meeting)
    return _committed(session, meeting)


@router.post("/round-tables/{round_table_id}/guests", status_code=201, response_model=MeetingDetail)
def add_guest(round_table_id: Id, body: GuestIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    meeting = _get(session, staff, round_table_id, for_update=True)
    meetings.add_guest(session, meeting, body)
    return _committed(session, meeting)


@router.delete("/round-tables/{round_table_id}/guests/{guest_id}", status_code=204)
def remove_guest(
    round_table_id: Id, guest_id: Id, staff: ApiCaseStaff, session: DbSession
) -> Response:
    meeting = _get(session, staff, round_table_id)
    meetings.remove_guest(session, meeting, guest_id)
    commit(session)
    return Response(status_code=204)


@router.post("/round-tables/{round_table_id}/invitations", response_model=SentOut)
def invite(round_table_id: Id, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Send the calendar invitation to every guest who has not had this version."""
    meeting = _get(session, staff, round_table_id, for_update=True)
    if meeting.status != meetings.PLANNED:
        raise HTTPException(409, "Nur zu einem geplanten Runden Tisch wird eingeladen.")
    queued = invitations.send(session, meeting)
    commit(session)
    return SentOut(queued=queued)


@router.post("/round-tables/{round_table_id}/cancel", response_model=SentOut)
def cancel(round_table_id: Id, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Call it off; the guests invited before get the cancellation."""
    meeting = _get(session, staff, round_table_id, for_update=True)
    meetings.cancel(session, meeting)
    queued = invitations.send(session, meeting)
    commit(session)
    return SentOut(queued=queued)


@router.put("/round-tables/{round_table_id}/minutes", response_model=MeetingDetail)
def minutes(round_table_id: Id, body: MinutesIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    meeting = _get(session, staff, round_table_id, for_update=True)
    meetings.record_minutes(session, meeting, body)
    return _committed(session, meeting)


@router.post("/round-tables/{round_table_id}/items", status_code=201, response_model=ItemOut)
def add_item(round_table_id: Id, body: ItemIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """A decision, or an action with its owner and date."""
    meeting = _get(session, staff, round_table_id)
    made = items.add(session, meeting, body)
    (answer,) = [
        _item_out(e) for e in items.of_meeting(session, round_table_id) if e.item.id == made.id
    ]
    commit(session)
    return answer


@router.post("/round-table-items/{item_id}/done", response_model=ItemOut)
def item_done(item_id: Id, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Mark an action of one of the office's round tables done."""
    ids = [m.id for m in meetings.of_office(session, _office(staff)) if m.id is not None]
    made = actions.done(session, ids, item_id, actor_id=staff.id)
    (answer,) = [
        _item_out(e) for e in items.of_meeting(session, made.round_table_id) if e.item.id == item_id
    ]
    commit(session)
    return answer


class ActionChangeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    trigger: Literal["complete", "postpone", "drop", "reopen"] = Field(
        description="As the round-table action workflow names it."
    )
    note: Annotated[str, Field(max_length=500, pattern=limits.LINE_PATTERN)] | None = Field(
        default=None, description="Why (dropping and reopening need one)."
    )
    on: date | None = Field(default=None, description="The new date of a postponed action.")


@router.post("/round-table-items/{item_id}/changes", response_model=ItemOut)
def change_item(item_id: Id, body: ActionChangeIn, staff: ApiCaseStaff, session: DbSession) -> Any:
    """Complete, postpone, drop or reopen an action of one of the office's round tables, as
    its workflow allows (a reason to drop or reopen, a later date to postpone)."""
    ids = [m.id for m in meetings.of_office(session, _office(staff)) if m.id is not None]
    made = actions.act(
        session, ids, item_id, body.trigger, actor_id=staff.id, note=body.note, on=body.on
    )
    (answer,) = [
        _item_out(e) for e in items.of_meeting(session, made.round_table_id) if e.item.id == item_id
    ]
    commit(session)
    return answer
