"""One case in full, as Rich tables: the terminal's version of the case page."""

from datetime import datetime

from rich.console import Console
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from sqlmodel import Session, col, select

from cli.console import PlainTable
from core.clock import berlin, format_berlin, format_deadline, utc_now
from models import (
    Appointment,
    Case,
    CaseEvent,
    CaseStep,
    Consent,
    Household,
    HouseholdMember,
    Office,
    Partner,
    Referral,
    Reminder,
    Staff,
)
from models.enums import CHANNEL_LABELS, PARTNER_CATEGORY_LABELS
from workflows.engine import allowed_triggers
from workflows.engine.errors import CaseNotFound
from workflows.engine.facts import age_on, member_flags
from workflows.move_in import step_label
from workflows.move_in.states import CASE_STATE_LABELS, OPEN_STEP_STATES, STEP_STATE_LABELS

SHORT_STEP_LABELS = {
    "registration": "Anmeldung",
    "energy": "Strom/Gas",
    "school": "Schule",
    "kindergarten": "Kita",
    "transit_ticket": "ÖPNV-Ticket",
    "job_search": "Arbeit",
    "birth": "Geburt",
}
APPOINTMENT_LABELS = {
    "welcome_visit": "Willkommensbesuch",
    "follow_up_visit": "Nachbesuch",
    "consultation": "Sprechstunde",
}


def short_step(kind: str) -> str:
    return SHORT_STEP_LABELS.get(kind) or step_label(kind)


def when(moment: datetime | None) -> str:
    return format_berlin(moment) if moment is not None else "–"


deadline = format_deadline


def due_text(due: datetime | None, now: datetime) -> Text:
    """The deadline, marked red and "überfällig" once it has passed."""
    if due is None:
        return Text("–")
    if due < now:
        return Text(f"{deadline(due)} überfällig", style="bold red")
    return Text(deadline(due))


def _table(title: str, *headers: str) -> Table:
    table = PlainTable(title=title, title_justify="left", title_style="bold", show_edge=False)
    for header in headers:
        table.add_column(header)
    return table


def render_case(session: Session, case_id: int, console: Console) -> None:
    """Print everything staff need about one case."""
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(case_id)
    now = utc_now()
    household = session.get(Household, case.household_id)
    office = session.get(Office, case.office_id)
    assert household is not None and office is not None  # foreign keys
    names = {s.id: s.name for s in session.exec(select(Staff))}
    state = CASE_STATE_LABELS.get(case.state, case.state)
    console.print(
        f"[bold]{case.number}[/] · Familie {escape(household.family_name)} · {state} "
        f"({case.state}) · Version {case.version}",
        soft_wrap=True,
    )
    console.print(_overview(case, household, office, names, now))
    for table in (
        _members(session, household),
        _consents(session, household, names),
        _steps(session, case, now),
        _options(session, case, now),
        _appointments(session, case, names),
        _reminders(session, case),
        _referrals(session, case),
        _history(session, case, names),
    ):
        console.print()
        if table.row_count:
            console.print(table)
        else:
            console.print(f"[bold]{table.title}:[/] keine")


def _overview(
    case: Case, household: Household, office: Office, names: dict[int | None, str], now: datetime
) -> Table:
    grid = PlainTable.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    rows: list[tuple[str, str | Text]] = [
        ("Büro", f"{office.name} ({office.code})"),
        ("Zuständig", names.get(case.assignee_id, "–")),
        (
            "Adresse",
            f"{household.street}, {household.postal_code} {household.city} ({household.district})",
        ),
        ("Eingezogen am", household.moved_in_on.strftime("%d.%m.%Y")),
        ("Sprachen", ", ".join(household.languages)),
        (
            "Kontaktwege",
            ", ".join(CHANNEL_LABELS.get(c, c) for c in household.contact_channels) or "–",
        ),
        ("E-Mail", household.email or "–"),
        ("Telefon", household.phone or "–"),
        (
            "Geburt erwartet",
            household.expected_birth_on.strftime("%d.%m.%Y")
            if household.expected_birth_on
            else "–",
        ),
        ("Eröffnet", when(case.opened_at)),
        ("Nächste Frist", due_text(case.next_due_at, now)),
        ("Abgeschlossen", when(case.closed_at)),
    ]
    for label, value in rows:
        grid.add_row(label, value)
    return grid


def _members(session: Session, household: Household) -> Table:
    today = berlin(utc_now()).date()
    table = _table("Haushaltsmitglieder", "Name", "Alter", "Geboren", "Hinweise")
    query = select(HouseholdMember).where(HouseholdMember.household_id == household.id)
    for member in session.exec(query.order_by(col(HouseholdMember.id))):
        flags = member_flags(member)
        table.add_row(
            f"{member.given_name} {member.family_name}",
            str(age_on(member.birth_date, today)),
            member.birth_date.strftime("%d.%m.%Y"),
            ", ".join(flags),
        )
    return table


def _consents(session: Session, household: Household, names: dict[int | None, str]) -> Table:
    table = _table(
        "Einwilligungen zur Weitergabe", "Partnerart", "Seit", "Erfasst von", "Gültig bis",
        "Beendet",
    )  # fmt: skip
    query = select(Consent).where(Consent.household_id == household.id)
    for consent in session.exec(query.order_by(col(Consent.granted_at), col(Consent.id))):
        ended = (
            f"widerrufen {when(consent.withdrawn_at)}"
            if consent.withdrawn_at
            else f"erneuert {when(consent.replaced_at)}"
            if consent.replaced_at
            else "–"
        )
        table.add_row(
            PARTNER_CATEGORY_LABELS.get(consent.partner_category, consent.partner_category),
            when(consent.granted_at),
            names.get(consent.granted_by_id, "–"),
            f"{consent.expires_on:%d.%m.%Y}" if consent.expires_on else "Widerruf",
            ended,
        )
    return table


def _steps(session: Session, case: Case, now: datetime) -> Table:
    table = _table("Schritte", "Schritt", "Zustand", "Frist / erledigt", "Hinweis")
    query = select(CaseStep).where(CaseStep.case_id == case.id)
    for step in session.exec(query.order_by(col(CaseStep.id))):
        is_open = step.state in OPEN_STEP_STATES
        hints = ["gesetzliche Frist"] if step.legal_deadline and is_open else []
        if step.waive_reason:
            hints.append(step.waive_reason)
        table.add_row(
            step_label(step.kind),
            STEP_STATE_LABELS.get(step.state, step.state),
            due_text(step.due_at, now) if is_open else Text(when(step.closed_at)),
            "; ".join(hints),
        )
    return table


def _options(session: Session, case: Case, now: datetime) -> Table:
    table = _table(
        "Mögliche Aktionen (cases advance)", "Trigger", "Bedeutung", "", "Grund / Angaben"
    )
    for option in allowed_triggers(session, case.id, now=now):  # type: ignore[arg-type]
        needs = " ".join(f"--{name}" for name in option.needs_input)
        mark = Text("ja", style="green") if option.allowed else Text("nein", style="red")
        table.add_row(
            option.trigger,
            option.label,
            mark,
            (f"braucht {needs}" if needs else "") if option.allowed else option.reason,
        )
    return table


def _appointments(session: Session, case: Case, names: dict[int | None, str]) -> Table:
    table = _table("Termine", "Art", "Beginn", "Ort", "Mit", "Status")
    query = select(Appointment).where(Appointment.case_id == case.id)
    for item in session.exec(query.order_by(col(Appointment.starts_at))):
        table.add_row(
            APPOINTMENT_LABELS.get(item.kind, item.kind),
            when(item.starts_at),
            item.location,
            names.get(item.staff_id, "–"),
            item.status,
        )
    return table


def _reminders(session: Session, case: Case) -> Table:
    table = _table("Erinnerungen", "Art", "An", "Fällig", "Status", "Versuche", "Letzter Fehler")
    query = select(Reminder).where(Reminder.case_id == case.id)
    for item in session.exec(query.order_by(col(Reminder.due_at), col(Reminder.id))):
        status = item.status + (f" ({item.cancelled_reason})" if item.cancelled_reason else "")
        table.add_row(
            item.kind,
            item.recipient,
            when(item.due_at),
            status,
            str(item.attempts),
            item.last_error or "",
        )
    return table


def _referrals(session: Session, case: Case) -> Table:
    table = _table("Weitervermittlungen", "Schritt", "Partner", "Status", "Seit", "Antwort")
    query = (
        select(Referral, CaseStep.kind, Partner.name)
        .join(CaseStep, col(CaseStep.id) == Referral.step_id)
        .join(Partner, col(Partner.id) == Referral.partner_id)
        .where(Referral.case_id == case.id)
    )
    for referral, kind, partner in session.exec(query.order_by(col(Referral.created_at))):
        answer = when(referral.answered_at) if referral.answered_at else ""
        if referral.answer_note:
            answer += f" {referral.answer_note}"
        table.add_row(
            short_step(kind), partner, referral.status, when(referral.created_at), answer.strip()
        )
    return table


def _history(session: Session, case: Case, names: dict[int | None, str]) -> Table:
    table = _table("Verlauf", "Zeit", "Wer", "Trigger", "Schritt", "Von → nach", "Notiz")
    query = select(CaseEvent).where(CaseEvent.case_id == case.id)
    for event in session.exec(query.order_by(col(CaseEvent.at), col(CaseEvent.id))):
        actor = names.get(event.actor_id, "?") if event.actor_id is not None else "System"
        change = f"{event.from_state or '–'} → {event.to_state or '–'}"
        table.add_row(
            when(event.at),
            actor,
            event.trigger,
            short_step(event.step_kind) if event.step_kind else "",
            change,
            "(vertrauliche Notiz)" if event.confidential else event.note or "",
        )
    return table
