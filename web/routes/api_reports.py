"""The JSON API for reports: the same figures as the page and its downloads (CSV, XLSX), for
a period and an office or all; counts under 5 as "< 5" with no number, no names. Supervisors
get their office's; the head of the welfare office and administrators choose (403 for
caseworkers, 404 for an office that does not exist, 422 for a period backwards or too long).
"""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query
from fastapi.responses import Response
from pydantic import BaseModel, Field

from core import limits
from core.clock import berlin, utc_now
from web.deps import DbSession
from web.routes.api import AUTH_RESPONSES, EDGE_RESPONSES, ApiRoute
from web.routes.api_consultations import ApiStaff
from web.routes.reports import XLSX, scope
from web.schemas import Problem
from workflows.casework.fields import Day
from workflows.reports import exports, figures

router = APIRouter(
    prefix="/api",
    tags=["Berichte"],
    route_class=ApiRoute,
    responses={
        **AUTH_RESPONSES,
        **EDGE_RESPONSES,
        403: {"model": Problem, "description": "Berichte sind für die Leitung und die Verwaltung."},
        404: {"model": Problem, "description": "Büro nicht gefunden."},
    },
)


class RowOut(BaseModel):
    label: str
    text: str = Field(description='As shown: "< 5" for 1–4, "–" for a withheld share or median.')
    value: float | None = Field(description="The number, where it may be shown.")


class SectionOut(BaseModel):
    key: str
    title: str
    rows: list[RowOut]


class ReportOut(BaseModel):
    first: date
    last: date
    offices: list[str]
    sections: list[SectionOut]


First = Annotated[Day | None, Query(alias="from", description="Default: 1 January this year.")]
Last = Annotated[Day | None, Query(alias="to", description="Default: today.")]
OfficeId = Annotated[int | None, Query(ge=1, le=limits.MAX_ID)]


def _build(session: DbSession, staff: ApiStaff, first: date | None, last: date | None,
           office_id: int | None) -> figures.Report:  # fmt: skip
    today = berlin(utc_now()).date()
    end = last or today
    start = first or min(today.replace(month=1, day=1), end)
    office_ids = scope(session, staff, office_id)
    try:
        return figures.build(session, office_ids, start, end)
    except figures.PeriodRefused as exc:
        raise HTTPException(422, str(exc)) from None


@router.get("/reports", response_model=ReportOut)
def report(
    session: DbSession, staff: ApiStaff, first: First = None, last: Last = None,
    office_id: OfficeId = None,
) -> Any:  # fmt: skip
    """The report as JSON: sections of labelled figures."""
    built = _build(session, staff, first, last, office_id)
    return ReportOut(
        first=built.first,
        last=built.last,
        offices=built.offices,
        sections=[
            SectionOut(
                key=s.key,
                title=s.title,
                rows=[
                    RowOut(
                        label=r.label,
                        text=r.cell.text(),
                        value=None if r.cell.suppressed else float(r.cell.number()),
                    )
                    for r in s.rows
                ],
            )
            for s in built.sections
        ],
    )


def _file(media: str) -> dict[int | str, dict[str, Any]]:
    return {200: {"description": "The file.", "content": {media: {}}}}


@router.get("/reports.csv", response_class=Response, responses=_file("text/csv"))
def report_csv(
    session: DbSession, staff: ApiStaff, first: First = None, last: Last = None,
    office_id: OfficeId = None,
) -> Response:  # fmt: skip
    """The report as CSV (semicolons, UTF-8 with BOM)."""
    built = _build(session, staff, first, last, office_id)
    return Response(exports.as_csv(built), media_type="text/csv; charset=utf-8")


@router.get("/reports.xlsx", response_class=Response, responses=_file(XLSX))
def report_xlsx(
    session: DbSession, staff: ApiStaff, first: First = None, last: Last = None,
    office_id: OfficeId = None,
) -> Response:  # fmt: skip
    """The report as an Excel workbook."""
    built = _build(session, staff, first, last, office_id)
    return Response(exports.as_xlsx(built), media_type=XLSX)
