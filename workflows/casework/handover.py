"""A case changes hands: to a colleague (reassign) or to another office (transfer).

Reassigning keeps the case in its office; the new caseworker also takes over the planned
visits, so the reminders before them reach the new person (recipients are resolved when a
reminder is sent). A transfer is asked by the sending office when the household moves to a
district of another office, and takes effect when that office accepts it. Until then both
offices see the case read-only "in Übergabe"; the sending office may withdraw it, the receiving
one decline it with a reason. On acceptance the case, its household, history, reminders and
referrals belong to the new office; everyone else still finds nothing (404).
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlmodel import Session, col, select

from core import validation
from models import Appointment, Case, Household, Office, Staff
from models.enums import AppointmentStatus, District, Role
from workflows.casework.fields import PostalCode, Street
from workflows.casework.notices import notify
from workflows.engine.access import staff_may_work_on
from workflows.engine.changes import Change, changing
from workflows.engine.errors import Conflict, InvalidInput

REASSIGN_TRIGGER = "reassign"
REQUEST_TRIGGER = "request_transfer"
ACCEPT_TRIGGER = "accept_transfer"
DECLINE_TRIGGER = "decline_transfer"
WITHDRAW_TRIGGER = "withdraw_transfer"


class NoTransfer(Conflict):
    def __init__(self) -> None:
        super().__init__("Für diesen Fall ist keine Übergabe offen.")


def _staff(session: Session, actor_id: int | None) -> Staff | None:
    return session.get(Staff, actor_id) if actor_id is not None else None


def _assignable(session: Session, staff_id: int, office_id: int) -> Staff:
    person = session.get(Staff, staff_id)
    if (
        person is None
        or not person.active
        or person.role not in (Role.CASEWORKER, Role.SUPERVISOR)
        or person.office_id != office_id
    ):
        raise InvalidInput({"assignee_id": "Bitte eine aktive Person dieses Büros wählen."})
    return person


def _take_over_visits(session: Session, case: Case, old: int | None, new: int) -> None:
    """Visits planned by the previous caseworker are the new one's (and their reminders)."""
    query = select(Appointment).where(
        Appointment.case_id == case.id, Appointment.status == AppointmentStatus.SCHEDULED
    )
    for visit in session.exec(query):
        if visit.staff_id is None or visit.staff_id == old:
            visit.staff_id = new


def may_reassign(staff: Staff, case: Case) -> bool:
    """Supervisors hand any case of their offices on; a caseworker their own (or an unassigned)."""
    if not staff_may_work_on(staff, case.office_id):
        return False
    return staff.role == Role.SUPERVISOR or case.assignee_id in (None, staff.id)


def reassign(
    session: Session,
    case_id: int,
    assignee_id: int,
    *,
    actor_id: int,
    note: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """Hand the case to a colleague of the same office (leave, tandem work)."""
    with changing(
        session, case_id, actor_id=actor_id, expected_version=expected_version, now=now
    ) as change:
        case = change.case
        staff = _staff(session, actor_id)
        if staff is None or not may_reassign(staff, case):
            raise InvalidInput(
                {"assignee_id": "Nur die Leitung oder die zuständige Person kann den Fall abgeben."}
            )
        person = _assignable(session, assignee_id, case.office_id)
        if person.id == case.assignee_id:
            return case
        old, case.assignee_id = case.assignee_id, person.id
        _take_over_visits(session, case, old, person.id)  # type: ignore[arg-type]
        change.record(REASSIGN_TRIGGER, _with_note(f"Zuständig: {person.name}", note))
        if person.id != actor_id:
            notify(
                session, case_id, f"assigned:{person.id}:{change.writer.now.isoformat()}",
                f"Der Fall wurde Ihnen übergeben von {staff.name}.", change.writer.now,
            )  # fmt: skip
    return case


def _with_note(text: str, note: str | None) -> str:
    note = (note or "").strip()
    return f"{text}. {note}" if note else text


class Move(BaseModel):
    """The new address when a household moves to another office's district."""

    street: Street
    postal_code: PostalCode
    district: District


def parse_move(data: dict[str, Any]) -> Move:
    try:
        return Move.model_validate(data)
    except ValidationError as exc:
        raise InvalidInput(validation.by_field(exc.errors())) from None


def receiving_office(session: Session, district: District) -> Office | None:
    offices = session.exec(select(Office)).all()
    return next((office for office in offices if district in office.districts), None)


def request_transfer(
    session: Session,
    case_id: int,
    *,
    street: str,
    postal_code: str,
    district: District,
    actor_id: int,
    note: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Office:
    """The household moved to another office's district: record the new address and hand the
    case over, once that office accepts."""
    with changing(
        session, case_id, actor_id=actor_id, expected_version=expected_version, now=now
    ) as change:
        case = change.case
        target = receiving_office(session, district)
        if target is None:
            raise InvalidInput({"district": f"Kein Büro für den Bezirk {district} eingerichtet."})
        if target.id == case.office_id:
            raise InvalidInput(
                {"district": f"{district} gehört zu diesem Büro: bitte die Adresse ändern."}
            )
        if change.workflow.is_closed(case.state):
            raise InvalidInput({"district": "Ein abgeschlossener Fall wird nicht übergeben."})
        household = change.facts.household
        household.street, household.postal_code, household.district = street, postal_code, district
        household.sub_location_id = None  # a place of the old office
        case.transfer_to_office_id = target.id
        case.transfer_requested_at, case.transfer_requested_by_id = change.writer.now, actor_id
        change.record(REQUEST_TRIGGER, _with_note(f"Übergabe an {target.name} angefragt", note))
    return target


@contextmanager
def _answering(
    session: Session,
    case_id: int,
    side: str,
    *,
    actor_id: int,
    expected_version: int | None,
    now: datetime | None,
) -> Iterator[tuple[Change, Staff]]:
    """A change that answers an open handover, by someone of its ``side`` ("receiving" or
    "sending"); the handover ends with it."""
    with changing(
        session, case_id, actor_id=actor_id, expected_version=expected_version, now=now,
        handover=True,
    ) as change:  # fmt: skip
        case, staff = change.case, _staff(session, actor_id)
        if case.transfer_to_office_id is None:
            raise NoTransfer()
        office = case.transfer_to_office_id if side == "receiving" else case.office_id
        if staff is None or not staff_may_work_on(staff, office):
            who = "das aufnehmende" if side == "receiving" else "das abgebende"
            raise InvalidInput({"transfer": f"Das kann nur {who} Büro."})
        yield change, staff
        _end(case)


def _end(case: Case) -> None:
    case.transfer_to_office_id = None
    case.transfer_requested_at = case.transfer_requested_by_id = None


def accept_transfer(
    session: Session,
    case_id: int,
    *,
    actor_id: int,
    assignee_id: int | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """The receiving office takes the case: from now on it is theirs, with all it holds."""
    with _answering(
        session, case_id, "receiving", actor_id=actor_id, expected_version=expected_version,
        now=now,
    ) as (change, staff):  # fmt: skip
        case = change.case
        target = case.transfer_to_office_id
        assert target is not None
        person = _assignable(session, assignee_id or actor_id, target)
        sending = session.get(Office, case.office_id)
        old = case.assignee_id
        case.office_id, case.assignee_id = target, person.id
        household = session.get(Household, case.household_id)
        assert household is not None
        household.office_id = target
        _take_over_visits(session, case, old, person.id)  # type: ignore[arg-type]
        change.record(
            ACCEPT_TRIGGER,
            f"Übernommen von {staff.name} (aus {sending.name if sending else 'anderem Büro'}); "
            f"zuständig: {person.name}",
        )
    return case


def decline_transfer(
    session: Session,
    case_id: int,
    *,
    actor_id: int,
    note: str,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """The receiving office does not take the case (with a reason); it stays where it was."""
    if not note.strip():
        raise InvalidInput({"note": "Bitte einen Grund angeben."})
    with _answering(
        session, case_id, "receiving", actor_id=actor_id, expected_version=expected_version,
        now=now,
    ) as (change, staff):  # fmt: skip
        case = change.case
        receiving = session.get(Office, case.transfer_to_office_id)
        text = f"Übergabe abgelehnt von {staff.name} ({receiving.name if receiving else ''}): "
        change.record(DECLINE_TRIGGER, text + note.strip())
        notify(
            session, case_id, f"declined:{change.writer.now.isoformat()}",
            text + note.strip(), change.writer.now,
        )  # fmt: skip
    return case


def withdraw_transfer(
    session: Session,
    case_id: int,
    *,
    actor_id: int,
    note: str | None = None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> Case:
    """The sending office keeps the case after all."""
    with _answering(
        session, case_id, "sending", actor_id=actor_id, expected_version=expected_version,
        now=now,
    ) as (change, _staff_member):  # fmt: skip
        change.record(WITHDRAW_TRIGGER, _with_note("Übergabe zurückgezogen", note))
    return change.case


def transfers_to(session: Session, office_ids: list[int] | None) -> list[Case]:
    """Cases waiting for one of these offices to accept them, oldest request first."""
    query = select(Case).where(col(Case.transfer_to_office_id).is_not(None))
    if office_ids is not None:
        query = query.where(col(Case.transfer_to_office_id).in_(office_ids))
    return list(session.exec(query.order_by(col(Case.transfer_requested_at))))
