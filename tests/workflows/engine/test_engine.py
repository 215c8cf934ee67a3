"""The engine on a real database (SQLite and PostgreSQL) and a real Redis: ``open_case``,
``advance`` and ``allowed_triggers`` as staff experience them.
"""

import base64
import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from itertools import permutations
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, SQLModel, col, select

from core.clock import BERLIN, berlin, utc_now
from core.db import unit_of_work
from models import (
    Appointment,
    Case,
    CaseEvent,
    CaseStep,
    Household,
    HouseholdMember,
    Office,
    OutboxMessage,
    Referral,
    Reminder,
    Staff,
)
from models.enums import AppointmentStatus, PartnerCategory, ReminderKind, ReminderStatus
from tests.helpers import in_hours, reminders, signed, step
from workflows import consent
from workflows.engine import advance, allowed_triggers, outbox
from workflows.engine.errors import (
    CaseNotFound,
    Conflict,
    GuardFailed,
    InvalidInput,
    StaleCase,
    TransitionNotAllowed,
    UnknownTrigger,
)

# ---------------------------------------------------------------------------------------------
# Helpers


def today() -> date:
    return berlin(utc_now()).date()


def born(years: int) -> str:
    """A birth date that makes someone exactly ``years`` old today (1 January of that year)."""
    return date(today().year - years, 1, 1).isoformat()


def member(given_name: str, years: int, **flags: bool) -> dict[str, Any]:
    return {"given_name": given_name, "family_name": "Haddad", "birth_date": born(years), **flags}


ADULT = member("Amal", 38, is_contact=True)  # not able to work: no job search step


def count(model: type[SQLModel]) -> int:
    with unit_of_work() as session:
        return session.exec(select(func.count()).select_from(model)).one()


def history(case_id: int) -> list[str]:
    with unit_of_work() as session:
        query = select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id))
        return [event.trigger for event in session.exec(query)]


def load_case(case_id: int) -> Case:
    with unit_of_work() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return case


def steps_of(case_id: int) -> dict[str, CaseStep]:
    with unit_of_work() as session:
        query = select(CaseStep).where(CaseStep.case_id == case_id)
        return {row.kind: row for row in session.exec(query)}


def snapshot(case_id: int) -> dict[str, Any]:
    """Everything a change to the case could touch, as plain values."""
    case = load_case(case_id)
    return {
        "state": case.state,
        "version": case.version,
        "next_due_at": case.next_due_at,
        "history": history(case_id),
        "steps": {kind: row.state for kind, row in steps_of(case_id).items()},
        "reminders": [(r.kind, r.status) for r in reminders(case_id)],
        "appointments": count(Appointment),
        "outbox": count(OutboxMessage),
    }


def household_id_of(case_id: int) -> int:
    return load_case(case_id).household_id


def grant(case_id: int, category: PartnerCategory, actor_id: int) -> None:
    with unit_of_work() as session:
        consent.grant(
            session, household_id_of(case_id), category, actor_id=actor_id, evidence=signed()
        )


def end_of_day_in_berlin(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), datetime.min.time(), BERLIN)


def visited(world, **intake: Any) -> int:  # type: ignore[no-untyped-def]
    """A case whose welcome visit has taken place (the steps are still open)."""
    case_id = world.open_case(**intake)
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(48))
    step(case_id, "record_welcome_visit", world.caseworker_id, confirm=True)
    return case_id


# ---------------------------------------------------------------------------------------------
# Intake


def test_intake_opens_exactly_the_steps_that_apply(world):
    """Given a household with a 4-year-old and an 8-year-old already in school,
    when staff take it in,
    then registration, energy and kindergarten open, school does not,
    registration carries the legal deadline 14 days after moving in,
    and the history shows the opening and one entry per step."""
    moved_in = today() - timedelta(days=2)
    members = [ADULT, member("Lina", 4), member("Omar", 8, in_school=True)]

    case_id = world.open_case(members=members, moved_in_on=moved_in.isoformat())

    steps = steps_of(case_id)
    assert set(steps) == {"registration", "energy", "kindergarten"}
    assert {row.state for row in steps.values()} == {"open"}
    registration = steps["registration"]
    assert registration.legal_deadline is True
    assert berlin(registration.due_at) == end_of_day_in_berlin(moved_in + timedelta(days=14))
    assert steps["energy"].legal_deadline is False
    events = history(case_id)
    assert events[0] == "open_case"
    assert sorted(events[1:]) == ["open_energy", "open_kindergarten", "open_registration"]
    assert load_case(case_id).state == "intake"


UNBORN = {**member("Noor", 0), "birth_date": (today() + timedelta(days=3)).isoformat()}


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"members": []}, "members"),
        ({"postal_code": "1234A"}, "postal_code"),
        ({"members": [ADULT, UNBORN]}, "members.1.birth_date"),
        ({"district": "Gotham"}, "district"),
        ({"district": "Brackel"}, "district"),  # a real district, but no office serves it here
        ({"members": [ADULT], "requested_steps": ["school"]}, "requested_steps.school"),
    ],
    ids=["no-members", "postal-code", "birth-in-future", "unknown-district", "unserved-district",
         "step-that-does-not-apply"],
)  # fmt: skip
def test_invalid_intake_is_refused_at_its_field_and_writes_nothing(world, overrides, field):
    """Given intake data with one mistake, when staff submit it,
    then they are told which field is wrong and no household, case or step is stored."""
    with pytest.raises(InvalidInput) as refused:
        world.open_case(**overrides)

    assert field in refused.value.errors
    assert refused.value.errors[field]
    for table in (Household, HouseholdMember, Case, CaseEvent, CaseStep, Reminder, OutboxMessage):
        assert count(table) == 0, table.__tablename__


# ---------------------------------------------------------------------------------------------
# Domain errors


def _check_not_found(error: Exception, case_id: int) -> None:
    assert isinstance(error, CaseNotFound)
    assert error.case_id == case_id + 1000


def _check_not_allowed(error: Exception, case_id: int) -> None:
    assert type(error) is TransitionNotAllowed
    assert error.state == "intake"
    assert "schedule_welcome_visit" in error.allowed
    assert "record_welcome_visit" not in error.allowed


def _check_unknown(error: Exception, case_id: int) -> None:
    assert isinstance(error, UnknownTrigger)
    assert "schedule_welcome_visit" in error.allowed


def _check_no_consent(error: Exception, case_id: int) -> None:
    assert isinstance(error, GuardFailed)
    assert error.guard == "consent_given"
    assert error.reason == "Einwilligung des Haushalts zur Weitergabe an 'Energieberatung' fehlt."


def _check_past_visit(error: Exception, case_id: int) -> None:
    assert isinstance(error, GuardFailed)
    assert error.guard == "appointment_in_future"
    assert error.reason == "Der Termin muss in der Zukunft liegen."


def _check_stale(error: Exception, case_id: int) -> None:
    assert isinstance(error, StaleCase)
    assert isinstance(error, Conflict)
    assert (error.expected, error.actual) == (1, 2)


DOMAIN_ERRORS = [
    ("record_welcome_visit", {}, 1000, _check_not_found),
    ("record_welcome_visit", {}, 0, _check_not_allowed),
    ("fly_to_the_moon", {}, 0, _check_unknown),
    ("refer_energy", {}, 0, _check_no_consent),
    ("schedule_welcome_visit", {"at": "PAST"}, 0, _check_past_visit),
    ("schedule_welcome_visit", {"at": "FUTURE", "expected_version": 1}, 0, _check_stale),
]


@pytest.mark.parametrize(
    ("trigger", "params", "offset", "check"),
    DOMAIN_ERRORS,
    ids=["not-found", "not-allowed-now", "unknown-trigger", "no-consent", "visit-in-past", "stale"],
)
def test_refused_change_raises_its_domain_error_and_changes_nothing(
    world, trigger, params, offset, check
):
    """Given a case in intake (version 2: transit ticket requested since),
    when staff try a change that is refused,
    then they get the matching domain error, and even if the caller goes on and commits,
    the case's state, version, steps, reminders and history are as before."""
    case_id = world.open_case()
    step(case_id, "open_transit_ticket", world.caseworker_id)
    before = snapshot(case_id)
    times = {"PAST": in_hours(-1), "FUTURE": in_hours(48)}
    params = {k: times.get(v, v) if isinstance(v, str) else v for k, v in params.items()}

    # The error is caught inside the transaction, which then commits, as a batch job would:
    # anything written before the refusal would be kept.
    with unit_of_work() as session, pytest.raises(Exception) as refused:
        advance(session, case_id + offset, trigger, actor_id=world.caseworker_id, **params)

    check(refused.value, case_id)
    assert snapshot(case_id) == before


# ---------------------------------------------------------------------------------------------
# Work leaves only after commit


def test_rolled_back_change_leaves_no_rows_and_sends_nothing(world, redis_server):
    """Given a case, when a welcome visit three hours ahead is scheduled (its reminder is due at
    once) but the request fails before commit, then no history, reminder or outbox row remains
    and nothing reached the broker; the same change committed does reach it."""
    case_id = world.open_case()  # intake itself queues the household's welcome information
    broker = redis_server.client()
    before, waiting = snapshot(case_id), _broker_payloads(redis_server)

    with pytest.raises(RuntimeError), unit_of_work() as session:
        advance(session, case_id, "schedule_welcome_visit", actor_id=world.caseworker_id,
                at=in_hours(3))  # fmt: skip
        queued = session.exec(select(OutboxMessage)).all()
        assert len(queued) == before["outbox"] + 2  # it did queue work: reminder, invitation
        raise RuntimeError("Verbindung zum Tablet abgebrochen")

    assert snapshot(case_id) == before
    assert _broker_payloads(redis_server) == waiting

    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(3))
    # the queue the caseworker's reminder and the household's invitation would have gone to
    assert broker.llen("messages") == len(waiting) + 2


# ---------------------------------------------------------------------------------------------
# Concurrent changes


@contextmanager
def case_held_briefly(case_id: int, seconds: float = 0.3) -> Iterator[None]:
    """Someone holds the case row for a moment, so both racers read it before either writes."""
    with unit_of_work() as session:
        session.exec(select(Case).where(Case.id == case_id).with_for_update()).one()
        yield
        time.sleep(seconds)


def race(*calls: Callable[[Session], Any], hold_case: int) -> list[Any]:
    """Run each call in its own thread and transaction, released together by a barrier."""
    barrier = threading.Barrier(len(calls) + 1)
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[Session], Any]) -> None:
        barrier.wait()
        try:
            with unit_of_work() as session:
                results[index] = call(session)
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            results[index] = exc

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    with case_held_briefly(hold_case):
        barrier.wait()
    for thread in threads:
        thread.join(30)
        assert not thread.is_alive()
    return results


def advancing(case_id: int, trigger: str, actor_id: int, **params: Any) -> Callable:
    def call(session: Session) -> int:
        return advance(session, case_id, trigger, actor_id=actor_id, **params).version

    return call


def test_two_people_scheduling_the_same_visit_from_the_same_version_one_wins(world):
    """Given a case at version v, when two caseworkers schedule its welcome visit at the same
    moment, both based on version v, then exactly one succeeds, the other is told the case
    changed (StaleCase), the history has one new entry and the version went up by one."""
    case_id = world.open_case()
    before = snapshot(case_id)
    version = before["version"]

    results = race(
        advancing(case_id, "schedule_welcome_visit", world.caseworker_id,
                  at=in_hours(48), expected_version=version),
        advancing(case_id, "schedule_welcome_visit", world.supervisor_id,
                  at=in_hours(50), expected_version=version),
        hold_case=case_id,
    )  # fmt: skip

    errors = [r for r in results if isinstance(r, Exception)]
    assert [r for r in results if r == version + 1] and len(errors) == 1, results
    assert isinstance(errors[0], StaleCase) and isinstance(errors[0], Conflict)
    after = snapshot(case_id)
    assert after["version"] == version + 1
    assert after["history"] == [*before["history"], "schedule_welcome_visit"]
    assert after["appointments"] == 1


def test_two_people_recording_the_same_visit_one_gets_a_conflict(world):
    """Given a scheduled welcome visit, when two caseworkers record it at the same moment
    without naming a version, then one succeeds and the other gets a conflict, and the visit
    is recorded once."""
    case_id = world.open_case()
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(48))
    before = snapshot(case_id)

    results = race(
        advancing(case_id, "record_welcome_visit", world.caseworker_id, confirm=True),
        advancing(case_id, "record_welcome_visit", world.supervisor_id, confirm=True),
        hold_case=case_id,
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1, results
    assert isinstance(errors[0], TransitionNotAllowed | StaleCase)
    after = snapshot(case_id)
    assert after["state"] == "accompanying"
    assert after["version"] == before["version"] + 1
    assert after["history"] == [*before["history"], "record_welcome_visit"]


def test_two_people_completing_different_steps_at_once_both_succeed(world):
    """Given a case after the welcome visit with registration, energy and school open,
    when one caseworker completes registration while another completes energy,
    then both changes are kept: both steps done, two history entries, version up by two,
    and the case stays in accompanying (school is still open)."""
    case_id = visited(world)
    before = snapshot(case_id)

    results = race(
        advancing(case_id, "complete_registration", world.caseworker_id),
        advancing(case_id, "complete_energy", world.supervisor_id),
        hold_case=case_id,
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    after = snapshot(case_id)
    assert after["steps"] == {"registration": "done", "energy": "done", "school": "open"}
    assert after["version"] == before["version"] + 2
    assert sorted(after["history"][len(before["history"]) :]) == [
        "complete_energy", "complete_registration"
    ]  # fmt: skip
    assert after["state"] == "accompanying"


def test_changes_that_waited_for_the_case_are_stamped_in_the_order_they_were_made(world):
    """Given a case someone holds for a moment, when two caseworkers complete two steps at
    that moment, then each history entry is stamped after the case was free again, and the
    entries' times follow the order in which the changes were written."""
    case_id = visited(world)
    started = utc_now()

    results = race(
        advancing(case_id, "complete_registration", world.caseworker_id),
        advancing(case_id, "complete_energy", world.supervisor_id),
        hold_case=case_id,
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    with unit_of_work() as session:
        query = select(CaseEvent).where(CaseEvent.case_id == case_id, CaseEvent.at > started)
        entries = list(session.exec(query.order_by(col(CaseEvent.id))))
    assert sorted(e.trigger for e in entries) == ["complete_energy", "complete_registration"]
    # The case was held for 0.3 s: a stamp taken before the lock would be earlier than that.
    assert all(e.at >= started + timedelta(seconds=0.3) for e in entries), entries
    assert entries[0].at <= entries[1].at


def test_two_people_completing_the_same_step_at_once_one_gets_a_conflict(world):
    """Given a case after the welcome visit with the energy step open,
    when two caseworkers mark energy done at the same moment without naming a version,
    then one succeeds and the other gets a conflict: the step is completed once,
    with one history entry and one version step."""
    case_id = visited(world)
    before = snapshot(case_id)

    results = race(
        advancing(case_id, "complete_energy", world.caseworker_id),
        advancing(case_id, "complete_energy", world.supervisor_id),
        hold_case=case_id,
    )

    errors = [r for r in results if isinstance(r, Exception)]
    assert len(errors) == 1 and isinstance(errors[0], Conflict), results
    after = snapshot(case_id)
    assert after["history"] == [*before["history"], "complete_energy"]
    assert after["version"] == before["version"] + 1


def test_completing_the_last_two_steps_at_once_moves_the_case_to_follow_up(world):
    """Given a visited household whose only open steps are registration and energy,
    when two caseworkers complete one each at the same moment,
    then the case notices every step is closed and the follow-up visit becomes due."""
    case_id = visited(world, members=[ADULT])
    assert set(steps_of(case_id)) == {"registration", "energy"}

    results = race(
        advancing(case_id, "complete_registration", world.caseworker_id),
        advancing(case_id, "complete_energy", world.supervisor_id),
        hold_case=case_id,
    )

    assert not [r for r in results if isinstance(r, Exception)], results
    case = load_case(case_id)
    assert {row.state for row in steps_of(case_id).values()} == {"done"}
    assert case.state == "follow_up_due"
    assert history(case_id)[-1] == "steps_finished"
    assert case.milestone_due_at is not None
    assert case.next_due_at == case.milestone_due_at  # not a closed step's due date


# ---------------------------------------------------------------------------------------------
# Parallel steps


ORDERS = list(permutations(["complete_registration", "complete_energy", "complete_school"]))


@pytest.mark.parametrize(
    ("order", "visit_at"),
    [(order, index % 4) for index, order in enumerate(ORDERS)],
    ids=lambda value: "-".join(t.removeprefix("complete_") for t in value)
    if isinstance(value, tuple) else f"visit{value}",
)  # fmt: skip
def test_steps_finish_in_any_order_and_the_follow_up_becomes_due(world, order, visit_at):
    """Given a household with registration, energy and school open and a welcome visit planned,
    when the steps are completed in ``order`` and the visit is recorded at position ``visit_at``,
    then the case accompanies while steps are open and ends in follow_up_due with a deadline."""
    case_id = world.open_case()
    cw = world.caseworker_id
    step(case_id, "schedule_welcome_visit", cw, at=in_hours(48))
    events = list(order)
    events.insert(visit_at, "record_welcome_visit")

    for index, trigger in enumerate(events):
        case = step(case_id, trigger, cw, confirm=True)  # the visit: held before its time
        visit_done = index >= visit_at
        if not visit_done:
            assert case.state == "welcome_visit_scheduled"
        elif index < len(events) - 1:
            assert case.state == "accompanying"

    case = load_case(case_id)
    assert case.state == "follow_up_due"
    assert case.milestone_due_at is not None and case.next_due_at == case.milestone_due_at
    pending = [r.kind for r in reminders(case_id) if r.status == ReminderStatus.SCHEDULED]
    assert pending == [ReminderKind.MILESTONE_OVERDUE]


def test_waiving_a_step_needs_a_reason_and_keeps_it(world):
    """Given a school step, when staff waive it without a reason they are refused;
    when they give one, the step is waived and the reason is stored on it and in the history."""
    case_id = world.open_case()
    cw = world.caseworker_id

    with pytest.raises(GuardFailed) as refused:
        step(case_id, "waive_school", cw, note="  ")
    assert (refused.value.guard, refused.value.reason) == ("has_note", "Bitte einen Grund angeben.")
    assert steps_of(case_id)["school"].state == "open"

    reason = "Kind besucht bereits eine Schule in Bochum"
    step(case_id, "waive_school", cw, note=reason)

    school = steps_of(case_id)["school"]
    assert (school.state, school.waive_reason) == ("waived", reason)
    assert school.closed_at is not None
    with unit_of_work() as session:
        last = session.exec(
            select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.id).desc())
        ).first()
        assert (last.trigger, last.note) == ("waive_school", reason)


# ---------------------------------------------------------------------------------------------
# Reminders that no longer apply


def test_completing_registration_early_cancels_its_reminders(world):
    """Given a new case, when registration is done well before the deadline,
    then the household's deadline reminder and the supervisors' escalation for that step are
    cancelled with a reason, while the other steps' escalations stay scheduled."""
    case_id = world.open_case()
    steps = steps_of(case_id)
    registration_id = steps["registration"].id

    step(case_id, "complete_registration", world.caseworker_id)

    by_step: dict[int | None, list[Reminder]] = {}
    for reminder in reminders(case_id):
        by_step.setdefault(reminder.step_id, []).append(reminder)
    kinds = sorted(r.kind for r in by_step[registration_id])
    assert kinds == [ReminderKind.REGISTRATION_DEADLINE, ReminderKind.STEP_OVERDUE]
    for reminder in by_step[registration_id]:
        assert reminder.status == ReminderStatus.CANCELLED
        assert reminder.cancelled_reason == "Schritt bereits erledigt"
    for kind in ("energy", "school"):  # escalations (and the household's energy reminder)
        assert {r.status for r in by_step[steps[kind].id]} == {ReminderStatus.SCHEDULED}


def test_closing_a_case_cancels_pending_reminders_and_planned_visits(world):
    """Given a case with a welcome visit planned in three days and steps with reminders,
    when staff close it early with a reason,
    then the visit is cancelled, no reminder is left to be sent, and the case has no due date."""
    case_id = world.open_case()
    step(case_id, "schedule_welcome_visit", world.caseworker_id, at=in_hours(72))
    assert len([r for r in reminders(case_id) if r.status == ReminderStatus.SCHEDULED]) >= 5

    case = step(case_id, "close_case", world.caseworker_id, note="Familie nach Bochum verzogen")

    assert case.state == "closed" and case.closed_at is not None and case.next_due_at is None
    with unit_of_work() as session:
        statuses = session.exec(select(Appointment.status).where(Appointment.case_id == case_id))
        assert list(statuses) == [AppointmentStatus.CANCELLED]
    for reminder in reminders(case_id):
        assert reminder.status == ReminderStatus.CANCELLED, reminder.kind
        assert reminder.cancelled_reason


def test_closing_a_case_ends_open_steps_and_withdraws_referrals(world):
    """Given a case with an energy step referred to a partner and other steps open,
    when staff close the case early,
    then no step is left open, the referral is withdrawn, and the history says why."""
    case_id = world.open_case()
    grant(case_id, PartnerCategory.ENERGY_ADVICE, world.caseworker_id)
    step(case_id, "refer_energy", world.caseworker_id)

    step(case_id, "close_case", world.caseworker_id, note="Familie nach Bochum verzogen")

    assert {kind: s.state for kind, s in steps_of(case_id).items()} == {
        "registration": "waived",
        "energy": "waived",
        "school": "waived",
    }
    with unit_of_work() as session:
        referral = session.exec(select(Referral).where(Referral.case_id == case_id)).one()
    assert referral.status == "withdrawn"
    assert history(case_id)[-4:] == [
        "close_case",
        "waive_registration",
        "waive_energy",
        "waive_school",
    ]


def test_staff_of_another_office_cannot_change_the_case(world):
    """Given a caseworker of another office and a deactivated caseworker of this one,
    when either tries to advance the case,
    then it is not found for them and nothing changes."""
    case_id = world.open_case()
    with unit_of_work() as session:
        other = Office(
            code="luedo",
            name="Lütgendortmund",
            address="x",
            partner_organisation="EHC",
            email="l@x.example",
            districts=["Lütgendortmund"],
        )
        session.add(other)
        session.flush()
        outsider = Staff(
            name="A",
            email="a@x.example",
            role="caseworker",
            employer="city",
            employer_name="Stadt",
            office_id=other.id,
        )
        retired = Staff(
            name="B",
            email="b@x.example",
            role="caseworker",
            employer="city",
            employer_name="Stadt",
            office_id=world.office_id,
            active=False,
        )
        session.add_all([outsider, retired])
        session.flush()
        ids = [outsider.id, retired.id]
    before = snapshot(case_id)
    for actor_id in ids:
        with pytest.raises(CaseNotFound):
            step(case_id, "complete_registration", actor_id)
    assert snapshot(case_id) == before


def test_rescheduling_the_welcome_visit_moves_its_reminder(world):
    """Given a welcome visit in three days, when it is moved to five days from now,
    then the old reminder is cancelled, one new reminder is due a day before the new time,
    and it is the same appointment with its calendar sequence raised by one."""
    case_id = world.open_case()
    cw = world.caseworker_id
    first, moved = in_hours(72), in_hours(120)
    step(case_id, "schedule_welcome_visit", cw, at=first)
    with unit_of_work() as session:
        original = session.exec(select(Appointment).where(Appointment.case_id == case_id)).one()

    step(case_id, "reschedule_welcome_visit", cw, at=moved)

    visit_reminders = [r for r in reminders(case_id) if r.kind == ReminderKind.VISIT]
    assert [(r.status, r.due_at) for r in visit_reminders] == [
        (ReminderStatus.CANCELLED, first - timedelta(hours=24)),
        (ReminderStatus.SCHEDULED, moved - timedelta(hours=24)),
    ]
    assert visit_reminders[0].cancelled_reason == "Termin verschoben"
    with unit_of_work() as session:
        appointment = session.exec(select(Appointment).where(Appointment.case_id == case_id)).one()
    assert (appointment.id, appointment.uid) == (original.id, original.uid)
    assert appointment.sequence == original.sequence + 1
    assert appointment.starts_at == moved
    assert appointment.status == AppointmentStatus.SCHEDULED
    assert load_case(case_id).state == "welcome_visit_scheduled"


# ---------------------------------------------------------------------------------------------
# Personal data stays out of the task queue


def _broker_payloads(redis_server) -> list[str]:  # type: ignore[no-untyped-def]
    """Every message waiting in Redis, raw and with its body decoded."""
    client = redis_server.client()
    payloads = []
    for key in client.keys("*"):
        if client.type(key) != b"list":
            continue
        for raw in client.lrange(key, 0, -1):
            envelope = json.loads(raw)
            body = base64.b64decode(envelope["body"]).decode()
            payloads.append(raw.decode() + body)
    return payloads


def test_outbox_and_broker_carry_ids_only(world, redis_server):
    """Given a household's whole journey (visit reminders, a referral, a follow-up),
    when its work is queued, then every outbox row names ids only,
    and no name, address, email or phone number of the household appears in a task or message."""
    intake = world.intake()
    case_id = world.open_case()
    cw = world.caseworker_id
    grant(case_id, PartnerCategory.ENERGY_ADVICE, cw)
    step(case_id, "schedule_welcome_visit", cw, at=in_hours(3))
    step(case_id, "refer_energy", cw)
    for trigger in ("record_welcome_visit", "complete_registration", "complete_energy",
                    "complete_school"):  # fmt: skip
        step(case_id, trigger, cw, confirm=True)
    step(case_id, "schedule_follow_up", cw, at=in_hours(5))
    assert step(case_id, "complete_follow_up", cw, confirm=True).state == "closed"

    personal = [intake["family_name"], intake["street"], intake["email"], intake["phone"],
                *(m["given_name"] for m in intake["members"])]  # fmt: skip
    with unit_of_work() as session:
        messages = session.exec(select(OutboxMessage)).all()
    assert len(messages) >= 3  # two visit reminders and the referral
    for message in messages:
        assert message.arguments and all(
            type(value) is int for value in message.arguments.values()
        ), message.arguments
        text = message.task + json.dumps(message.arguments, ensure_ascii=False)
        assert not [value for value in personal if value in text], text
    payloads = _broker_payloads(redis_server)
    assert len(payloads) == len(messages)
    for payload in payloads:
        assert not [value for value in personal if value in payload]


def test_outbox_refuses_anything_but_ids(env):
    """Given a service that tries to queue a task with a name, when it enqueues,
    then it is refused with a TypeError and nothing is queued."""
    with unit_of_work() as session:
        with pytest.raises(TypeError):
            outbox.enqueue(session, "x.y", name="Amal")
        with pytest.raises(TypeError):
            outbox.enqueue(session, "x.y", case_id="17")
    assert count(OutboxMessage) == 0


# ---------------------------------------------------------------------------------------------
# The buttons


def test_allowed_triggers_explain_refusals(world):
    """Given a new case without consent to share data,
    when staff look at its buttons,
    then planning the welcome visit and closing are offered (asking for a time / a reason),
    referring energy is refused because consent is missing, school cannot be referred for lack
    of a partner; once consent is granted, referring energy is allowed."""
    case_id = world.open_case()

    with unit_of_work() as session:
        options = {o.trigger: o for o in allowed_triggers(session, case_id)}

    visit = options["schedule_welcome_visit"]
    assert (visit.allowed, visit.reason, visit.needs_input) == (True, None, ("at",))
    assert (options["close_case"].allowed, options["close_case"].needs_input) == (True, ("note",))
    assert options["complete_registration"].allowed
    assert options["open_transit_ticket"].allowed
    refer = options["refer_energy"]
    assert not refer.allowed
    assert refer.reason == "Einwilligung des Haushalts zur Weitergabe an 'Energieberatung' fehlt."
    assert refer.label == "Strom- und Gasvertrag: weitervermitteln"
    assert options["refer_school"].reason == (
        "Kein aktiver Partner 'Schule und Schulamt' für den Bezirk Eving hinterlegt."
    )
    assert not options["refer_registration"].allowed
    for absent in ("record_welcome_visit", "steps_finished", "complete_follow_up", "open_school"):
        assert absent not in options

    grant(case_id, PartnerCategory.ENERGY_ADVICE, world.caseworker_id)
    with unit_of_work() as session:
        options = {o.trigger: o for o in allowed_triggers(session, case_id)}
    assert (options["refer_energy"].allowed, options["refer_energy"].reason) == (True, None)


def test_allowed_triggers_for_an_unknown_case(env):
    """Given no such case, when its buttons are asked for, then CaseNotFound is raised."""
    with unit_of_work() as session, pytest.raises(CaseNotFound):
        allowed_triggers(session, 4242)
