"""The private calendar address ``/kalender/<token>.ics`` a calendar program subscribes to.

No login: the address is the credential (``workflows.agenda.feed``). An unknown, revoked or
deactivated account's address is 404, answered alike; the access log shows the path without
the token (``web.app.loggable_path``).
"""

from fastapi import APIRouter
from fastapi.responses import PlainTextResponse, Response

from core.clock import utc_now
from core.config import get_settings
from web.deps import DbSession
from web.routes.partner import PRIVATE_HEADERS
from workflows.agenda import feed

router = APIRouter(include_in_schema=False)


@router.get(feed.PATH + "{name}")
def calendar(name: str, session: DbSession) -> Response:
    token = name.removesuffix(feed.SUFFIX) if name.endswith(feed.SUFFIX) else ""
    staff = feed.owner(session, token)
    if staff is None:
        return PlainTextResponse("Unbekannte Kalender-Adresse.", status_code=404)
    body = feed.calendar(session, staff, get_settings().public_base_url, utc_now())
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={**PRIVATE_HEADERS, "Content-Disposition": 'inline; filename="termine.ics"'},
    )
