"""The baseline of scenario 8: a bare FastAPI endpoint writing what one advance writes.

``POST /cases/{case_id}/advance`` with ``{"trigger": ..., "at": ...}`` runs the same plain Core
transaction as scenario 1's baseline (``bench.persisted``) for the two triggers it knows, on the
product's engine (same pool, same settings), and answers ``{"id", "state", "version"}``. No
token, no session, no judging, no reading: the floor an HTTP transition cannot go below.

Served by uvicorn like the product: ``uvicorn bench.bare_api:create_app --factory``.
"""

from datetime import datetime
from typing import Any

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from core.clock import utc_now
from core.db import get_engine

BARE_ACTOR_HEADER = "x-bench-actor"


class Body(BaseModel):
    trigger: str
    at: datetime | None = None


def create_app() -> FastAPI:
    from bench.persisted import _bare_complete_registration, _bare_schedule_visit

    writes = {
        "schedule_welcome_visit": _bare_schedule_visit,
        "complete_registration": _bare_complete_registration,
    }
    app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)

    @app.post("/cases/{case_id}/advance")
    def advance(case_id: int, body: Body, actor: int = 0) -> dict[str, Any]:
        write = writes.get(body.trigger)
        if write is None:
            raise HTTPException(409, "unknown trigger")
        with get_engine().begin() as conn:
            write(conn, case_id, actor, utc_now())
        return {"id": case_id, "state": "ok", "version": 0}

    return app
