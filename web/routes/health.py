"""Liveness and readiness for load balancers and docker compose."""

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text

from core.celery_app import app as celery_app
from core.db import new_session

router = APIRouter(tags=["health"])


@router.get("/healthz", include_in_schema=False)
def healthz() -> dict[str, str]:
    """The process answers."""
    return {"status": "ok"}


@router.get("/readyz", include_in_schema=False)
def readyz() -> JSONResponse:
    """Ready when the database and the broker both answer."""
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    ready = all(checks.values())
    body = {
        "status": "ready" if ready else "unavailable",
        **{k: "ok" if v else "down" for k, v in checks.items()},
    }
    return JSONResponse(body, status_code=200 if ready else 503)


def _database_ok() -> bool:
    try:
        with new_session() as session:
            session.exec(text("SELECT 1"))  # type: ignore[call-overload]
        return True
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False


# A broker that accepts connections but does not answer (hung, overloaded) is not ready either.
READINESS_TIMEOUT = 2.0


def _broker_ok() -> bool:
    options = {
        **celery_app.conf.broker_transport_options,
        "socket_timeout": READINESS_TIMEOUT,
        "socket_connect_timeout": READINESS_TIMEOUT,
    }
    try:
        with celery_app.connection_for_write(transport_options=options) as connection:
            connection.ensure_connection(max_retries=1, timeout=READINESS_TIMEOUT)
            connection.default_channel.client.ping()  # a real round trip, not only a socket
        return True
    except Exception:  # noqa: BLE001 - any failure means not ready
        return False
