"""Consultation-hour appointments (Sprechstunde) booked for a household, with their invitations.

They are not part of the case's lifecycle (a household may come any number of times), so they
do not go through ``advance``; like the visits, every change sends the household its calendar
invitation, update or cancellation (same UID, SEQUENCE counting the changes).
"""

from datetime import datetime

from sqlmodel import Session

from core.clock import utc_now
from core.config import get_settings
from models import Appointment, Case, Office, SubLocation
from models.enums import AppointmentKind, AppointmentStatus
from workflows.appointments.notices import (
    announce_appointment,
    call_off_appointment,
    cancel_appointment_reminders,
)
from workflows.engine.access import may_work_on
from workflows.engine.definition import get_workflow
from workflows.engine.errors import CaseNotFound, InvalidInput


def _case(session: Session, case_id: int, actor_id: int | None) -> Case:
    case = session.get(Case, case_id)
    if case is None or not may_work_on(session, actor_id, case.office_id):
        raise CaseNotFound(case_id)
    if get_workflow(case.workflow, case.workflow_version).is_closed(case.state):
        raise InvalidInput({"case": "Der Fall ist abgeschlossen."})
    return case


def _future(starts_at: datetime, now: datetime) -> None:
    if starts_at.tzinfo is None or starts_at <= now:
        raise InvalidInput({"starts_at": "Der Termin muss in der Zukunft liegen."})


def _place(session: Session, case: Case, sub_location_id: int | None) -> str:
    """The office's address, or the sub-location's where the consultation is held."""
    if sub_location_id is not None:
        place = session.get(SubLocation, sub_location_id)
        if place is None or place.office_id != case.office_id:
            raise InvalidInput({"sub_location_id": "Dieser Standort gehört nicht zum Büro."})
        return f"{place.name}, {place.address}"
    office = session.get(Office, case.office_id)
    assert office is not None
    return f"lokal willkommen {office.name}, {office.address}"


def _scheduled(
    session: Session, appointment_id: int, actor_id: int | None
) -> tuple[Appointment, Case]:
    appointment = session.get(Appointment, appointment_id)
    if appointment is None or appointment.kind != AppointmentKind.CONSULTATION:
        raise InvalidInput({"appointment_id": "Kein Sprechstundentermin."})
    case = _case(session, appointment.case_id, actor_id)
    if appointment.status != AppointmentStatus.SCHEDULED:
        raise InvalidInput({"appointment_id": "Der Termin ist nicht mehr geplant."})
    return appointment, case


def book(
    session: Session,
    case_id: int,
    starts_at: datetime,
    *,
    actor_id: int | None,
    sub_location_id: int | None = None,
    duration_minutes: int = 30,
    now: datetime | None = None,
) -> Appointment:
    """Book a consultation appointment; the household gets an invitation with its .ics."""
    now = now or utc_now()
    case = _case(session, case_id, actor_id)
    _future(starts_at, now)
    appointment = Appointment(
        case_id=case_id,
        kind=AppointmentKind.CONSULTATION,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=_place(session, case, sub_location_id),
        staff_id=actor_id,
    )
    session.add(appointment)
    session.flush()
    announce_appointment(session, case, appointment, now, get_settings(), moved=False)
    return appointment


def reschedule(
    session: Session,
    appointment_id: int,
    starts_at: datetime,
    *,
    actor_id: int | None,
    now: datetime | None = None,
) -> Appointment:
    """Move it: the same calendar entry with a higher SEQUENCE, the old emails not sent."""
    now = now or utc_now()
    appointment, case = _scheduled(session, appointment_id, actor_id)
    _future(starts_at, now)
    appointment.starts_at = starts_at
    appointment.sequence += 1
    cancel_appointment_reminders(session, appointment, "Termin verschoben")
    announce_appointment(session, case, appointment, now, get_settings(), moved=True)
    session.flush()
    return appointment


def cancel(
    session: Session, appointment_id: int, *, actor_id: int | None, now: datetime | None = None
) -> Appointment:
    """Call it off; a household that was invited gets the cancellation (METHOD:CANCEL)."""
    appointment, case = _scheduled(session, appointment_id, actor_id)
    call_off_appointment(session, case, appointment, now or utc_now(), "Termin abgesagt")
    session.flush()
    return appointment
