"""The FastAPI application: ``uvicorn web.app:create_app --factory``."""

import logging
from pathlib import Path

import sqlalchemy.exc
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.routing import BaseRoute, Match
from starlette.types import Scope

from core import logs, validation
from core.config import get_settings
from core.db import new_session
from models import Staff
from web.admission import AdmissionGate, gate_options
from web.edge import InputGuard
from web.errors import CsrfFailed, Forbidden, LoginRequired, status_for
from web.metrics import RequestMetrics
from web.routes import (
    admin,
    agenda,
    api,
    api_agenda,
    api_casework,
    api_consents,
    api_consultations,
    api_data_protection,
    api_network,
    api_obstacles,
    api_reports,
    api_round_tables,
    api_workflow,
    audit,
    auth,
    by_hand,
    calendar_feed,
    cases,
    consents,
    consultations,
    dashboard,
    data_protection,
    handover,
    health,
    household,
    household_answers,
    intake,
    messages,
    metrics,
    network,
    obstacles,
    partner,
    previews,
    process,
    referrals,
    reports,
    round_tables,
    sms_reports,
    visits,
)
from web.templating import render
from workflows.engine.errors import DomainError, InvalidInput
from workflows.installed import register_all

log = logging.getLogger(__name__)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api")


def _error(request: Request, status_code: int, title: str, message: str) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": message}, status_code=status_code)
    context = {"title": title, "message": message, "staff": _signed_in(request)}
    return render(request, "error.html", context, status_code=status_code)


def _signed_in(request: Request) -> Staff | None:
    """The signed-in staff member for the navigation of an error page, if there is one."""
    known = getattr(request.state, "staff", None)  # signed in by this request's own session
    if known is not None:
        return known if isinstance(known, Staff) else None
    staff_id = request.session.get("staff_id") if "session" in request.scope else None
    if not isinstance(staff_id, int):
        return None
    try:
        with new_session() as session:
            staff = session.get(Staff, staff_id)
            return staff if staff is not None and staff.active else None
    except sqlalchemy.exc.SQLAlchemyError:  # the database is away: the page goes without
        return None


def loggable_path(path: str) -> str:
    """The path without secrets (a partner's signed link works like a password) and on one
    line: a refused address may hold a line break or other control characters, written escaped
    so that no one can add a line of their own to the log."""
    for prefix in _SECRET_PATHS:
        if path.startswith(prefix):
            return prefix + "…"
    return path if path.isprintable() else path.encode("unicode_escape").decode("ascii")


# Addresses whose last part is a credential: a partner's signed link, a household's answer
# link, a staff member's calendar address.
_SECRET_PATHS = ("/partner/referrals/", "/t/", "/kalender/")


def _log_answer(scope: Scope, status: int) -> None:
    """Access log without query strings (a search for a family name) and without link tokens,
    one line per answer, the guards' own (400, 503) included. (uvicorn runs with
    --no-access-log.)"""
    log.info("%s %s %s", scope["method"], loggable_path(scope["path"]), status)


def create_app() -> FastAPI:
    """The staff web app and the JSON API, configured from the settings."""
    register_all()
    settings = get_settings()
    logs.configure(settings)
    app = FastAPI(
        title="lokal willkommen",
        description="Fälle des Dortmunder Integrationsnetzwerks. API-Zugang mit Bearer-Token "
        "(`willkommen staff token EMAIL`).",
        docs_url=None,  # served below from vendored files: no CDN, works offline
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.secret_key.get_secret_value(),
        session_cookie="willkommen_session",
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.environment == "production",
    )
    app.add_middleware(
        AdmissionGate, **gate_options(settings.db_pool_size, settings.db_max_overflow)
    )
    app.add_middleware(InputGuard)  # malformed input never takes a place in the gate
    # Outermost: counts and logs every answer, the guards' too.
    app.add_middleware(RequestMetrics, also=_log_answer)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")
    for module in (
        health,
        metrics,
        auth,
        cases,
        household,
        household_answers,
        handover,
        visits,
        referrals,
        consents,
        previews,
        data_protection,
        messages,
        partner,
        sms_reports,
        by_hand,
        consultations,
        agenda,
        calendar_feed,
        obstacles,
        network,
        round_tables,
        reports,
        process,
        intake,
        dashboard,
        audit,
        admin,
        api,
        api_agenda,
        api_casework,
        api_consents,
        api_consultations,
        api_data_protection,
        api_network,
        api_obstacles,
        api_reports,
        api_round_tables,
        api_workflow,
    ):
        app.include_router(module.router)

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return RedirectResponse("/static/favicon.svg", status_code=301)

    @app.get("/api/docs", include_in_schema=False)
    def api_docs() -> Response:
        return get_swagger_ui_html(
            openapi_url="/api/openapi.json",
            title="lokal willkommen – API",
            swagger_js_url="/static/vendor/swagger-ui-bundle-5.35.0.js",
            swagger_css_url="/static/vendor/swagger-ui-5.35.0.css",
            swagger_favicon_url="/static/favicon.svg",
        )

    @app.exception_handler(LoginRequired)
    def login_required(request: Request, _exc: LoginRequired) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": "Anmeldung erforderlich."}, status_code=401)
        if request.headers.get("HX-Request"):  # an HTMX part: reload the whole page to sign in
            return Response(status_code=204, headers={"HX-Redirect": "/login"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, _exc: Forbidden) -> Response:
        return _error(
            request, 403, "Kein Zugriff", "Diese Seite ist für Ihre Rolle nicht freigegeben."
        )

    @app.exception_handler(CsrfFailed)
    def csrf_failed(request: Request, _exc: CsrfFailed) -> Response:
        message = "Das Formular war nicht mehr gültig. Bitte die Seite neu laden und erneut senden."
        return _error(request, 403, "Formular abgelaufen", message)

    @app.exception_handler(DomainError)
    def domain_error(request: Request, exc: DomainError) -> Response:
        if isinstance(exc, InvalidInput) and _wants_json(request):  # a message per field
            body = {"detail": "Eingaben ungültig.", "errors": exc.errors}
            return JSONResponse(body, status_code=status_for(exc))
        return _error(request, status_for(exc), "Nicht möglich", str(exc))

    @app.exception_handler(RequestValidationError)
    def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # Pages: an id that cannot exist is "not found"; anything else malformed a 400.
        if validation.in_path(exc.errors()):
            return _error(request, 404, "Nicht gefunden", "Diese Seite gibt es nicht.")
        problems = "; ".join(f"{k}: {v}" for k, v in validation.by_field(exc.errors()).items())
        return _error(request, 400, "Anfrage ungültig", problems[:300])

    @app.exception_handler(405)
    def method_not_allowed(request: Request, _exc: Exception) -> Response:
        # Starlette names only the first route of the path; a path served by several routes
        # (GET and PATCH of a household) allows what all of them do.
        allowed = {
            method
            for route in app.router.routes
            if isinstance(route, BaseRoute) and route.matches(request.scope)[0] != Match.NONE
            for method in getattr(route, "methods", None) or ()
        }
        response = _error(request, 405, "Nicht erlaubt", "Diese Methode gibt es hier nicht.")
        response.headers["Allow"] = ", ".join(sorted(allowed))
        return response

    @app.exception_handler(404)
    def not_found(request: Request, _exc: Exception) -> Response:
        return _error(request, 404, "Nicht gefunden", "Diese Seite gibt es nicht.")

    @app.exception_handler(sqlalchemy.exc.TimeoutError)
    @app.exception_handler(sqlalchemy.exc.OperationalError)
    def database_unavailable(request: Request, exc: Exception) -> Response:
        # Nothing was written (the transaction rolled back); the person may simply try again.
        log.warning("database unavailable: %s", type(exc).__name__)
        message = "Die Datenbank ist gerade nicht erreichbar. Nichts wurde gespeichert. "
        response = _error(request, 503, "Kurz nicht verfügbar", message + "Bitte gleich erneut.")
        response.headers["Retry-After"] = "5"
        return response

    @app.exception_handler(500)
    def server_error(request: Request, _exc: Exception) -> Response:
        # Logged by Starlette with the traceback; the page shows no detail (personal data).
        return _error(
            request, 500, "Fehler", "Es ist ein Fehler aufgetreten. Bitte erneut versuchen."
        )

    return app
