"""The one way to change a case: ``advance`` (and ``Change`` for the engine's own callers).

Within the caller's transaction it loads the case, checks the trigger is allowed now and its
guards hold, then writes the new state, one history entry per transition and the effects.
The caller's unit of work commits; nothing leaves the process before that.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any, TypedDict, Unpack

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from core import limits
from core.clock import utc_now
from core.config import get_settings
from models import Case, CaseEvent, CaseStep, Household, Staff
from workflows.engine import derived, reminders
from workflows.engine.access import staff_may_work_on
from workflows.engine.definition import Workflow
from workflows.engine.effects import Context, Effect
from workflows.engine.errors import CaseInTransfer, CaseNotFound, InvalidInput, StaleCase
from workflows.engine.facts import CaseFacts
from workflows.engine.judging import NO_INPUT, Judge, Judged, TriggerOption
from workflows.engine.writing import Writer


class Inputs(TypedDict, total=False):
    """What a trigger may be given besides who gives it. ``at`` is a moment (an appointment),
    ``on`` a calendar day (a follow-up date), ``happened_on`` the day something really happened
    (before the click), ``confirm`` an explicit yes where a guard asks for one (a visit
    recorded before its planned time), ``partner_id`` and ``message`` a partner chosen for a
    referral and the words to it; ``expected_version`` refuses a stale form, ``now`` stamps
    the change (default: the clock)."""

    note: str | None
    at: datetime | None
    on: date | None
    happened_on: date | None
    confirm: bool
    partner_id: int | None
    message: str | None
    expected_version: int | None
    now: datetime | None


def advance(
    session: Session, case_id: int, trigger: str, *, actor_id: int | None, **inputs: Unpack[Inputs]
) -> Case:
    """Apply ``trigger`` to the case and record who did it, or raise a domain error."""
    return transition(session, case_id, trigger, actor_id=actor_id, **inputs).case


def transition(
    session: Session, case_id: int, trigger: str, *, actor_id: int | None, **inputs: Unpack[Inputs]
) -> "Change":
    """:func:`advance`, answering with the whole change: the case, its steps as written
    (``Change.steps``) and the history entries recorded (``Change.recorded``), so a caller can
    say what changed without reading anything back."""
    note, message, at = inputs.get("note"), inputs.get("message"), inputs.get("at")
    for name, text in (("note", note), ("message", message)):
        if text is not None and len(text) > limits.NOTE:
            raise InvalidInput({name: f"Höchstens {limits.NOTE} Zeichen."})
    at = at.astimezone(UTC) if at is not None and at.tzinfo is not None else at
    expected_version, now = inputs.get("expected_version"), inputs.get("now")
    with changing(
        session, case_id, actor_id=actor_id, expected_version=expected_version, note=note, now=now
    ) as change:
        params = {
            "note": note, "at": at, "on": inputs.get("on"),
            "happened_on": inputs.get("happened_on"), "confirm": inputs.get("confirm", False),
            "partner_id": inputs.get("partner_id"), "message": message,
        }  # fmt: skip
        change.write(change.judge(trigger, params))
    return change


@contextmanager
def changing(
    session: Session,
    case_id: int,
    *,
    actor_id: int | None,
    expected_version: int | None = None,
    note: str | None = None,
    now: datetime | None = None,
    handover: bool = False,
) -> Iterator["Change"]:
    """One change to a case that is more than one trigger (a household edit, a transfer).

    The case is locked and checked (another office's case is not found, a stale
    ``expected_version`` refused); inside, the caller writes through the :class:`Change`;
    at the end, if anything was written, the version goes up, the automatic transitions fire
    and the derived fields are kept true. An exception inside leaves the case as it was (the
    caller's unit of work rolls back).

    While the case is handed over to another office, staff change nothing (``CaseInTransfer``)
    except the handover itself (``handover=True``: the receiving office may answer it); what
    the system does by itself (a partner's answer, the morning look) goes on."""
    loaded = _lock(session, case_id, actor_id)
    if loaded is None:
        raise CaseNotFound(case_id)
    # Stamped once the case is ours: changes to one case are recorded in the order they commit.
    now = now or utc_now()
    case, household, staff = loaded
    offices = [case.office_id]
    if handover and case.transfer_to_office_id is not None:
        offices.append(case.transfer_to_office_id)  # the receiving office answers a handover
    if actor_id is not None and (
        staff is None or not any(staff_may_work_on(staff, office) for office in offices)
    ):
        raise CaseNotFound(case_id)  # another office's case is not shown, not merely refused
    if actor_id is not None and case.transfer_to_office_id is not None and not handover:
        raise CaseInTransfer(case_id)  # staff wait for the handover; the system goes on
    if expected_version is not None and case.version != expected_version:
        raise StaleCase(case_id, expected_version, case.version)
    change = Change(
        session, case, actor_id=actor_id, now=now, note=note, household=household, versioned=True
    )
    with reminders.queued_together(session):
        yield change
        if change.writer.written:  # (the version went up with the first entry)
            change.finish()


# Built once: building and keying a statement costs more than running this one.
_LOCK = (
    select(Case, Household, Staff)
    .join(Household, col(Household.id) == Case.household_id)
    .outerjoin(Staff, col(Staff.id) == bindparam("actor_id"))  # None (the system): no row
    .where(col(Case.id) == bindparam("case_id"))
    .with_for_update(key_share=True, of=Case)
    .execution_options(populate_existing=True)
)


def _lock(
    session: Session, case_id: int, actor_id: int | None
) -> tuple[Case, Household, Staff | None] | None:
    """The case, read fresh and held until commit, with its household and the actor.

    Two changes to one case queue instead of racing: PostgreSQL locks the case row (``FOR NO
    KEY UPDATE``: rows that merely refer to the case can still be written), SQLite's ``BEGIN
    IMMEDIATE`` serialises every writer already. The second one is judged against what the
    first committed, so the same step done twice is refused and two different steps both hold.
    The steps are read by the next statement (``CaseFacts.steps``), not joined here: after
    waiting for the lock, PostgreSQL re-reads the locked row but not the rows joined to it.
    """
    row = session.execute(_LOCK, {"case_id": case_id, "actor_id": actor_id}).first()
    return None if row is None else (row[0], row[1], row[2])


class Change:
    """One change to one case: a :class:`Judge` decides, a :class:`Writer` writes, and
    ``finish`` fires the automatic transitions and keeps the derived fields true."""

    def __init__(
        self,
        session: Session,
        case: Case,
        *,
        actor_id: int | None,
        now: datetime,
        note: str | None,
        household: Household | None = None,
        versioned: bool = False,
        facts: CaseFacts | None = None,
    ) -> None:
        """``versioned``: a case on record (not one being opened), its version goes up;
        ``facts``: what was read about the case already (a page judging its buttons)."""
        self.session, self.case, self.note = session, case, note
        self.facts = facts or CaseFacts(
            session, case, actor_id=actor_id, now=now, settings=get_settings(), household=household
        )
        self.workflow: Workflow = self.facts.workflow
        self.judging = Judge(self.workflow, case, self.facts)
        self.writer = Writer(
            session, case, self.facts, actor_id=actor_id, now=now,
            step_initial=self.workflow.step.initial, versioned=versioned,
        )  # fmt: skip

    def judge(self, trigger: str, params: dict[str, Any]) -> Judged:
        """Run the trigger in memory; raises unless it is allowed and its guards hold."""
        return self.judging.judge(trigger, params)

    def write(self, judged: Judged) -> None:
        self.writer.write(judged, self.note)

    def fire(self, trigger: str, **params: Any) -> None:
        """Judge and write one more trigger within this change (used when a case is opened)."""
        merged = {**NO_INPUT, "note": self.note, **params}
        self.writer.write(self.judge(trigger, merged), merged["note"])

    def apply(self, effect: Effect) -> None:
        """Apply one effect outside a transition (a deadline moved by a household edit)."""
        w = self.writer
        effect.apply(
            Context(self.session, self.case, self.facts, w.actor_id, w.now, self.facts.settings)
        )

    def record(self, what: str, note: str | None = None, *, step_kind: str | None = None) -> None:
        """A history entry for a change that is no transition (a household edit, a handover);
        any pending reminder may be moot after it."""
        self.writer.record(what, step_kind, None, None, note)
        self.writer.touched_steps = None

    @property
    def recorded(self) -> list[CaseEvent]:
        """The history entries written so far, in order (transient objects, not in the
        session)."""
        return self.writer.recorded

    @property
    def steps(self) -> list[CaseStep]:
        """The case's steps as this change left them (all loaded by ``finish``)."""
        return list(self.facts.steps.values())

    def options(self) -> list[TriggerOption]:
        return self.judging.options()

    def finish(self) -> None:
        """Fire the automatic transitions, cancel moot reminders, keep the derived fields true."""
        for trigger in self.workflow.automatic:
            judged = self.judging.automatic(trigger)
            if judged is not None:
                self.note = "automatisch"
                self.write(judged)
        # The steps are loaded here (if no trigger needed them), so judging the reminders finds
        # them in the session; without a flush: every step row is in the session already.
        with self.session.no_autoflush:
            steps = self.facts.steps
        # Derived first: the case's changes then go out in one UPDATE when the reminders are read.
        derived.refresh(self.case, self.workflow, steps.values(), self.writer.now)
        reminders.cancel_obsolete(self.session, self.case, steps=self.writer.touched_steps)
        self.session.flush()


def allowed_triggers(
    session: Session, case_id: int, now: datetime | None = None, *, facts: CaseFacts | None = None
) -> list[TriggerOption]:
    """The buttons for a case: triggers possible now and, for the others, why not. ``facts``:
    the case's facts a page has read already (its steps, members, consents, partners)."""
    if facts is not None:
        return Change(
            session, facts.case, actor_id=None, now=facts.now, note=None, facts=facts
        ).options()
    case = session.get(Case, case_id)
    if case is None:
        raise CaseNotFound(case_id)
    return Change(session, case, actor_id=None, now=now or utc_now(), note=None).options()
