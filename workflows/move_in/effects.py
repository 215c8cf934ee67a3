"""The move-in workflow's effects: visits, deadlines, steps, referrals and closing the case.

Recorded as values by the effect builders (``workflows.move_in.builders``) and applied by the
engine with its :class:`~workflows.engine.effects.Context`, in the change's one transaction.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam
from sqlmodel import col, select

from core.clock import berlin, shift_local, start_of_day
from models import Appointment, CaseEvent, CaseStep, Referral, Reminder
from models.enums import (
    PENDING_REMINDER_STATUSES,
    RUNNING_REFERRAL_STATUSES,
    AppointmentKind,
    AppointmentStatus,
    Recipient,
    ReferralStatus,
    ReminderKind,
)
from workflows.appointments.notices import (
    announce_appointment,
    call_off_appointment,
    cancel_appointment_reminders,
)
from workflows.engine import reminders
from workflows.engine.effects import Context
from workflows.move_in.states import UNFINISHED_STEP_STATES, Milestone, StepState
from workflows.referrals import sending

# Households hear of a deadline at 9 o'clock, some days before it ends (at midnight).
MORNING_BEFORE_MIDNIGHT = timedelta(hours=15)


# The hot queries are built once (building and keying a statement costs more than running it).
_SCHEDULED_APPOINTMENT = select(Appointment).where(
    Appointment.case_id == bindparam("case_id"),
    Appointment.kind == bindparam("kind"),
    Appointment.status == AppointmentStatus.SCHEDULED,
)


def _scheduled_appointment(ctx: Context, kind: AppointmentKind) -> Appointment | None:
    params = {"case_id": ctx.case.id, "kind": kind}
    return ctx.session.exec(_SCHEDULED_APPOINTMENT, params=params).first()


@dataclass(frozen=True)
class BookVisit:
    """Plan (or move) a home visit and remind the caseworker before it."""

    kind: AppointmentKind
    starts_at: datetime

    def apply(self, ctx: Context) -> None:
        appointment = _scheduled_appointment(ctx, self.kind)
        if appointment is None:
            household = ctx.facts.household
            appointment = Appointment(
                case_id=ctx.case.id,  # type: ignore[arg-type]
                kind=self.kind,
                starts_at=self.starts_at,
                location=f"{household.street}, {household.postal_code} {household.city}",
                staff_id=ctx.actor_id or ctx.case.assignee_id,
            )
            ctx.session.add(appointment)
            ctx.session.flush()
            moved = False
        else:
            appointment.starts_at = self.starts_at
            appointment.sequence += 1
            _cancel_visit_reminders(ctx, appointment, "Termin verschoben")
            moved = True
        announce_appointment(ctx.session, ctx.case, appointment, ctx.now, ctx.settings, moved)
        before = timedelta(hours=ctx.settings.visit_reminder_hours_before)
        reminders.schedule(
            ctx.session,
            ctx.case,
            ReminderKind.VISIT,
            Recipient.CASEWORKER,
            shift_local(self.starts_at, -before),
            ctx.now,
            appointment_id=appointment.id,
        )


def _cancel_visit_reminders(ctx: Context, appointment: Appointment, reason: str) -> None:
    cancel_appointment_reminders(ctx.session, appointment, reason)


@dataclass(frozen=True)
class FinishVisit:
    kind: AppointmentKind

    def apply(self, ctx: Context) -> None:
        appointment = _scheduled_appointment(ctx, self.kind)
        if appointment is not None:
            appointment.status = AppointmentStatus.DONE


@dataclass(frozen=True)
class SetMilestone:
    """Set (or clear) the case-level deadline; supervisors hear of it if it passes."""

    milestone: str | None
    due_at: datetime | None

    def apply(self, ctx: Context) -> None:
        ctx.case.milestone_due_at = self.due_at
        if self.milestone == Milestone.WELCOME_VISIT:
            # Only set when the case is opened: welcome the household with where to find help.
            reminders.schedule(
                ctx.session, ctx.case, ReminderKind.CONSULTATION_INFO, Recipient.HOUSEHOLD,
                ctx.now, ctx.now,
            )  # fmt: skip
        if self.milestone is not None and self.due_at is not None:
            reminders.schedule(
                ctx.session,
                ctx.case,
                ReminderKind.MILESTONE_OVERDUE,
                Recipient.SUPERVISORS,
                shift_local(self.due_at, timedelta(hours=ctx.facts.workflow.escalation_hours)),
                ctx.now,
                milestone=self.milestone,
            )


@dataclass(frozen=True)
class PlanStep:
    """A step was opened: set its due time, remind the household, escalate when it passes."""

    kind: str
    due_at: datetime
    legal_deadline: bool

    def apply(self, ctx: Context) -> None:
        step = ctx.facts.steps[self.kind]
        step.due_at, step.legal_deadline = self.due_at, self.legal_deadline
        step.opened_at, step.closed_at, step.waive_reason = ctx.now, None, None
        step.hold_until = step.hold_reason = None
        ctx.session.flush()
        _schedule_step_reminders(ctx, step)


# The caseworker hears of a follow-up date at 8 o'clock that morning.
FOLLOW_UP_MORNING = timedelta(hours=8)


@dataclass(frozen=True)
class HoldStep:
    """The step waits (a waiting list): its escalations end with the open state, the
    caseworker is reminded on the follow-up date."""

    kind: str
    until: date
    reason: str

    def apply(self, ctx: Context) -> None:
        step = ctx.facts.steps[self.kind]
        step.hold_until, step.hold_reason = self.until, self.reason.strip()
        ctx.session.flush()
        reminders.schedule(
            ctx.session, ctx.case, ReminderKind.HOLD_FOLLOW_UP, Recipient.CASEWORKER,
            shift_local(start_of_day(self.until), FOLLOW_UP_MORNING), ctx.now, step_id=step.id,
        )  # fmt: skip


@dataclass(frozen=True)
class MoveDue:
    """An open step's deadline moves (the move-in date was corrected): its reminders with it."""

    kind: str
    due_at: datetime

    def apply(self, ctx: Context) -> None:
        step = ctx.facts.steps[self.kind]
        step.due_at = self.due_at
        pending = ctx.session.exec(
            select(Reminder).where(
                Reminder.step_id == step.id, col(Reminder.status).in_(PENDING_REMINDER_STATUSES)
            )
        )
        for reminder in list(pending):
            reminders.cancel(ctx.session, reminder, "Frist geändert")
        _schedule_step_reminders(ctx, step)


def _schedule_step_reminders(ctx: Context, step: CaseStep) -> None:
    """Escalate when the step's deadline passes; remind the household before it as the step's
    definition says (registration: 4 days before, energy: a week)."""
    assert step.due_at is not None
    workflow = ctx.facts.workflow
    reminders.schedule(
        ctx.session,
        ctx.case,
        ReminderKind.STEP_OVERDUE,
        Recipient.SUPERVISORS,
        shift_local(step.due_at, timedelta(hours=workflow.escalation_hours)),
        ctx.now,
        step_id=step.id,
    )
    for reminder in workflow.steps[step.kind].reminders:
        # 9 o'clock in the morning, some days before the deadline ends
        days = timedelta(days=reminder.days_before)
        remind_at = shift_local(step.due_at, -(days + MORNING_BEFORE_MIDNIGHT))
        if remind_at > ctx.now:  # a reminder after the deadline helps no one
            reminders.schedule(
                ctx.session, ctx.case, ReminderKind(reminder.message), Recipient.HOUSEHOLD,
                remind_at, ctx.now, step_id=step.id,
            )  # fmt: skip


@dataclass(frozen=True)
class CloseStep:
    """A step was done or waived: its referrals end with it. A done step records the day it
    really was done (``happened_on``, else today)."""

    kind: str
    reason: str | None
    happened_on: date | None = None

    def apply(self, ctx: Context) -> None:
        step = ctx.facts.steps[self.kind]
        step.closed_at = ctx.now
        done = step.state == StepState.DONE
        step.done_on = (self.happened_on or berlin(ctx.now).date()) if done else None
        step.hold_until = step.hold_reason = None
        step.waive_reason = self.reason if step.state == StepState.WAIVED else None
        for referral in list(ctx.session.exec(_RUNNING_REFERRALS, params={"step_id": step.id})):
            if done:
                referral.status = ReferralStatus.DONE
            else:  # waived, or the case closed: the partner deletes what it got
                sending.withdraw(ctx.session, ctx.case, referral, ctx.now)


_RUNNING_REFERRALS = select(Referral).where(
    Referral.step_id == bindparam("step_id"), col(Referral.status).in_(RUNNING_REFERRAL_STATUSES)
)


@dataclass(frozen=True)
class EndReferral:
    """The step is back with the office: a referral still running is withdrawn and its partner
    asked to delete what it received (a declined one has ended already)."""

    kind: str

    def apply(self, ctx: Context) -> None:
        step = ctx.facts.steps[self.kind]
        for referral in list(ctx.session.exec(_RUNNING_REFERRALS, params={"step_id": step.id})):
            sending.withdraw(ctx.session, ctx.case, referral, ctx.now)


@dataclass(frozen=True)
class Refer:
    """Refer the household to a partner for one step; the referral email goes out at once."""

    kind: str
    partner_id: int
    message: str | None = None

    def apply(self, ctx: Context) -> None:
        step = ctx.facts.steps[self.kind]
        referral = Referral(
            case_id=ctx.case.id,  # type: ignore[arg-type]
            step_id=step.id,
            partner_id=self.partner_id,
            message=(self.message or "").strip() or None,
            created_by_id=ctx.actor_id,
            created_at=ctx.now,
        )
        ctx.session.add(referral)
        ctx.session.flush()
        sending.schedule_mails(ctx.session, ctx.case, referral, ctx.now, ctx.settings)


@dataclass(frozen=True)
class CloseCase:
    """The case ends: steps still open end as waived, their referrals as withdrawn, visits off."""

    def apply(self, ctx: Context) -> None:
        ctx.case.closed_at = ctx.now
        ctx.case.milestone_due_at = None
        for step in ctx.facts.steps.values():
            if step.state in UNFINISHED_STEP_STATES:
                ctx.session.add(
                    CaseEvent(
                        case_id=ctx.case.id,  # type: ignore[arg-type]
                        at=ctx.now,
                        actor_id=ctx.actor_id,
                        trigger=f"waive_{step.kind}",
                        step_kind=step.kind,
                        from_state=step.state,
                        to_state=StepState.WAIVED,
                        note="Fall geschlossen",
                    )
                )
                step.state = StepState.WAIVED
                CloseStep(step.kind, "Fall geschlossen").apply(ctx)
        # Referrals without a step, still running: the partner deletes what it got, too.
        running = select(Referral).where(
            Referral.case_id == ctx.case.id, col(Referral.status).in_(RUNNING_REFERRAL_STATUSES)
        )
        for referral in list(ctx.session.exec(running)):
            sending.withdraw(ctx.session, ctx.case, referral, ctx.now)
        query = select(Appointment).where(
            Appointment.case_id == ctx.case.id,
            Appointment.status == AppointmentStatus.SCHEDULED,
        )
        for appointment in list(ctx.session.exec(query)):
            call_off_appointment(ctx.session, ctx.case, appointment, ctx.now, "Fall geschlossen")


Effect = (
    BookVisit
    | FinishVisit
    | SetMilestone
    | PlanStep
    | HoldStep
    | MoveDue
    | CloseStep
    | EndReferral
    | Refer
    | CloseCase
)
