"""The JSON API for "Meine Termine": a staff member's home visits and consultation duties over
some days, and their private calendar address (made, shown once, revoked) — the same services
and rules as the pages. A colleague's agenda is for a supervisor of their office; anyone
else's is 404.
"""

from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Query, Response
from pydantic import BaseModel, Field

from core.clock import berlin, utc_now
from core.config import get_settings
from core.db import commit
from web.deps import DbSession
from web.routes.api import AUTH_RESPONSES, EDGE_RESPONSES, ApiCaseStaff, ApiRoute
from web.schemas import Problem
from workflows.agenda import days, feed
from workflows.agenda.days import Duty, Visit
from workflows.audit import reads
from workflows.casework.fields import Day, Id
from workflows.engine.errors import NotFound

router = APIRouter(
    prefix="/api",
    tags=["Meine Termine"],
    route_class=ApiRoute,
    responses={**AUTH_RESPONSES, **EDGE_RESPONSES},
)


class EntryOut(BaseModel):
    kind: Literal["visit", "duty"]
    starts_at: datetime
    ends_at: datetime
    title: str = Field(description="Willkommensbesuch, Nachbesuch, or the consultation place.")
    address: str
    case_id: int | None = Field(description="A visit's case.")
    appointment_id: int | None
    done: bool = Field(description="A visit already recorded.")
    family_name: str | None
    languages: list[str] = Field(
        description="A visit: the household's; a duty: of the households booked."
    )
    phone: str | None
    hour_id: int | None = Field(description="A duty's consultation hour.")
    booked: int | None = Field(description="A duty: households booked.")
    called_off: str | None = Field(description="A duty not held that day: why.")


class DayOut(BaseModel):
    date: date
    entries: list[EntryOut]


class FeedOut(BaseModel):
    url: str = Field(description="Shown only now; the address before it no longer works.")


def _entry(item: Visit | Duty) -> EntryOut:
    if isinstance(item, Visit):
        return EntryOut(
            kind="visit", starts_at=item.starts_at, ends_at=item.ends_at, title=item.title,
            address=item.address, case_id=item.case_id, appointment_id=item.appointment.id,
            done=item.done, family_name=item.family_name, languages=item.languages,
            phone=item.phone, hour_id=None, booked=None, called_off=None,
        )  # fmt: skip
    return EntryOut(
        kind="duty", starts_at=item.starts_at, ends_at=item.ends_at,
        title=f"Sprechstunde {item.place}", address=item.address, case_id=None,
        appointment_id=None, done=False, family_name=None, languages=item.languages, phone=None,
        hour_id=item.hour.id, booked=item.booked, called_off=item.closed,
    )  # fmt: skip


@router.get(
    "/agenda", response_model=list[DayOut],
    responses={404: {"model": Problem, "description": "Nicht gefunden (anderes Büro)."}},
)  # fmt: skip
def agenda(
    staff: ApiCaseStaff,
    session: DbSession,
    first: Annotated[Day | None, Query(alias="from", description="Default: today.")] = None,
    count: Annotated[int, Query(alias="days", ge=1, le=days.MAX_DAYS)] = 7,
    staff_id: Annotated[Id | None, Query(description="A colleague's (supervisors).")] = None,
) -> Any:
    """The visits and duties day by day, in time order."""
    try:
        person = days.whose(session, staff, staff_id)
    except NotFound as exc:
        raise HTTPException(404, str(exc)) from None
    start = first or berlin(utc_now()).date()
    found = days.agenda(session, person, start, start + timedelta(days=count - 1))
    if visited := sorted({v.case_id for day in found for v in day.visits}):
        reads.record(session, staff.id, visited, reads.Read.API)  # type: ignore[arg-type]
    return [DayOut(date=day.day, entries=[_entry(e) for e in day.entries]) for day in found]


@router.post("/calendar-feed", status_code=201, response_model=FeedOut)
def new_feed(staff: ApiCaseStaff, session: DbSession) -> Any:
    """A new private calendar address for the caller (ids and times, no names)."""
    token = feed.issue(session, staff.id, utc_now())  # type: ignore[arg-type]
    commit(session)
    return FeedOut(url=feed.url(get_settings().public_base_url, token))


@router.delete(
    "/calendar-feed", status_code=204,
    responses={404: {"model": Problem, "description": "Es gibt keine Kalender-Adresse."}},
)  # fmt: skip
def revoke_feed(staff: ApiCaseStaff, session: DbSession) -> Response:
    """Revoke the caller's calendar address."""
    if not feed.revoke(session, staff.id, utc_now()):  # type: ignore[arg-type]
        raise HTTPException(404, "Es gibt keine Kalender-Adresse.")
    commit(session)
    return Response(status_code=204)
