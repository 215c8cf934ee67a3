"""How a demo case unfolds: the weeks since the household moved in, replayed through ``advance``.

Each household gets a plan (how far its case has come by now). Its events are replayed at the
times they would have happened, never later than the moment the demo is loaded, so histories,
due dates and overdue steps look like a real office's. Every change goes through the engine.
"""

import hashlib
import io
import random
from datetime import date, datetime, timedelta
from typing import Any

from sqlmodel import Session, col, select

from core.clock import BERLIN, berlin
from models import Case, CaseStep, Consent, ConsentEvidence, Household
from models.enums import EvidenceKind
from workflows.engine import advance
from workflows.engine.facts import workflow_of
from workflows.move_in.states import OPEN_STEP_STATES

# plan → days since moving in (a plan needs enough weeks behind it to have come that far)
PLAN_AGES: dict[str, tuple[int, int]] = {
    "intake": (0, 6),
    "intake_late": (9, 20),  # the welcome visit is overdue
    "visit_planned": (1, 12),
    "accompanying": (14, 70),
    "follow_up_due": (36, 70),
    "follow_up_planned": (36, 70),
    "closed": (56, 70),
    "continued": (56, 70),  # follow-up visit found a new need: back to accompanying
    "closed_early": (8, 70),
}
PLAN_WEIGHTS = {
    "intake": 6,
    "intake_late": 4,
    "visit_planned": 14,
    "accompanying": 34,
    "follow_up_due": 9,
    "follow_up_planned": 9,
    "closed": 12,
    "continued": 4,
    "closed_early": 5,
}
# A fresh demo starts with one household of each plan, so every state is on show.
FIRST_PLANS = (
    "accompanying",
    "visit_planned",
    "closed",
    "follow_up_due",
    "intake_late",
    "follow_up_planned",
    "continued",
    "closed_early",
    "intake",
)
# Plans in which every step gets closed: no birth still to come.
ALL_STEPS_CLOSED = ("follow_up_due", "follow_up_planned", "closed", "continued")

# step kind → days after the welcome visit it typically takes, chance of waiving, notes
STEP_DAYS = {
    "registration": (1, 10),
    "energy": (3, 18),
    "school": (7, 20),
    "kindergarten": (10, 20),
    "transit_ticket": (2, 12),
    "job_search": (8, 20),
}
WAIVE = {
    "energy": (0.15, "Strom und Gas laufen über die Nebenkosten des Vermieters."),
    "school": (0.1, "Kind besucht weiter seine bisherige Schule."),
    "kindergarten": (0.15, "Familie möchte vorerst keinen Kita-Platz."),
    "transit_ticket": (0.1, "Familie hat bereits ein Deutschlandticket."),
    "job_search": (0.25, "Integrationskurs hat Vorrang; Arbeitssuche danach."),
}
DONE_NOTES = {
    "registration": "Meldebescheinigung liegt vor.",
    "energy": "Stromvertrag abgeschlossen, Zählerstand gemeldet.",
    "school": "Schulplatz zugewiesen.",
    "kindergarten": "Kita-Platz zugesagt.",
    "transit_ticket": "Sozialticket ausgestellt.",
    "job_search": "Erstgespräch im Jobcenter hat stattgefunden.",
    "birth": "Geburtsurkunde liegt vor.",
}
EARLY_CLOSE_NOTES = (
    "Haushalt ist nach Bochum verzogen.",
    "Familie wünscht keine weitere Begleitung.",
    "Haushalt wird bereits von der Migrationsberatung begleitet.",
)
VISIT_NOTES = (
    None,
    None,
    "Familie gut angekommen.",
    "Mit Sprachmittlung per Telefon.",
    "Wohnung noch ohne Küche; Möbelbörse empfohlen.",
)
_SLOTS = ((9, 0), (9, 30), (10, 0), (11, 0), (13, 30), (14, 0), (15, 0))


def pick_plan(rng: random.Random, index: int) -> str:
    if index < len(FIRST_PLANS):
        return FIRST_PLANS[index]
    return rng.choices(list(PLAN_WEIGHTS), weights=list(PLAN_WEIGHTS.values()))[0]


def moved_in_for(plan: str, rng: random.Random, today: date) -> date:
    low, high = PLAN_AGES[plan]
    return today - timedelta(days=rng.randint(low, high))


def slot(rng: random.Random, day: date) -> datetime:
    """An appointment time in office hours on ``day`` (or the Monday after a weekend)."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    hour, minute = rng.choice(_SLOTS)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=BERLIN)


class Story:
    """One case replayed: the plan's events at their times, stopping at ``until``."""

    def __init__(
        self,
        session: Session,
        case_id: int,
        household_id: int,
        actor_id: int,
        opened_at: datetime,
        until: datetime,
        rng: random.Random,
    ) -> None:
        self.session, self.case_id, self.household_id = session, case_id, household_id
        self.actor_id, self.t, self.until, self.rng = actor_id, opened_at, until, rng

    def fire(self, trigger: str, when: datetime, **params: Any) -> bool:
        """Apply ``trigger`` at ``when`` (never before the last event); False if still to come."""
        when = max(when, self.t + timedelta(minutes=1))
        if when > self.until:
            return False
        self.t = when
        advance(self.session, self.case_id, trigger, actor_id=self.actor_id, now=when, **params)
        return True

    def play(self, plan: str) -> None:
        rng = self.rng
        if plan in ("intake", "intake_late"):
            return
        if plan == "closed_early" and rng.random() < 0.4:
            self.fire(
                "close_case",
                self.office_time(days=rng.randint(1, 6)),
                note=rng.choice(EARLY_CLOSE_NOTES),
            )
            return
        visit = self.book("schedule_welcome_visit", future=plan == "visit_planned", after=None)
        if visit is None or plan == "visit_planned":
            return
        if not self.fire(
            "record_welcome_visit", visit + timedelta(minutes=90), note=rng.choice(VISIT_NOTES)
        ):
            return
        self.at_visit()
        if plan == "closed_early":
            self.fire(
                "close_case",
                self.office_time(days=rng.randint(3, 20)),
                note=rng.choice(EARLY_CLOSE_NOTES),
            )
            return
        if not self.work_steps(visit, keep_one_open=plan == "accompanying"):
            return
        if plan in ("accompanying", "follow_up_due"):
            return
        follow_up = self.book("schedule_follow_up", future=plan == "follow_up_planned", after=visit)
        if follow_up is None or plan == "follow_up_planned":
            return
        done = follow_up + timedelta(minutes=75)
        if plan == "continued":
            if self.fire("open_transit_ticket", done, note="Familie fragt nach dem Sozialticket."):
                self.fire("continue_support", done, note="Begleitung beim Sozialticket.")
        else:
            self.fire(
                "complete_follow_up",
                done,
                note="Alles geregelt; Familie kommt bei Bedarf in die Sprechstunde.",
            )

    def book(self, trigger: str, *, future: bool, after: datetime | None) -> datetime | None:
        """Plan a visit in the next office hours; None when even planning it is still to come."""
        planned = self.office_time(days=self.rng.randint(0, 1))
        planned = min(planned, self.t + (self.until - self.t) / 2)
        if future:
            at = slot(self.rng, berlin(self.until).date() + timedelta(days=self.rng.randint(1, 8)))
        else:
            day = berlin(planned).date() + timedelta(days=self.rng.randint(2, 8))
            if after is not None:  # the follow-up, some weeks after the welcome visit
                day = max(day, berlin(after).date() + timedelta(days=self.rng.randint(21, 35)))
            at = slot(self.rng, day)
        if not self.fire(trigger, planned, at=at):
            return None
        if not future and self.rng.random() < 0.12:  # the household asks for another day
            moved = slot(self.rng, berlin(at).date() + timedelta(days=self.rng.randint(1, 4)))
            note = "Familie bat um einen anderen Termin."
            if self.fire(f"re{trigger}", self.t + timedelta(hours=2), at=moved, note=note):
                at = moved
        return at

    def office_time(self, days: int) -> datetime:
        """An office-hours moment ``days`` after the last event, and after it in any case."""
        moment = slot(self.rng, berlin(self.t).date() + timedelta(days=days))
        while moment <= self.t:
            moment = slot(self.rng, berlin(moment).date() + timedelta(days=1))
        return moment

    def open_steps(self) -> list[str]:
        query = select(CaseStep.kind).where(
            CaseStep.case_id == self.case_id, col(CaseStep.state).in_(OPEN_STEP_STATES)
        )
        return list(self.session.exec(query.order_by(col(CaseStep.id))))

    def at_visit(self) -> None:
        """At the welcome visit: consent to share data, first referrals, registration checked."""
        steps = workflow_of(self.session, self.session.get(Case, self.case_id)).steps  # type: ignore[arg-type]
        referable = [k for k in self.open_steps() if steps[k].partner_category is not None]
        categories = dict.fromkeys(steps[k].partner_category for k in referable)
        if self.rng.random() < 0.8:
            signature = drawn_signature(self.rng)
            for category in categories:
                given = Consent(
                    household_id=self.household_id,
                    partner_category=category,  # type: ignore[arg-type]
                    granted_at=self.t,
                    granted_by_id=self.actor_id,
                )
                self.session.add(given)
                self.session.flush()
                self.session.add(
                    ConsentEvidence(
                        consent_id=given.id,  # type: ignore[arg-type]
                        kind=EvidenceKind.TABLET,
                        content_type="image/png",
                        data=signature,
                        sha256=hashlib.sha256(signature).hexdigest(),
                        recorded_at=self.t,
                        recorded_by_id=self.actor_id,
                    )
                )
            self.session.flush()
            for kind in referable:
                if self.rng.random() < 0.55:
                    self.fire(f"refer_{kind}", self.t)
        if "registration" in self.open_steps() and self.rng.random() < 0.5:
            self.fire("complete_registration", self.t, note=DONE_NOTES["registration"])

    def work_steps(self, visit: datetime, *, keep_one_open: bool) -> bool:
        """Close steps over the weeks after the visit; False if the last one is still to come."""
        kinds = self.open_steps()
        keep = {k for k in kinds if keep_one_open and self.rng.random() < 0.35}
        if keep_one_open and kinds and not keep:
            keep = {self.rng.choice(kinds)}
        events = []
        for kind in kinds:
            if kind in keep:
                continue
            events.append(self._step_event(kind, visit))
        # all() stops at the first event that is still to come; later ones are later still.
        return all(self.fire(trigger, when, note=note) for when, trigger, note in sorted(events))

    def _step_event(self, kind: str, visit: datetime) -> tuple[datetime, str, str]:
        if kind == "birth":  # the birth certificate, a few days after the birth
            household = self.session.get(Household, self.household_id)
            born = household.expected_birth_on if household else None
            day = (born or berlin(visit).date()) + timedelta(days=self.rng.randint(3, 8))
            return slot(self.rng, day), "complete_birth", DONE_NOTES["birth"]
        low, high = STEP_DAYS.get(kind, (10, 30))  # an office's own step: a few weeks
        when = slot(self.rng, berlin(visit).date() + timedelta(days=self.rng.randint(low, high)))
        chance, reason = WAIVE.get(kind, (0.0, ""))
        if self.rng.random() < chance:
            return when, f"waive_{kind}", reason
        return when, f"complete_{kind}", DONE_NOTES.get(kind, "Erledigt.")


def drawn_signature(rng: random.Random) -> bytes:
    """A signature as the tablet sends it (a transparent PNG with one stroke), for the demo."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    points = [(40 + i * 26, rng.randint(60, 150)) for i in range(20)]
    ImageDraw.Draw(image).line(points, fill="#1a237e", width=4, joint="curve")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()
