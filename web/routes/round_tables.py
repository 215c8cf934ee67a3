"""Round tables in the staff pages: the office's meetings, one planned for a district it
serves, and each meeting's page — agenda (with the district's obstacles to draw on), guests
and their invitations, minutes, decisions and actions, and the actions earlier meetings left
open. Another office's meeting is not found (404); every change answers with a redirect and
a message (PRG), refused input with its reason and nothing saved.
"""

from datetime import date, datetime
from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session, col, select
from starlette.datastructures import FormData

from core.clock import BERLIN, berlin, utc_now
from models import Office, PartnerContact, RoundTable, RoundTableItem, Staff
from models.enums import Role
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.outcome import done, refused
from web.params import Id
from web.routes.case_forms import form_text, parse_int
from web.templating import render
from workflows.casework.household import parse
from workflows.engine.errors import InvalidInput, NotFound
from workflows.roundtables import actions, invitations, items, meetings
from workflows.roundtables import minutes as printed_minutes
from workflows.roundtables.items import ItemIn
from workflows.roundtables.meetings import STATUS_LABELS, GuestIn, MeetingIn, MinutesIn

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _office(staff: Staff) -> int:
    if staff.office_id is None:
        raise HTTPException(status_code=404)
    return staff.office_id


def _moment(day: str, clock: str) -> str:
    """The form's local date and time as an aware moment (ISO), or the raw text to refuse."""
    try:
        local = datetime.fromisoformat(f"{day[:10]}T{clock[:5]}").replace(tzinfo=BERLIN)
    except ValueError:
        return f"{day} {clock}".strip()
    return local.isoformat()


def _meeting_data(form: FormData) -> dict[str, Any]:
    agenda = [
        line.strip()[:200] for line in form_text(form, "agenda", 6000).splitlines() if line.strip()
    ]
    return {
        "district": form_text(form, "district", 40),
        "title": form_text(form, "title", 200),
        "place": form_text(form, "place", 200),
        "starts_at": _moment(form_text(form, "day", 10), form_text(form, "time", 5)),
        "duration_minutes": parse_int(form_text(form, "duration_minutes", 4)) or 120,
        "agenda": agenda,
    }


def _context(staff: Staff, title: str, **values: Any) -> dict[str, Any]:
    return {
        "staff": staff,
        "nav": "network",
        "title": title,
        "status_labels": STATUS_LABELS,
        "errors": {},
        **values,
    }


def _meeting(
    session: Session, staff: Staff, meeting_id: int, for_update: bool = False
) -> RoundTable:
    try:
        return meetings.get(session, staff, meeting_id, for_update=for_update)
    except NotFound:
        raise HTTPException(status_code=404) from None


@router.get("/runde-tische")
def overview(request: Request, staff: CaseStaff, session: DbSession) -> Response:
    office_id = _office(staff)
    office = session.get(Office, office_id)
    context = _context(
        staff,
        "Runde Tische",
        meetings=meetings.of_office(session, office_id),
        districts=office.districts if office else [],
        entered={},
        now=utc_now(),
    )
    return render(request, "round_tables/overview.html", context)


@router.post("/runde-tische")
async def plan(request: Request, staff: CaseStaff, session: DbSession) -> Response:
    office_id = _office(staff)
    form = await request.form()
    data = _meeting_data(form)
    try:
        meeting = meetings.plan(session, office_id, parse(MeetingIn, data), actor_id=staff.id)
    except InvalidInput as exc:
        session.rollback()
        office = session.get(Office, office_id)
        entered = {
            key: form_text(form, key, 6000)
            for key in ("district", "title", "place", "day", "time", "agenda")
        }
        context = _context(
            staff,
            "Runde Tische",
            meetings=meetings.of_office(session, office_id),
            districts=office.districts if office else [],
            entered=entered,
            errors=exc.errors,
            now=utc_now(),
        )
        return render(request, "round_tables/overview.html", context, status_code=422)
    return done(
        request,
        session,
        "Runder Tisch geplant: Gäste eintragen und einladen.",
        f"/runde-tische/{meeting.id}",
    )


def _url(meeting_id: int) -> str:
    return f"/runde-tische/{meeting_id}"


@router.get("/runde-tische/{meeting_id:int}")
def meeting_page(
    request: Request, meeting_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    meeting = _meeting(session, staff, meeting_id)
    office = session.get(Office, meeting.office_id)
    colleagues = session.exec(
        select(Staff)
        .where(
            Staff.office_id == meeting.office_id,
            col(Staff.active).is_(True),
            Staff.role != Role.ADMIN,
        )
        .order_by(col(Staff.name))
    ).all()
    people = session.exec(
        select(PartnerContact)
        .where(col(PartnerContact.email).is_not(None))
        .order_by(col(PartnerContact.name))
    ).all()
    local = berlin(meeting.starts_at)
    listed = items.of_meeting(session, meeting_id)
    earlier = items.still_open(session, meeting)
    context = _context(
        staff,
        meeting.title,
        meeting=meeting,
        local=local,
        districts=office.districts if office else [],
        guests=meetings.guests(session, meeting_id),
        waiting=len(invitations.due(session, meeting)),
        items=listed,
        still_open=earlier,
        action_states=actions.CURRENT.lifecycle.labels,
        action_options={e.item.id: actions.options(e.item, e.meeting) for e in (*listed, *earlier)},
        changes=_changes(session, [e.item for e in (*listed, *earlier)]),
        obstacles=meetings.obstacle_agenda(session, meeting),
        colleagues=colleagues,
        people=people,
        now=utc_now(),
    )
    return render(request, "round_tables/meeting.html", context)


def _changes(session: Session, shown: list[RoundTableItem]) -> dict[int, list[str]]:
    """Per action, its changes in words: "12.11.2026, Jonas Albers: verworfen (mit Grund) –
    Die Kita hat selbst eingeladen"."""
    by_id = {item.id: item for item in shown if item.id is not None}
    found = actions.history(session, list(by_id))
    actors = {e.actor_id for events in found.values() for e in events if e.actor_id}
    names: dict[int, str] = {}
    if actors:
        query = select(Staff.id, Staff.name).where(col(Staff.id).in_(actors))
        names = {int(staff_id): name for staff_id, name in session.exec(query)}  # type: ignore[arg-type]
    lines: dict[int, list[str]] = {}
    for item_id, events in found.items():
        for e in events:
            words = f"{berlin(e.at).strftime('%d.%m.%Y')}, {names.get(e.actor_id or 0, 'System')}: "
            words += actions.workflow_of(by_id[item_id]).label(e.trigger)  # its version's words
            if e.due_on is not None:
                words += f" auf {e.due_on.strftime('%d.%m.%Y')}"
            if e.note:
                words += f" – {e.note}"
            lines.setdefault(item_id, []).append(words)
    return lines


@router.get("/runde-tische/{meeting_id:int}/protokoll.pdf")
def minutes_pdf(meeting_id: Id, staff: CaseStaff, session: DbSession) -> Response:
    """The minutes to hand to the guests and the district council (PDF, no household)."""
    meeting = _meeting(session, staff, meeting_id)
    content = printed_minutes.pdf(printed_minutes.gather(session, meeting))
    name = f"protokoll-runder-tisch-{berlin(meeting.starts_at):%Y-%m-%d}.pdf"
    headers = {"Content-Disposition": f'inline; filename="{name}"'}
    return Response(content, media_type="application/pdf", headers=headers)


@router.post("/runde-tische/{meeting_id:int}")
async def change(
    request: Request, meeting_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    meeting = _meeting(session, staff, meeting_id, for_update=True)
    form = await request.form()
    try:
        moved = meetings.change(session, meeting, parse(MeetingIn, _meeting_data(form)))
    except InvalidInput as exc:
        return refused(request, session, "Nicht geändert", exc, _url(meeting_id))
    told = invitations.send(session, meeting) if moved else 0
    heard = f" {told} Gäste erhalten die neue Zeit." if told else ""
    return done(request, session, f"Geändert.{heard}", _url(meeting_id))


@router.post("/runde-tische/{meeting_id:int}/gaeste")
async def add_guest(
    request: Request, meeting_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    meeting = _meeting(session, staff, meeting_id, for_update=True)
    form = await request.form()
    data: dict[str, Any] = {}
    if staff_id := parse_int(form_text(form, "staff_id", 12)):
        data["staff_id"] = staff_id
    if contact_id := parse_int(form_text(form, "contact_id", 12)):
        data["contact_id"] = contact_id
    for key, limit in (("name", 120), ("email", 200), ("organisation", 120)):
        if value := form_text(form, key, limit):
            data[key] = value
    try:
        meetings.add_guest(session, meeting, parse(GuestIn, data))
    except InvalidInput as exc:
        return refused(request, session, "Nicht eingetragen", exc, _url(meeting_id))
    return done(request, session, "Gast eingetragen.", _url(meeting_id))


@router.post("/runde-tische/{meeting_id:int}/gaeste/{guest_id:int}/entfernen")
def remove_guest(
    request: Request, meeting_id: Id, guest_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    meeting = _meeting(session, staff, meeting_id)
    try:
        meetings.remove_guest(session, meeting, guest_id)
    except NotFound:
        raise HTTPException(status_code=404) from None
    return done(request, session, "Gast ausgetragen.", _url(meeting_id))


@router.post("/runde-tische/{meeting_id:int}/einladen")
def invite(request: Request, meeting_id: Id, staff: CaseStaff, session: DbSession) -> Response:
    meeting = _meeting(session, staff, meeting_id, for_update=True)
    if meeting.status != meetings.PLANNED:
        flash(request, "Nur zu einem geplanten Runden Tisch wird eingeladen.", "error")
        return RedirectResponse(_url(meeting_id), status_code=303)
    told = invitations.send(session, meeting)
    word = f"{told} Einladungen gehen hinaus (mit Kalendereintrag)." if told else ""
    return done(request, session, word or "Alle Gäste sind schon eingeladen.", _url(meeting_id))


@router.post("/runde-tische/{meeting_id:int}/absagen")
def cancel(request: Request, meeting_id: Id, staff: CaseStaff, session: DbSession) -> Response:
    meeting = _meeting(session, staff, meeting_id, for_update=True)
    try:
        meetings.cancel(session, meeting)
    except InvalidInput as exc:
        return refused(request, session, "Nicht abgesagt", exc, _url(meeting_id))
    told = invitations.send(session, meeting)
    return done(
        request,
        session,
        f"Abgesagt. {told} eingeladene Gäste erhalten die Absage.",
        _url(meeting_id),
    )


@router.post("/runde-tische/{meeting_id:int}/protokoll")
async def minutes(
    request: Request, meeting_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    meeting = _meeting(session, staff, meeting_id, for_update=True)
    form = await request.form()
    try:
        meetings.record_minutes(
            session, meeting, parse(MinutesIn, {"minutes": form_text(form, "minutes", 8000)})
        )
    except InvalidInput as exc:
        return refused(request, session, "Nicht gespeichert", exc, _url(meeting_id))
    return done(request, session, "Protokoll gespeichert.", _url(meeting_id))


@router.post("/runde-tische/{meeting_id:int}/punkte")
async def add_item(
    request: Request, meeting_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    meeting = _meeting(session, staff, meeting_id)
    form = await request.form()
    owner = form_text(form, "owner", 20)  # "staff:3" or "contact:7"
    kind_of_owner, _colon, number = owner.partition(":")
    data: dict[str, Any] = {
        "kind": form_text(form, "kind", 20),
        "text": form_text(form, "text", 500),
    }
    if kind_of_owner == "staff" and parse_int(number):
        data["owner_staff_id"] = parse_int(number)
    elif kind_of_owner == "contact" and parse_int(number):
        data["owner_contact_id"] = parse_int(number)
    if due := form_text(form, "due_on", 10):
        data["due_on"] = due
    try:
        items.add(session, meeting, parse(ItemIn, data))
    except InvalidInput as exc:
        return refused(request, session, "Nicht eingetragen", exc, _url(meeting_id))
    return done(request, session, "Eingetragen.", _url(meeting_id))


@router.post("/runde-tische/{meeting_id:int}/punkte/{item_id:int}/aendern")
async def change_item(
    request: Request, meeting_id: Id, item_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    """Complete, postpone, drop or reopen an action, as its workflow allows."""
    meeting = _meeting(session, staff, meeting_id)
    office_meetings = [
        m.id for m in meetings.of_office(session, meeting.office_id) if m.id is not None
    ]
    form = await request.form()
    trigger = form_text(form, "trigger", 40)
    raw_on = form_text(form, "on", 10)
    try:
        on = date.fromisoformat(raw_on) if raw_on else None
    except ValueError:
        return refused(
            request, session, "Nicht geändert", InvalidInput({"on": "Kein gültiges Datum."}),
            _url(meeting_id),
        )  # fmt: skip
    try:
        made = actions.act(
            session, office_meetings, item_id, trigger, actor_id=staff.id,
            note=form_text(form, "note", 600) or None, on=on,
        )  # fmt: skip
    except items.ItemNotFound:
        raise HTTPException(status_code=404) from None
    except InvalidInput as exc:
        return refused(request, session, "Nicht geändert", exc, _url(meeting_id))
    message = f"Aufgabe {actions.CURRENT.state_label(made.state)}"
    if trigger == "postpone" and made.due_on is not None:
        message += f", neues Datum {made.due_on.strftime('%d.%m.%Y')}"
    return done(request, session, f"{message}.", _url(meeting_id))
