"""Placeholder until the case pages land."""

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.deps import CaseStaff
from web.templating import render

router = APIRouter()


@router.get("/cases")
def case_list(request: Request, staff: CaseStaff) -> Response:
    return render(request, "error.html", {"staff": staff, "title": "Fälle", "message": "…"})
