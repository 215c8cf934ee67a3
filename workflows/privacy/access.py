"""A household's copy of its data (Art. 15 GDPR): everything stored about it, as JSON for
machines and as a PDF in its language for people.

The JSON is complete by construction: every table that belongs to the household
(``personal_data.owned_tables``) with every column, except the parts of links that work like
passwords (declared ``not_personal(secret=True)``) and the read log (who of the staff opened
the case, an internal record). The PDF shows the same data as people read it: the household and
its members, each case with its steps and its whole history, appointments and visits, the
partners the data went to and the consents, then what the data is for, how long it is kept and
the household's rights. Both are made when asked for and never stored.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from core.clock import berlin
from core.config import Settings
from core.values import plain
from models import (
    Appointment,
    Case,
    CaseStep,
    Consent,
    Household,
    Office,
    Partner,
    Referral,
    VisitRecord,
)
from models.enums import (
    APPOINTMENT_KIND_LABELS,
    PARTNER_CATEGORY_LABELS,
    REFERRAL_STATUS_LABELS,
    SHARED_FIELD_LABELS,
    AppointmentStatus,
    PartnerCategory,
    SharedField,
)
from models.personal import exported
from workflows.casework import household as household_edits
from workflows.casework.timeline import timeline
from workflows.messaging import i18n
from workflows.move_in import step_label
from workflows.move_in.states import CASE_STATE_LABELS, STEP_STATE_LABELS
from workflows.privacy.personal_data import owned_tables

# Owned tables left out of the copy: the staff's read log is the office's record of itself.
INTERNAL = frozenset({"case_reads"})
APPOINTMENT_LABELS = APPOINTMENT_KIND_LABELS


APPOINTMENT_STATUS_LABELS = {
    AppointmentStatus.SCHEDULED: "geplant",
    AppointmentStatus.DONE: "stattgefunden",
    AppointmentStatus.CANCELLED: "abgesagt",
    AppointmentStatus.NO_SHOW: "nicht erschienen",
}


def as_json(
    session: Session, household_id: int, settings: Settings, now: datetime
) -> dict[str, Any]:
    """Everything stored about the household, table by table, with who received what."""
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, owned in owned_tables().items():
        if name in INTERNAL:
            continue
        columns = [c for c in owned.table.columns if exported(c)]
        query = sql_select(*columns).where(owned.rows_of(household_id))
        query = query.order_by(owned.table.c.id)
        tables[name] = [_withheld(name, {k: plain(v) for k, v in row.items()})
                        for row in session.execute(query).mappings()]  # fmt: skip
    return {
        "about": "Auskunft nach Art. 15 DSGVO: alle Daten, die lokal willkommen über diesen "
        "Haushalt gespeichert hat.",
        "created_at": now.isoformat(),
        "household_id": household_id,
        "recipients": [
            {
                "partner": name,
                "category": plain(category),
                "sent_at": plain(sent),
                "status": plain(status),
            }
            for name, category, sent, status in _recipients(session, household_id)
        ],  # fmt: skip
        "retention": {
            "closed_cases_anonymised_after_days": settings.retention_days,
        },
        "data": tables,
    }


WITHHELD = "(vertrauliche Notiz: nicht in dieser Auskunft; die Leitung des Büros entscheidet)"


def _withheld(table: str, row: dict[str, Any]) -> dict[str, Any]:
    """A confidential note is named, not given (it may be about someone in the household: Art.
    15(4) GDPR, § 34 BDSG); the office's supervisor decides on it separately."""
    if table == "case_events" and row.get("confidential"):
        return {**row, "note": WITHHELD}
    return row


def _recipients(session: Session, household_id: int) -> list[tuple[str, str, datetime, str]]:
    """The partners that received data about the household, and when."""
    rows = session.execute(
        sql_select(
            col(Partner.name), col(Partner.category), col(Referral.created_at), col(Referral.status)
        )
        .join(Referral, col(Referral.partner_id) == Partner.id)
        .join(Case, col(Case.id) == Referral.case_id)
        .where(col(Case.household_id) == household_id)
        .order_by(col(Referral.created_at))
    ).all()
    return [tuple(row) for row in rows]


# ---------------------------------------------------------------------------------------------
# The PDF


@dataclass
class CaseCopy:
    number: str
    opened: str
    closed: str | None
    state: str
    steps: list[tuple[str, str, str]] = field(default_factory=list)  # step, state, due
    history: list[tuple[str, str, str]] = field(default_factory=list)  # when, what, detail
    appointments: list[tuple[str, str, str, str]] = field(default_factory=list)
    visits: list[tuple[str, str, str]] = field(default_factory=list)  # when, who, topics


@dataclass
class Copy:
    office: Office
    household: Household
    members: list[tuple[str, str]]
    cases: list[CaseCopy]
    recipients: list[tuple[str, str, str, str]]  # partner, topic, sent, status
    consents: list[tuple[str, str, str, str]]  # category, granted, withdrawn, fields
    retention_days: int
    made_on: str


def _day(moment: datetime | date | None) -> str:
    if moment is None:
        return "–"
    if isinstance(moment, datetime):
        return f"{berlin(moment):%d.%m.%Y}"
    return f"{moment:%d.%m.%Y}"


def _when(moment: datetime | None) -> str:
    return f"{berlin(moment):%d.%m.%Y %H:%M}" if moment else "–"


def gather(session: Session, case: Case, settings: Settings, now: datetime) -> Copy:
    household = session.get(Household, case.household_id)
    office = session.get(Office, case.office_id)
    assert household is not None and office is not None
    members = household_edits.members_of(session, household.id)  # type: ignore[arg-type]
    cases = session.exec(
        select(Case).where(Case.household_id == household.id).order_by(col(Case.id))
    ).all()
    consents = session.exec(
        select(Consent).where(Consent.household_id == household.id).order_by(col(Consent.id))
    ).all()
    recipients = [
        (
            name,
            PARTNER_CATEGORY_LABELS.get(PartnerCategory(category), category),
            _day(sent),
            REFERRAL_STATUS_LABELS.get(status, status),
        )
        for name, category, sent, status in _recipients(session, household.id)  # type: ignore[arg-type]
    ]
    return Copy(
        office=office,
        household=household,
        members=[(f"{m.given_name} {m.family_name}", _day(m.birth_date)) for m in members],
        cases=[_case_copy(session, c, now) for c in cases],
        recipients=recipients,
        consents=[
            (
                PARTNER_CATEGORY_LABELS.get(c.partner_category, c.partner_category),
                _day(c.granted_at),
                _day(c.withdrawn_at),
                ", ".join(SHARED_FIELD_LABELS.get(SharedField(f), f) for f in c.shared_fields),
            )
            for c in consents
        ],
        retention_days=settings.retention_days,
        made_on=_day(now),
    )


def _case_copy(session: Session, case: Case, now: datetime) -> CaseCopy:
    steps = session.exec(
        select(CaseStep).where(CaseStep.case_id == case.id).order_by(col(CaseStep.id))
    ).all()
    appointments = session.exec(
        select(Appointment)
        .where(Appointment.case_id == case.id)
        .order_by(col(Appointment.starts_at))
    ).all()
    visits = session.exec(
        select(VisitRecord).where(VisitRecord.case_id == case.id).order_by(col(VisitRecord.held_at))
    ).all()
    history = []
    for entry in reversed(timeline(session, case.id, now)):  # type: ignore[arg-type]
        detail = " · ".join(p for p in (entry.change, entry.step, entry.partner, entry.text) if p)
        history.append((_when(entry.at), entry.title, detail))
    return CaseCopy(
        number=case.number,
        opened=_day(case.opened_at),
        closed=_day(case.closed_at) if case.closed_at else None,
        state=CASE_STATE_LABELS.get(case.state, case.state),
        steps=[
            (
                step_label(s.kind),
                STEP_STATE_LABELS.get(s.state, s.state),
                _day(s.due_at),
            )
            for s in steps
        ],
        history=history,
        appointments=[
            (
                _when(a.starts_at),
                APPOINTMENT_LABELS.get(a.kind, a.kind),
                a.location,
                APPOINTMENT_STATUS_LABELS.get(a.status, a.status),
            )
            for a in appointments
        ],
        visits=[(_when(v.held_at), v.participants, v.topics) for v in visits],
    )


def html(copy: Copy) -> str:
    """The copy as HTML in the household's language, and in German after it if that differs."""
    languages = list(i18n.choose_languages(copy.household.languages))
    if i18n.SOURCE_LANGUAGE not in languages:
        languages.append(i18n.SOURCE_LANGUAGE)
    parts = [_part(copy, language) for language in languages]
    environment: Environment = i18n.environment(i18n.SOURCE_LANGUAGE, True)
    return environment.get_template("data_copy.html.jinja").render(parts=parts, copy=copy)


def _part(copy: Copy, language: str) -> dict[str, Any]:
    template = i18n.environment(language, True).get_template("data_copy_part.html.jinja")
    return {
        "language": language,
        "direction": i18n.text_direction(language),
        "html": Markup(template.render(copy=copy, lang=language)),  # escaped by its template
    }


def pdf(copy: Copy) -> bytes:
    """The copy as a PDF (as many pages as it takes)."""
    from weasyprint import HTML  # loads Pango: only when a copy is made

    result = HTML(string=html(copy)).write_pdf()
    assert result is not None
    return bytes(result)
