"""Staff read an email before it goes out: any message, for one case, in a chosen language.

Only a GET: the preview is composed in the request's transaction and rolled back, so it
stores nothing and sends nothing. Another office's case is not found (404).
"""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from core.config import get_settings
from web.csrf import verify_csrf
from web.deps import CaseStaff, DbSession
from web.params import Id
from web.routes.case_forms import case_for
from web.templating import render
from workflows.audit import reads
from workflows.messaging import i18n
from workflows.messaging.previews import KIND_LABELS, PreviewUnavailable, preview

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

LANGUAGE_LABELS = {code: i18n.LANGUAGE_NAMES[code] for code in i18n.SUPPORTED}


@router.get("/cases/{case_id:int}/preview")
def preview_message(
    request: Request,
    case_id: Id,
    staff: CaseStaff,
    session: DbSession,
    kind: str = "",
    lang: str = "",
) -> Response:
    """Subject, text and HTML of one message for this case, as it would go out now."""
    case = case_for(session, staff, case_id)
    reads.record(session, staff.id, case_id, reads.Read.PREVIEW)  # type: ignore[arg-type]
    chosen_kind = kind if kind in KIND_LABELS else next(iter(KIND_LABELS))
    language = lang if lang in i18n.SUPPORTED else None
    result, problem = None, None
    try:
        result = preview(
            session, case_id, chosen_kind, get_settings(), language=language, actor_id=staff.id
        )
    except PreviewUnavailable as exc:
        problem = str(exc)
    finally:
        session.rollback()  # an example appointment made up for the preview goes again
    context = {
        "staff": staff,
        "nav": "cases",
        "title": f"Vorschau · {case.number}",
        "case": case,
        "kinds": KIND_LABELS,
        "languages": LANGUAGE_LABELS,
        "kind": chosen_kind,
        "lang": language or "",
        "preview": result,
        "problem": problem,
    }
    return render(request, "previews/message.html", context)
