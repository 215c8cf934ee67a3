"""Where the SMS gateway reports deliveries (its ``StatusCallback``).

No session and no CSRF token: the gateway signs each report with the account's token over the
configured callback URL and the fields (``core.sms.verify_report``); an unsigned or wrongly
signed report is refused with 403 and changes nothing.
"""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from core import sms
from core.clock import utc_now
from core.config import get_settings
from core.db import commit
from web.deps import DbSession
from workflows.messaging import sms_reports

router = APIRouter(include_in_schema=False)

SIGNATURE_HEADER = "X-Twilio-Signature"


@router.post("/sms/status")
async def delivery_report(request: Request, session: DbSession) -> Response:
    settings = get_settings()
    form = await request.form()
    fields = {k: v for k, v in form.multi_items() if isinstance(v, str)}
    given = request.headers.get(SIGNATURE_HEADER)
    if not sms.verify_report(settings, sms.status_callback(settings), fields, given):
        return Response("Signatur ungültig.", status_code=403, media_type="text/plain")
    ref, status = fields.get("MessageSid", ""), fields.get("MessageStatus", "")
    if not ref or len(ref) > 64 or len(status) > 30:
        return Response("MessageSid und MessageStatus fehlen.", status_code=400)
    sms_reports.record(session, ref, status, fields.get("ErrorCode", "")[:20] or None, utc_now())
    commit(session)
    return Response(status_code=204)
