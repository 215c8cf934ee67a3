"""The supervisors' overview: workload per office, overdue deadlines, failed messages, durations."""

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlmodel import select

from core.clock import utc_now
from core.config import get_settings
from models import Office
from models.enums import CHANNEL_LABELS, REMINDER_KIND_LABELS
from web.csrf import verify_csrf
from web.deps import DbSession, Supervisor
from web.templating import render
from workflows.casework.timeline import REMINDER_STATUS_LABELS
from workflows.engine.access import visible_office_ids
from workflows.messaging import by_hand
from workflows.move_in import STEPS
from workflows.move_in.states import ACTIVE_CASE_STATES, CASE_STATE_LABELS
from workflows.oversight import figures, operations

router = APIRouter(dependencies=[Depends(verify_csrf)], include_in_schema=False)

# Column headers of the office table: short enough for a tablet held upright.
SHORT_STEP_LABELS = {
    "registration": "Anmeldung",
    "energy": "Strom/Gas",
    "school": "Schule",
    "kindergarten": "Kita",
    "transit_ticket": "ÖPNV",
    "job_search": "Arbeit",
    "birth": "Geburt",
}

# Soft hyphens (\u00ad) let long words break in a narrow column instead of widening it.
SHORT_STATE_LABELS = {
    "intake": "Auf\u00adgenommen",
    "welcome_visit_scheduled": "Besuch geplant",
    "follow_up_due": "Nach\u00adbesuch fällig",
    "follow_up_scheduled": "Nach\u00adbesuch geplant",
}


@router.get("/dashboard")
def dashboard(request: Request, staff: Supervisor, session: DbSession) -> Response:
    """What needs a supervisor's attention in their offices (the head's: in all of them)."""
    now = utc_now()
    office_ids = visible_office_ids(staff)
    loads = figures.office_loads(session, office_ids, now)
    if office_ids is None:
        scope = "alle Büros"
    else:
        names = session.exec(select(Office.name).where(Office.id == staff.office_id)).all()
        scope = f"Büro {names[0]}" if names else "kein Büro"
    context = {
        "staff": staff,
        "nav": "dashboard",
        "title": "Übersicht",
        "now": now,
        "scope": scope,
        "loads": loads,
        "totals": _totals(loads),
        "overdue": figures.overdue(session, office_ids, now),
        "failed": figures.failed_messages(session, office_ids),
        "failed_by_channel": figures.failures_by_channel(session, office_ids),
        "tasks": by_hand.task_totals(session, office_ids),
        "channel_labels": CHANNEL_LABELS,
        "status_labels": REMINDER_STATUS_LABELS,
        "durations": figures.step_durations(session, office_ids, now),
        "step_columns": [(k, SHORT_STEP_LABELS.get(k, k), s.label) for k, s in STEPS.items()],
        "state_columns": [_state_column(state) for state in ACTIVE_CASE_STATES],
        "kind_labels": REMINDER_KIND_LABELS,
        "recipient_labels": figures.RECIPIENT_LABELS,
        "milestone_label": figures.milestone_label,
        "flower_url": get_settings().flower_url,
        "operations": operations.read(session, now, get_settings()),
    }
    return render(request, "dashboard/index.html", context)


def _state_column(state: str) -> tuple[str, str, str | None]:
    """The state, its column header, and the full label when the header shortens it."""
    label = CASE_STATE_LABELS[state]
    short = SHORT_STATE_LABELS.get(state, label)
    return state, short, None if short.replace("\u00ad", "") == label else label


def _totals(loads: list[figures.OfficeLoad]) -> figures.OfficeLoad:
    """The sum over the offices shown (a last row when there is more than one)."""
    total = figures.OfficeLoad(office_id=0, office_name="Summe")
    for load in loads:
        for target, source in (
            (total.open_steps, load.open_steps),
            (total.overdue_steps, load.overdue_steps),
            (total.cases_by_state, load.cases_by_state),
        ):
            for key, count in source.items():
                target[key] = target.get(key, 0) + count
    return total
