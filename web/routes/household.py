"""The household page of a case: address, contact, ranked languages and members, edited.

Each form saves through ``workflows.casework.household`` (one change of the case: history,
version, steps looked at again). Invalid input shows the page again with a message at each field
and saves nothing; a change made meanwhile by someone else is refused (the form's version).
What the look at the steps found (a step opened, one that no longer applies) is said after the
redirect and waits as a notice on the case page.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session
from starlette.datastructures import FormData

from core.clock import utc_now
from core.config import get_settings
from core.db import commit
from models import Case, Household, Office, Staff
from models.enums import District
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession, flash
from web.params import Id
from web.routes.case_forms import case_to_change, parse_int, place_choices
from web.routes.intake import (
    CONTACT_CHANNELS,
    LANGUAGES,
    MEMBER_FLAGS,
    MEMBER_TEXT,
    language_form,
    languages_entered,
    messages_in,
)
from web.templating import render
from workflows.audit import reads
from workflows.casework import fields, notices
from workflows.casework import household as edits
from workflows.casework.eligibility import Found
from workflows.casework.intake import MemberIn
from workflows.engine.errors import InvalidInput, NotFound, StaleCase
from workflows.messaging import channels as message_channels
from workflows.messaging import i18n
from workflows.move_in import step_label

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

STALE = (
    "Der Fall wurde inzwischen von jemand anderem geändert. Es wurde nichts gespeichert. "
    "Bitte prüfen Sie den aktuellen Stand und versuchen Sie es erneut."
)
HOUSEHOLD_FIELDS = (
    "family_name", "street", "postal_code", "district", "sub_location_id", "moved_in_on",
    "email", "phone", "helper_name", "helper_phone", "helper_email", "expected_birth_on",
)  # fmt: skip
OPTIONAL = (
    "sub_location_id", "email", "phone", "helper_name", "helper_phone", "helper_email",
    "expected_birth_on",
)  # fmt: skip


async def _read_form(request: Request) -> FormData:
    return await request.form()  # cached by Starlette: the CSRF check has read it already


Form = Annotated[FormData, Depends(_read_form)]


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value.strip()[:500] if isinstance(value, str) else ""


def _texts(form: FormData, key: str) -> list[str]:
    return [v.strip()[:50] for v in form.getlist(key) if isinstance(v, str) and v.strip()][:20]


def _household_data(form: FormData) -> dict[str, Any]:
    # Every field: an emptied required one is refused at its field, an optional one emptied.
    data: dict[str, Any] = {}
    for name in HOUSEHOLD_FIELDS:
        value = _text(form, name)
        data[name] = None if name in OPTIONAL and not value else value
    data["languages"] = languages_entered(form)
    data["contact_channels"] = [
        c for c in _texts(form, "contact_channels") if c in CONTACT_CHANNELS
    ]
    return data


def _member_data(form: FormData) -> dict[str, Any]:
    """Every field of the member form (an emptied one is refused, not ignored)."""
    data: dict[str, Any] = {name: _text(form, name) for name in MEMBER_TEXT}
    return data | {name: _text(form, name) != "" for name in MEMBER_FLAGS}


def _found_message(found: Found) -> str:
    parts = []
    if found.opened:
        parts.append("Geöffnet: " + ", ".join(step_label(k) for k in found.opened))
    if found.offered:
        parts.append("Kommt jetzt in Frage: " + ", ".join(step_label(k) for k in found.offered))
    if found.flagged:
        parts.append("Trifft nicht mehr zu: " + ", ".join(step_label(k) for k in found.flagged))
    return (" " + ". ".join(parts) + " – siehe Hinweise.") if parts else ""


def _page(
    request: Request,
    staff: Staff,
    session: Session,
    case: Case,
    *,
    entered: dict[str, Any] | None = None,
    failed: str = "",
    errors: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    household = session.get(Household, case.household_id)
    office = session.get(Office, case.office_id)
    assert household is not None and office is not None
    members = edits.members_of(session, household.id)  # type: ignore[arg-type]
    values: dict[str, Any] = {
        name: "" if getattr(household, name) is None else str(getattr(household, name))
        for name in HOUSEHOLD_FIELDS
    }
    languages, channels = household.languages, household.contact_channels
    if failed == "household" and entered is not None:
        values = {
            name: "" if entered.get(name) is None else str(entered[name])
            for name in HOUSEHOLD_FIELDS
        }
        languages, channels = entered["languages"], entered["contact_channels"]
    context = {
        "staff": staff,
        "nav": "cases",
        "title": f"Haushalt bearbeiten · {case.number} · Familie {household.family_name}",
        "case": case,
        "household": household,
        "values": values,
        "language_choice": language_form(languages),
        "messages_in": messages_in(household.languages),
        "channels": channels,
        "channel_notes": _channel_notes(household),
        "members": members,
        "entered": entered or {},
        "failed": failed,
        "errors": errors or {},
        "districts": [d for d in District if d in office.districts],
        "sub_locations": place_choices(session, [office.id]),  # type: ignore[list-item]
        "languages": LANGUAGES,
        "supported": ", ".join(LANGUAGES[c] for c in i18n.SUPPORTED if c in LANGUAGES),
        "contact_channels": CONTACT_CHANNELS,
        "member_text": MEMBER_TEXT,
        "member_flags": MEMBER_FLAGS,
        "today": fields.today().isoformat(),  # the office's calendar day (Berlin)
    }
    return render(request, "cases/household.html", context, status_code=status_code)


def _channel_notes(household: Household) -> list[str]:
    """The household's channels that cannot carry messages now, and why (they are skipped)."""
    settings, now = get_settings(), utc_now()
    notes = []
    for channel in household.contact_channels:
        reason = message_channels.why_not(channel, household, "", None, now, settings)
        if reason is not None:
            notes.append(f"{message_channels.label(channel)}: {reason} – wird übersprungen.")
    return notes


def _back(case_id: int, anchor: str = "") -> RedirectResponse:
    return RedirectResponse(f"/cases/{case_id}/haushalt{anchor}", status_code=303)


@router.get("/cases/{case_id:int}/haushalt")
def household_page(request: Request, case_id: Id, staff: CaseStaff, session: DbSession) -> Response:
    """The household's data and members, each editable."""
    case = case_to_change(session, staff, case_id)
    reads.record(session, staff.id, case_id, reads.Read.HOUSEHOLD)  # type: ignore[arg-type]
    return _page(request, staff, session, case)


def _saved(
    request: Request, session: Session, case_id: int, what: str, found: Found
) -> RedirectResponse:
    commit(session)
    flash(request, f"{what}.{_found_message(found)}", "success")
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _refused(
    request: Request, session: Session, staff: Staff, case_id: int, exc: Exception,
    entered: dict[str, Any], failed: str,
) -> Response:  # fmt: skip
    session.rollback()
    case = case_to_change(session, staff, case_id)
    if isinstance(exc, StaleCase):
        flash(request, STALE, "error")
        return _back(case_id)
    errors = exc.errors if isinstance(exc, InvalidInput) else {"form": str(exc)}
    return _page(request, staff, session, case, entered=entered, failed=failed, errors=errors,
                 status_code=422)  # fmt: skip


@router.post("/cases/{case_id:int}/haushalt")
def save_household(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession, form: Form
) -> Response:
    case_to_change(session, staff, case_id)
    entered = _household_data(form)
    try:
        edit = edits.parse(edits.HouseholdEdit, entered)
        found = edits.edit_household(
            session, case_id, edit, actor_id=staff.id,
            expected_version=parse_int(_text(form, "version")),
        )  # fmt: skip
    except (InvalidInput, StaleCase) as exc:
        return _refused(request, session, staff, case_id, exc, entered, "household")
    return _saved(request, session, case_id, "Haushalt gespeichert", found)


@router.post("/cases/{case_id:int}/mitglieder")
def add_member(
    request: Request, case_id: Id, staff: CaseStaff, session: DbSession, form: Form
) -> Response:
    case_to_change(session, staff, case_id)
    entered = _member_data(form)
    try:
        new = edits.parse(MemberIn, entered)
        _member, found = edits.add_member(
            session, case_id, new, actor_id=staff.id,
            expected_version=parse_int(_text(form, "version")),
        )  # fmt: skip
    except (InvalidInput, StaleCase) as exc:
        return _refused(request, session, staff, case_id, exc, entered, "new-member")
    return _saved(request, session, case_id, "Person hinzugefügt", found)


@router.post("/cases/{case_id:int}/mitglieder/{member_id:int}")
def save_member(
    request: Request, case_id: Id, member_id: Id, staff: CaseStaff, session: DbSession, form: Form
) -> Response:
    case_to_change(session, staff, case_id)
    entered = _member_data(form)
    try:
        change = edits.parse(edits.MemberEdit, entered)
        found = edits.edit_member(
            session, case_id, member_id, change, actor_id=staff.id,
            expected_version=parse_int(_text(form, "version")),
        )  # fmt: skip
    except (InvalidInput, StaleCase) as exc:
        return _refused(request, session, staff, case_id, exc, entered, f"member-{member_id}")
    return _saved(request, session, case_id, "Person gespeichert", found)


@router.post("/cases/{case_id:int}/mitglieder/{member_id:int}/austragen")
def remove_member(
    request: Request, case_id: Id, member_id: Id, staff: CaseStaff, session: DbSession, form: Form
) -> Response:
    case_to_change(session, staff, case_id)
    entered = {"note": _text(form, "note")}
    try:
        found = edits.remove_member(
            session, case_id, member_id, reason=entered["note"], actor_id=staff.id,
            expected_version=parse_int(_text(form, "version")),
        )  # fmt: skip
    except (InvalidInput, StaleCase) as exc:
        return _refused(request, session, staff, case_id, exc, entered, f"remove-{member_id}")
    return _saved(request, session, case_id, "Person ausgetragen", found)


@router.post("/cases/{case_id:int}/hinweise/{notice_id:int}/erledigt")
def notice_done(
    request: Request, case_id: Id, notice_id: Id, staff: CaseStaff, session: DbSession
) -> Response:
    """Someone has looked at the notice: it leaves the lists."""
    case_to_change(session, staff, case_id)
    try:
        notices.mark_done(session, case_id, notice_id, actor_id=staff.id)  # type: ignore[arg-type]
    except NotFound:
        flash(request, "Dieser Hinweis ist nicht (mehr) vorhanden.", "error")
        return RedirectResponse(f"/cases/{case_id}", status_code=303)
    commit(session)
    flash(request, "Hinweis als erledigt markiert.", "success")
    return RedirectResponse(f"/cases/{case_id}#hinweise", status_code=303)
