"""``/metrics`` for Prometheus, only with the bearer token WILLKOMMEN_METRICS_TOKEN.

Without a token configured the endpoint does not exist (404): metrics name no person, but the
numbers of a city's cases are nobody's business outside operations.
"""

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from core.config import get_settings
from web.metrics import REGISTRY

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
def metrics(request: Request) -> Response:
    token = get_settings().metrics_token
    if token is None:
        return PlainTextResponse("Not Found", status_code=404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    expected = token.get_secret_value().encode()
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), expected):
        return PlainTextResponse(
            "Bearer token required", status_code=401, headers={"WWW-Authenticate": "Bearer"}
        )
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)
