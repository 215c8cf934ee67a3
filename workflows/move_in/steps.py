"""The move-in workflow's steps: when each applies, when it is due, who takes a referral for it."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from core.clock import start_of_day
from models.enums import PartnerCategory
from workflows.engine.facts import CaseFacts
from workflows.move_in.states import (
    StepKind,
)


@dataclass(frozen=True)
class StepDef:
    kind: StepKind
    label: str
    partner_category: PartnerCategory | None
    # None when the step may be opened for this household, else the reason it does not apply.
    eligible: Callable[[CaseFacts], str | None]
    # Opened by itself when the case is opened (otherwise only on request).
    at_intake: Callable[[CaseFacts], bool]
    legal_deadline: bool = False
    # When it comes to apply during the case (a child turns 6, a birth is expected): opened by
    # itself; otherwise only offered.
    opens_when_it_applies: bool = False


def _always(_facts: CaseFacts) -> str | None:
    return None


def _member_aged(low: int, high: int, *, unless: str) -> Callable[[CaseFacts], str | None]:
    """Eligible when a member is aged ``low`` ≤ age < ``high`` and the flag ``unless`` is unset."""

    def check(facts: CaseFacts) -> str | None:
        if any(low <= age < high and not getattr(m, unless) for m, age in facts.ages()):
            return None
        return f"Kein Haushaltsmitglied im Alter von {low} bis {high - 1} Jahren ohne Platz."

    return check


def _adult_able_to_work(facts: CaseFacts) -> str | None:
    if any(18 <= age < 67 and member.able_to_work for member, age in facts.ages()):
        return None
    return "Kein erwerbsfähiges erwachsenes Haushaltsmitglied."


def _birth_expected(facts: CaseFacts) -> str | None:
    if facts.household.expected_birth_on is not None:
        return None
    if any(age < 1 for _member, age in facts.ages()):
        return None
    return "Keine Geburt erwartet und kein Säugling im Haushalt."


def _when_eligible(eligible: Callable[[CaseFacts], str | None]) -> Callable[[CaseFacts], bool]:
    return lambda facts: eligible(facts) is None


STEPS: dict[str, StepDef] = {
    step.kind: step
    for step in [
        StepDef(
            StepKind.REGISTRATION,
            "Anmeldung beim Bürgeramt",
            None,
            _always,
            lambda _f: True,
            legal_deadline=True,
        ),
        StepDef(
            StepKind.ENERGY,
            "Strom- und Gasvertrag",
            PartnerCategory.ENERGY_ADVICE,
            _always,
            lambda _f: True,
        ),
        StepDef(
            StepKind.SCHOOL,
            "Einschulung",
            PartnerCategory.SCHOOL,
            _member_aged(6, 18, unless="in_school"),
            _when_eligible(_member_aged(6, 18, unless="in_school")),
            opens_when_it_applies=True,
        ),
        StepDef(
            StepKind.KINDERGARTEN,
            "Kindergartenplatz",
            PartnerCategory.CHILDCARE,
            _member_aged(1, 6, unless="in_childcare"),
            _when_eligible(_member_aged(1, 6, unless="in_childcare")),
            opens_when_it_applies=True,
        ),
        StepDef(
            StepKind.TRANSIT_TICKET,
            "ÖPNV-Ticket (Sozialticket)",
            PartnerCategory.TRANSIT,
            _always,
            lambda _f: False,
        ),
        StepDef(
            StepKind.JOB_SEARCH,
            "Arbeitssuche",
            PartnerCategory.EMPLOYMENT,
            _adult_able_to_work,
            _when_eligible(_adult_able_to_work),
            opens_when_it_applies=True,
        ),
        StepDef(
            StepKind.BIRTH,
            "Geburt beurkunden",
            PartnerCategory.REGISTRY_OFFICE,
            _birth_expected,
            lambda f: f.household.expected_birth_on is not None,
            opens_when_it_applies=True,
        ),
    ]
}

REGISTRATION_DAYS = 14  # Bundesmeldegesetz §17: register within two weeks of moving in
BIRTH_REGISTRATION_DAYS = 7  # Personenstandsgesetz §18: register a birth within a week


def end_of_day(day: date) -> datetime:
    return start_of_day(day + timedelta(days=1))


def step_due(kind: str, facts: CaseFacts, at_intake: bool) -> datetime:
    """Registration: 14 days after move-in by law. Birth: a week after it. Others: configurable."""
    moved_in = facts.household.moved_in_on
    if kind == StepKind.REGISTRATION:
        return end_of_day(moved_in + timedelta(days=REGISTRATION_DAYS))
    if kind == StepKind.BIRTH:
        born = facts.household.expected_birth_on or facts.today
        return end_of_day(born + timedelta(days=BIRTH_REGISTRATION_DAYS))
    start = moved_in if at_intake else facts.today
    return end_of_day(start + timedelta(days=facts.settings.step_due_days[kind]))
