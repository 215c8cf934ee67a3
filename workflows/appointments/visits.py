"""A home visit recorded as it happened: when, who was there, the interpreter, what was said,
and the next steps agreed, each with who does it and by when (the caseworker is reminded).

Recording a visit is one change of the case: the trigger that finishes the visit
(``record_welcome_visit``, ``complete_follow_up``, ``continue_support``) goes through the engine
with the record, so a visit recorded before its planned time needs the explicit confirmation
the workflow asks for, and nothing is written when anything is refused.
"""

from datetime import date, datetime, timedelta
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, field_validator
from sqlmodel import Session, col, select

from core import limits
from core.clock import berlin, format_berlin, shift_local, start_of_day, utc_now
from models import Agreement, Case, VisitRecord
from models.enums import Recipient, ReminderKind
from workflows.casework.fields import Day, Language, Name
from workflows.engine import reminders
from workflows.engine.access import may_work_on
from workflows.engine.changes import changing
from workflows.engine.errors import CaseNotFound, InvalidInput, NotFound
from workflows.engine.judging import NO_INPUT
from workflows.move_in.guards import VISIT_HELD

AGREEMENTS_PER_VISIT = 10
# The caseworker hears of an agreement due at 8 o'clock that morning.
MORNING = timedelta(hours=8)
Text = Annotated[str, Field(min_length=1, max_length=limits.NOTE, pattern=limits.TEXT_PATTERN)]
Line = Annotated[str, Field(min_length=1, max_length=500, pattern=limits.LINE_PATTERN)]


class AgreementIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    what: Line
    owner: Name = Field(description="Who does it: the family, a colleague, a partner.")
    due_on: Day

    @field_validator("due_on")
    @classmethod
    def _ahead(cls, value: date) -> date:
        today = berlin(utc_now()).date()
        if not today <= value <= today + timedelta(days=366):
            raise ValueError("Bitte ein Datum von heute bis in einem Jahr angeben.")
        return value


class VisitRecordIn(BaseModel):
    """What happened at the visit."""

    model_config = ConfigDict(extra="forbid")

    held_at: AwareDatetime | None = Field(
        default=None, description="When it really took place; default: as planned (or now)."
    )
    participants: Line = Field(description="Who was there, e.g. 'Frau Haddad, Omar, Lea Brandt'.")
    interpreter_language: Language | None = None
    interpreter_name: Name | None = None
    topics: Text
    agreements: list[AgreementIn] = Field(default_factory=list, max_length=AGREEMENTS_PER_VISIT)
    confirm_early: StrictBool = Field(
        default=False, description="Yes, it took place before its planned time."
    )


class AgreementNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Vereinbarung nicht gefunden.")


def record_visit(
    session: Session,
    case_id: int,
    trigger: str,
    record: VisitRecordIn,
    *,
    actor_id: int | None,
    expected_version: int | None = None,
    now: datetime | None = None,
) -> VisitRecord:
    """Finish the planned visit through ``trigger`` and keep its record and agreements."""
    kind = VISIT_HELD.get(trigger)
    if kind is None:
        raise InvalidInput({"trigger": "Diese Aktion beendet keinen Besuch."})
    with changing(
        session, case_id, actor_id=actor_id, expected_version=expected_version, now=now
    ) as change:
        now = change.writer.now
        planned = change.facts.scheduled_visit(kind)
        held_at = record.held_at or (min(planned.starts_at, now) if planned else now)
        if held_at > now + timedelta(minutes=5):
            raise InvalidInput(
                {"held_at": "Der Besuch kann nicht in der Zukunft stattgefunden haben."}
            )
        if held_at < now - timedelta(days=366):
            raise InvalidInput({"held_at": "Das Datum liegt mehr als ein Jahr zurück."})
        interpreter = _interpreter(record)
        change.note = f"Besuch am {format_berlin(held_at)}{interpreter}"
        change.write(change.judge(trigger, {**NO_INPUT, "confirm": record.confirm_early}))
        visit = VisitRecord(
            case_id=case_id,
            appointment_id=planned.id if planned else None,
            held_at=held_at,
            participants=record.participants.strip(),
            interpreter_language=record.interpreter_language,
            interpreter_name=record.interpreter_name,
            topics=record.topics.strip(),
            recorded_by_id=actor_id,
            recorded_at=now,
        )
        session.add(visit)
        session.flush()
        for agreed in record.agreements:
            _agree(session, change.case, visit, agreed, now)
    return visit


def _interpreter(record: VisitRecordIn) -> str:
    if not record.interpreter_language and not record.interpreter_name:
        return ""
    parts = [p for p in (record.interpreter_language, record.interpreter_name) if p]
    return f"; Dolmetschung: {', '.join(parts)}"


def _agree(
    session: Session, case: Case, visit: VisitRecord, agreed: AgreementIn, now: datetime
) -> None:
    agreement = Agreement(
        case_id=case.id,  # type: ignore[arg-type]
        visit_record_id=visit.id,  # type: ignore[arg-type]
        what=agreed.what.strip(),
        owner=agreed.owner,
        due_on=agreed.due_on,
    )
    session.add(agreement)
    session.flush()
    due = max(shift_local(start_of_day(agreed.due_on), MORNING), now)
    reminders.schedule(
        session, case, ReminderKind.AGREEMENT_DUE, Recipient.CASEWORKER, due, now,
        agreement_id=agreement.id,
    )  # fmt: skip


def visits_of(session: Session, case_id: int) -> list[tuple[VisitRecord, list[Agreement]]]:
    """The case's visit records, newest first, each with what was agreed."""
    records = session.exec(
        select(VisitRecord)
        .where(VisitRecord.case_id == case_id)
        .order_by(col(VisitRecord.held_at).desc())
    ).all()
    agreed = session.exec(
        select(Agreement).where(Agreement.case_id == case_id).order_by(col(Agreement.due_on))
    ).all()
    return [(r, [a for a in agreed if a.visit_record_id == r.id]) for r in records]


def agreement_done(
    session: Session, case_id: int, agreement_id: int, *, actor_id: int, now: datetime | None = None
) -> Agreement:
    """An agreed next step is done: it leaves the reminders."""
    case = session.get(Case, case_id)
    if case is None or not may_work_on(session, actor_id, case.office_id):
        raise CaseNotFound(case_id)
    agreement = session.get(Agreement, agreement_id)
    if agreement is None or agreement.case_id != case_id:
        raise AgreementNotFound()
    if agreement.done_at is None:
        agreement.done_at, agreement.done_by_id = now or utc_now(), actor_id
        session.flush()
        reminders.cancel_obsolete(session, case, agreement_id=agreement_id)
    return agreement
