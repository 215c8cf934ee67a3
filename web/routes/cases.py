"""Placeholder until the case pages land."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from models import Staff
from models.enums import Role
from web.deps import require
from web.templating import render

router = APIRouter()


@router.get("/cases")
def case_list(
    request: Request, staff: Staff = Depends(require(Role.CASEWORKER, Role.SUPERVISOR))
) -> Response:
    return render(request, "error.html", {"staff": staff, "title": "Fälle", "message": "…"})
