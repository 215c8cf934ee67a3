"""What guards and effects may know about one case, loaded from the database only when asked."""

from datetime import date, datetime
from functools import cached_property

from sqlalchemy import bindparam
from sqlmodel import Session, col, select

from core.clock import berlin
from core.config import Settings
from core.db import forget_on_reset
from models import (
    Appointment,
    Case,
    CaseStep,
    Consent,
    Household,
    HouseholdMember,
    Partner,
    WorkflowVariant,
)
from models.enums import AppointmentKind, AppointmentStatus
from workflows.engine.definition import Workflow, get_workflow


def age_on(birth_date: date, day: date) -> int:
    """Completed years of life on ``day``."""
    before_birthday = (day.month, day.day) < (birth_date.month, birth_date.day)
    return day.year - birth_date.year - before_birthday


def member_flags(member: HouseholdMember) -> list[str]:
    """What staff note about a member, in words (contact person, in school, ...)."""
    flags = (
        (member.is_contact, "Ansprechperson"),
        (member.in_school, "geht zur Schule"),
        (member.in_childcare, "hat Betreuungsplatz"),
        (member.able_to_work, "erwerbsfähig"),
    )
    return [label for flag, label in flags if flag]


# Fresh, even if the session read them before the case was locked (engine._lock); built once.
_STEPS = (
    select(CaseStep)
    .where(CaseStep.case_id == bindparam("case_id"))
    .order_by(col(CaseStep.id))
    .execution_options(populate_existing=True)
)


_VARIED: dict[tuple[str, int, int], Workflow] = {}


def workflow_of(session: Session, case: Case) -> Workflow:
    """The case's definition with its variant applied."""
    return varied(session, get_workflow(case.workflow, case.workflow_version), case.variant_id)


def varied(session: Session, base: Workflow, variant_id: int | None) -> Workflow:
    """``base`` as the office's revision ``variant_id`` varies it. A revision never changes once
    saved (a new save is a new row), so each is read and applied once per process and version;
    a change costs no read for it after that."""
    if variant_id is None:
        return base
    key = (base.name, base.version, variant_id)
    found = _VARIED.get(key)
    if found is None:
        variant = session.get(WorkflowVariant, variant_id)
        if variant is None:  # guaranteed by the foreign key
            return base
        found = _VARIED[key] = base.with_variant(variant_id, variant.overrides)
    return found


def forget_variants() -> None:
    """Read the revisions again (another database, or one emptied: ids are given out again)."""
    _VARIED.clear()


forget_on_reset(forget_variants)


class CaseFacts:
    """A read-through view of one case for the duration of one ``advance``."""

    def __init__(
        self,
        session: Session,
        case: Case,
        *,
        actor_id: int | None,
        now: datetime,
        settings: Settings,
        household: Household | None = None,
    ) -> None:
        self.session, self.case, self.actor_id = session, case, actor_id
        self.now, self.settings = now, settings
        if household is not None:  # read already, with the case (engine._lock): no query
            self.__dict__["household"] = household

    @cached_property
    def workflow(self) -> Workflow:
        """The definition the case runs on: the version it was opened with (or migrated to), as
        its office's variant had it when the case was opened."""
        return workflow_of(self.session, self.case)

    @property
    def today(self) -> date:
        return berlin(self.now).date()

    @cached_property
    def household(self) -> Household:
        household = self.session.get(Household, self.case.household_id)
        assert household is not None  # guaranteed by the foreign key
        return household

    @cached_property
    def members(self) -> list[HouseholdMember]:
        query = select(HouseholdMember).where(
            HouseholdMember.household_id == self.case.household_id
        )
        return list(self.session.exec(query.order_by(col(HouseholdMember.id))))

    @cached_property
    def steps(self) -> dict[str, CaseStep]:
        steps = self.session.exec(_STEPS, params={"case_id": self.case.id})
        return {step.kind: step for step in steps}

    @cached_property
    def consents(self) -> dict[str, Consent]:
        """Per partner category, the household's consent neither withdrawn nor replaced (it may
        have expired)."""
        query = select(Consent).where(
            Consent.household_id == self.case.household_id, Consent.standing()
        )
        return {c.partner_category: c for c in self.session.exec(query.order_by(col(Consent.id)))}

    @cached_property
    def consented_categories(self) -> set[str]:
        """The categories the household's data may go to today (consent given, not expired)."""
        return {c for c, consent in self.consents.items() if not consent.expired_on(self.today)}

    @cached_property
    def welcome_visit_at(self) -> datetime:
        """When the welcome visit took (or takes) place; now if none is on record."""
        query = select(Appointment.starts_at).where(
            Appointment.case_id == self.case.id,
            Appointment.kind == AppointmentKind.WELCOME_VISIT,
            Appointment.status != AppointmentStatus.CANCELLED,
        )
        return (
            self.session.exec(query.order_by(col(Appointment.starts_at).desc())).first() or self.now
        )

    def scheduled_visit(self, kind: str) -> Appointment | None:
        """The appointment of this kind still planned, if any."""
        query = select(Appointment).where(
            Appointment.case_id == self.case.id,
            Appointment.kind == kind,
            Appointment.status == AppointmentStatus.SCHEDULED,
        )
        return self.session.exec(query).first()

    def ages(self) -> list[tuple[HouseholdMember, int]]:
        """Each member with their age today, worked out once per list of members (every
        step's rule asks; a change that edits the household reads the members again)."""
        members = self.members
        known = self.__dict__.get("_ages")
        if known is None or known[0] is not members:
            known = (
                members,
                [(member, age_on(member.birth_date, self.today)) for member in members],
            )
            self.__dict__["_ages"] = known
        return known[1]

    @cached_property
    def _serving_partners(self) -> list[Partner]:
        """The active partners serving the household's district (or the whole city), read
        once per change or page: every step's buttons ask about partners."""
        district = self.household.district
        query = select(Partner).where(col(Partner.active).is_(True)).order_by(col(Partner.name))
        return [p for p in self.session.exec(query) if not p.districts or district in p.districts]

    def partners_for(self, category: str) -> list[Partner]:
        """The active partners of ``category`` serving the household's district, the best fit
        first: the one the office prefers, those of the district before city-wide ones, those
        speaking the household's first language before others."""
        spoken = self.household.languages[:1]
        preferred = self.workflow.preferred_partners.get(category)
        candidates = [p for p in self._serving_partners if p.category == category]
        candidates.sort(
            key=lambda p: (
                p.id != preferred,  # the office's variant prefers it
                not p.districts,
                not any(lang in p.languages for lang in spoken),
            )
        )
        return candidates

    def partner_for(self, category: str) -> Partner | None:
        """The suggested partner of ``category`` (the best fit), if any serves the household."""
        found = self.partners_for(category)
        return found[0] if found else None
