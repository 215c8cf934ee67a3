"""Signing in and out."""

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from core.db import commit
from models.enums import Role
from web.csrf import verify_csrf
from web.deps import DbSession, current_staff, flash
from web.templating import render
from workflows.directory.accounts import SignInRefused, authenticate

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only paths on this site (no open redirect)."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/")
def home(request: Request, session: DbSession) -> Response:
    """Each role's start page: the case list, the supervisors' overview, the administration."""
    staff = current_staff(request, session)
    start = {Role.SUPERVISOR: "/dashboard", Role.ADMIN: "/admin"}.get(staff.role, "/cases")
    return RedirectResponse(start, status_code=303)


@router.get("/login")
def login_page(request: Request, next: str | None = None) -> Response:
    """The sign-in form."""
    return render(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(
    request: Request,
    email: Annotated[str, Form()],
    password: Annotated[str, Form()],
    session: DbSession,
    next: Annotated[str, Form()] = "/",
) -> Response:
    """Check the credentials; a fresh session on success, the form with the reason otherwise."""
    try:
        staff = authenticate(session, email, password)
    except SignInRefused as exc:
        commit(session)  # the failed attempt counts towards the lock-out
        context = {"next": _safe_next(next), "email": email, "error": str(exc)}
        return render(request, "login.html", context, status_code=401)
    commit(session)
    request.session.clear()  # no session fixation: a signed-in session starts empty
    request.session["staff_id"] = staff.id
    flash(request, f"Willkommen, {staff.name}.")
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request) -> Response:
    """End the session."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
