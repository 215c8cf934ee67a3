"""Public pages where a partner answers a referral through the signed link in its email.

No account and no session: the link itself is the credential (signed, expiring, single use,
see ``workflows.referrals.links``). A GET only shows the referral and a confirm form, so a mail
scanner that opens links changes nothing; the POST goes to the same signed address, which a
foreign site cannot know, so it needs no CSRF cookie. Refusals are clear German pages: 400 for
a damaged or foreign link, 410 for an expired one, 409 for one already used.
"""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from sqlmodel import Session

from core.config import get_settings
from core.db import commit
from models import Case, Office, Partner
from web.deps import DbSession
from web.templating import templates
from workflows.messaging import referral_mail
from workflows.referrals import answers, links
from workflows.referrals.links import Action, LinkRefused, LinkTarget

router = APIRouter(include_in_schema=False)

# The link is a secret: not cached, not passed on as a referrer, not indexed.
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex, nofollow",
}


def _page(request: Request, name: str, context: dict, status_code: int = 200) -> Response:
    response = templates.TemplateResponse(
        request, f"partner/{name}", {"request": request, **context}, status_code=status_code
    )
    response.headers.update(PRIVATE_HEADERS)
    return response


def _refused(request: Request, refusal: LinkRefused) -> Response:
    context = {"title": refusal.title, "message": refusal.message}
    return _page(request, "refused.html", context, status_code=refusal.status)


def _details(session: Session, target: LinkTarget) -> dict:
    referral = target.referral
    partner = session.get(Partner, referral.partner_id)
    case = session.get(Case, referral.case_id)
    office = session.get(Office, case.office_id) if case else None
    return {
        "referral": referral,
        "action": target.action,
        "case_number": case.number if case else "",
        "step_label": referral_mail.topic(session, referral, partner) if partner else "",
        "partner": partner,
        "office": office,
        "outcomes": answers.OUTCOME_WORDS,
    }


@router.get("/partner/referrals/{token}")
def show_referral(request: Request, token: str, session: DbSession) -> Response:
    """The referral a partner's link stands for, with a form to confirm the answer."""
    try:
        target = links.read(session, get_settings(), token)
    except LinkRefused as refusal:
        return _refused(request, refusal)
    return _page(request, "answer.html", {**_details(session, target), "token": token})


@router.post("/partner/referrals/{token}")
def answer_referral(
    request: Request,
    token: str,
    session: DbSession,
    reason: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form()] = "",
) -> Response:
    """Record the partner's answer (accept, or decline with an optional reason) or its report
    of how it ended (done, or the household not reached, with a note), once."""
    try:
        target = links.read(session, get_settings(), token)
        details = _details(session, target)
        if target.action == Action.REPORT:
            if outcome not in answers.Outcome._value2member_map_:
                context = {**details, "token": token, "missing": True}
                return _page(request, "answer.html", context, status_code=422)
            answers.report(session, target.referral.id or 0, answers.Outcome(outcome), reason)
            details["reported"] = answers.OUTCOME_WORDS[answers.Outcome(outcome)]
        else:
            note = reason if target.action == Action.DECLINE else None
            answers.answer(session, target.referral.id or 0, target.action, note)
    except LinkRefused as refusal:
        session.rollback()
        return _refused(request, refusal)
    commit(session)
    return _page(request, "answered.html", details)
