"""CSRF protection for every form and HTMX request: a per-session synchronizer token.

The token lives in the signed session cookie; forms send it as ``csrf_token``, HTMX as the
``X-CSRF-Token`` header (set once on <body> with hx-headers). The JSON API takes no cookies,
only bearer tokens, so it needs none.
"""

import secrets

from fastapi import Request

from web.errors import CsrfFailed

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def csrf_token(request: Request) -> str:
    token = request.session.get(FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[FIELD] = token
    return str(token)


async def verify_csrf(request: Request) -> None:
    """Dependency: refuse an unsafe request whose token does not match the session's."""
    if request.method in SAFE_METHODS:
        return
    expected = request.session.get(FIELD)
    sent = request.headers.get(HEADER)
    if sent is None:
        form = await request.form()  # Starlette caches it for the route's Form parameters
        value = form.get(FIELD)
        sent = value if isinstance(value, str) else None
    if not expected or not sent or not secrets.compare_digest(str(expected), sent):
        raise CsrfFailed()
