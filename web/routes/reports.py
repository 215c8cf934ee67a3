"""Reports for the council and the funders: a period and an office (or all) as a page with
charts, as CSV and as XLSX — the same figures everywhere, counts under 5 as "< 5", no names.

Supervisors see their office's (the head of the welfare office and administrators choose one
or take all); caseworkers have no reports (403).
"""

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from core.clock import berlin, utc_now
from models import Office, Staff
from models.enums import Role
from web.deps import CurrentStaff, DbSession
from web.routes.case_forms import day_or_none, parse_int
from web.templating import render
from workflows.reports import exports, figures

router = APIRouter(include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def scope(session: Session, staff: Staff, office_id: int | None) -> list[int] | None:
    """The offices a report of ``staff`` covers: their own; without one, the chosen office or
    all (None). Caseworkers: 403; an office that does not exist: 404."""
    if staff.role == Role.CASEWORKER or not staff.active:
        raise HTTPException(403, "Berichte sind für die Leitung und die Verwaltung.")
    if staff.office_id is not None:
        return [staff.office_id]
    if office_id is None:
        return None
    if session.get(Office, office_id) is None:
        raise HTTPException(404, "Büro nicht gefunden.")
    return [office_id]


def _report(
    session: Session, staff: Staff, von: str, bis: str, buero: str
) -> tuple[figures.Report | None, str | None]:
    today = berlin(utc_now()).date()
    last = day_or_none(bis) or today
    first = day_or_none(von) or today.replace(month=1, day=1)
    office_ids = scope(session, staff, parse_int(buero[:12]))
    try:
        return figures.build(session, office_ids, first, last), None
    except figures.PeriodRefused as exc:
        return None, str(exc)


@router.get("/berichte")
def report_page(
    request: Request, staff: CurrentStaff, session: DbSession, von: str = "", bis: str = "",
    buero: str = "",
) -> Response:  # fmt: skip
    """The report with its charts and the links to download it."""
    report, refused = _report(session, staff, von, bis, buero)
    query = (
        f"von={report.first.isoformat()}&bis={report.last.isoformat()}&buero={buero[:12]}"
        if report
        else ""
    )
    context: dict[str, Any] = {
        "staff": staff,
        "nav": "reports",
        "title": "Bericht",
        "report": report,
        "refused": refused,
        "von": von[:10],
        "bis": bis[:10],
        "buero": parse_int(buero[:12]),
        "offices": list(session.exec(select(Office).order_by(col(Office.name))))
        if staff.office_id is None
        else [],
        "query": query,
        "charts": _charts(report) if report else {},
    }
    return render(request, "reports/report.html", context, status_code=422 if refused else 200)


def _charts(report: figures.Report) -> dict[str, Any]:
    """What the page draws: only figures that may be shown (no small cells in a bar either)."""
    referrals = [
        (row.label.removesuffix(": zusammen"), row.cell.number())
        for row in report.section("referrals").rows
        if row.label.endswith(": zusammen") and not row.cell.suppressed
    ]
    durations = [
        (row.label, row.cell.number())
        for row in report.section("durations").rows
        if not row.cell.suppressed
    ]
    return {
        "referrals": {"labels": [r[0] for r in referrals], "values": [r[1] for r in referrals]},
        "durations": {"labels": [d[0] for d in durations], "values": [d[1] for d in durations]},
    }


def _download(
    session: Session, staff: Staff, von: str, bis: str, buero: str, kind: str
) -> Response:
    report, refused = _report(session, staff, von, bis, buero)
    if report is None:
        raise HTTPException(422, refused)
    if kind == "csv":
        body, media = exports.as_csv(report), "text/csv; charset=utf-8"
    else:
        body, media = exports.as_xlsx(report), XLSX
    name = exports.filename(report, kind)
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(body, media_type=media, headers=headers)


@router.get("/berichte/bericht.csv")
def report_csv(
    staff: CurrentStaff, session: DbSession, von: str = "", bis: str = "", buero: str = ""
) -> Response:
    return _download(session, staff, von, bis, buero, "csv")


@router.get("/berichte/bericht.xlsx")
def report_xlsx(
    staff: CurrentStaff, session: DbSession, von: str = "", bis: str = "", buero: str = ""
) -> Response:
    return _download(session, staff, von, bis, buero, "xlsx")
