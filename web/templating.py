"""Jinja2 templates with named blocks (jinja2-fragments): a page and its HTMX parts in one file."""

from datetime import datetime
from pathlib import Path
from typing import Any

from babel.dates import format_timedelta
from fastapi import Request
from jinja2_fragments.fastapi import Jinja2Blocks
from starlette.responses import Response

from core.clock import berlin, format_berlin, format_deadline
from models.enums import PARTNER_CATEGORY_LABELS, REFERRAL_STATUS_LABELS
from web.csrf import csrf_token
from workflows.messaging.i18n import LANGUAGE_NAMES, language_name
from workflows.move_in import step_label
from workflows.move_in.states import CASE_STATE_LABELS, STEP_STATE_LABELS

templates = Jinja2Blocks(directory=str(Path(__file__).parent / "templates"))
env = templates.env
env.globals.update(
    csrf_token=csrf_token,
    CASE_STATE_LABELS=CASE_STATE_LABELS,
    STEP_STATE_LABELS=STEP_STATE_LABELS,
    PARTNER_CATEGORY_LABELS=PARTNER_CATEGORY_LABELS,
    REFERRAL_STATUS_LABELS=REFERRAL_STATUS_LABELS,
)


def _when(moment: datetime | None, with_time: bool = True) -> str:
    return format_berlin(moment, with_time=with_time) if moment else "–"


env.filters["when"] = _when
env.filters["duration"] = lambda span: format_timedelta(span, locale="de_DE", threshold=1.5)
env.filters["day"] = lambda moment: _when(moment, with_time=False)
env.filters["clock"] = lambda moment: berlin(moment).strftime("%H:%M")
env.filters["deadline"] = format_deadline
env.filters["step_label"] = step_label
env.filters["case_state"] = lambda state: CASE_STATE_LABELS.get(state, state)
# The names staff choose from; another ISO code by its German name (ps → Paschtu).
env.filters["language_name"] = lambda code: LANGUAGE_NAMES.get(code) or language_name(code, "de")
env.filters["step_state"] = lambda state: STEP_STATE_LABELS.get(state, state)


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    block: str | None = None,
) -> Response:
    """Render a page, or only its ``block`` (for an HTMX request that swaps a part)."""
    ctx = {"request": request, **(context or {})}
    ctx.setdefault("flashes", request.session.pop("flash", []))
    if block is not None:
        return templates.TemplateResponse(
            request, name, ctx, status_code=status_code, block_name=block
        )
    return templates.TemplateResponse(request, name, ctx, status_code=status_code)
