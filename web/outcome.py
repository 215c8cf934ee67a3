"""How a form's change ends (Post/Redirect/Get): committed with a message, or refused with its
reasons and nothing saved — in both cases a redirect to the page the person came from."""

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlmodel import Session

from core.db import commit
from web.deps import flash
from workflows.engine.errors import InvalidInput


def done(request: Request, session: Session, message: str, target: str) -> Response:
    """Commit, say so on the next page, go there."""
    commit(session)
    flash(request, message, "success")
    return RedirectResponse(target, status_code=303)


def refused(
    request: Request, session: Session, what: str, error: InvalidInput, target: str
) -> Response:
    """Roll back, name what was not done and why, go back."""
    session.rollback()
    flash(request, f"{what}: " + " ".join(error.errors.values()), "error")
    return RedirectResponse(target, status_code=303)
