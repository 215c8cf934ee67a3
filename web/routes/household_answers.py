"""The page where a household answers an appointment through the link in its message.

No account and no session: the link is the credential (``workflows.appointments.answers``).
The page speaks the household's first language (``?lang=de`` for German); a GET only shows
the appointment and the two answers, so a link preview or a scanner changes nothing; the POST
goes to the same secret address. Refusals are pages in the same language: 404 unknown, 410
expired (moved, called off, past), 409 already answered.
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from core.clock import utc_now
from core.db import commit
from web.deps import DbSession
from web.routes.partner import PRIVATE_HEADERS
from workflows.appointments import answers
from workflows.appointments.answers import Answer, LinkRefused, Target
from workflows.messaging import household_mail, i18n

router = APIRouter(include_in_schema=False)


def _language(target: Target | None, asked: str) -> str:
    if asked in i18n.SUPPORTED:
        return asked
    if target is None:
        return i18n.SOURCE_LANGUAGE
    return i18n.choose_languages(target.household.languages)[0]


def _page(
    request: Request,
    target: Target | None,
    state: str,
    lang: str,
    status_code: int = 200,
    answer: str = "",
) -> Response:
    language = _language(target, lang)
    env = i18n.environment(language, True)
    values: dict = {
        "lang": language,
        "dir": i18n.text_direction(language),
        "state": state,
        "answer": answer,
        "office": target.office if target else None,
        "appointment": target.appointment if target else None,
        "action": request.url.path,
        "common": env.get_template("household/_common.jinja").module,
        "facts": household_mail.facts_html,
        "other_language": None,
    }
    if target is not None:
        appointment = target.appointment
        values |= {
            "kind": appointment.kind,
            "when": i18n.moment(appointment.starts_at, language),
            "location": appointment.location,
        }
        own = i18n.choose_languages(target.household.languages)[0]
        other = i18n.SOURCE_LANGUAGE if language != i18n.SOURCE_LANGUAGE else own
        if other != language:
            values["other_language"] = (other, i18n.language_name(other, other))
    html = env.get_template("answer_page.html.jinja").render(values)
    return HTMLResponse(html, status_code=status_code, headers=PRIVATE_HEADERS)


def _refused(request: Request, refusal: LinkRefused, lang: str) -> Response:
    state = "again" if refusal.reason == "answered" else refusal.reason
    status = answers.STATUS[refusal.reason]
    return _page(request, refusal.target, state, lang, status_code=status)


@router.get("/t/{token}")
def show(request: Request, token: str, session: DbSession, lang: str = "") -> Response:
    try:
        target = answers.find(session, token, utc_now())
    except LinkRefused as refusal:
        return _refused(request, refusal, lang)
    return _page(request, target, "open", lang)


@router.post("/t/{token}")
def answer(
    request: Request,
    token: str,
    session: DbSession,
    answer: Annotated[str, Form(max_length=20)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    lang: str = "",
) -> Response:
    given = Answer(answer) if answer in {a.value for a in Answer} else None
    try:
        if given is None:
            target = answers.find(session, token, utc_now())
            return _page(request, target, "open", lang, status_code=422)
        target = answers.answer(session, token, given, note, utc_now())
    except LinkRefused as refusal:
        session.rollback()
        return _refused(request, refusal, lang)
    commit(session)
    return _page(request, target, "answered", lang, answer=str(given))
