"""Web-only refusals and how every refusal becomes a status code."""

from fastapi import status

from workflows.directory.accounts import SignInRefused
from workflows.engine.errors import Conflict, DomainError, GuardFailed, InvalidInput, NotFound


class LoginRequired(Exception):
    """No valid session: HTML pages redirect to the sign-in page, the API answers 401."""


class Forbidden(Exception):
    """Signed in, but this role may not use this page."""


class CsrfFailed(Exception):
    """A form or HTMX request without the session's CSRF token."""


def status_for(error: DomainError) -> int:
    if isinstance(error, NotFound):
        return status.HTTP_404_NOT_FOUND
    if isinstance(error, Conflict):
        return status.HTTP_409_CONFLICT
    if isinstance(error, GuardFailed | InvalidInput):
        return status.HTTP_422_UNPROCESSABLE_CONTENT
    if isinstance(error, SignInRefused):
        return status.HTTP_401_UNAUTHORIZED
    return status.HTTP_400_BAD_REQUEST
