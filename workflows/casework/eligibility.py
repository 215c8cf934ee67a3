"""Which steps apply, looked at again whenever the household changes or time passes.

A step applies because of someone (school: the 8-year-old) or because of the household itself
(birth: a birth is expected). What made each step apply is kept on the case (``Case.applies``,
e.g. ``school:12`` for member 12) and compared with what makes it apply today:

- a step that now applies opens by itself where the workflow says so (a child turned 6: school)
  and is otherwise offered; the caseworker gets a notice either way;
- a step that no longer applies while open is never closed silently: it is flagged on the case
  page (``no_longer_applies``) and the caseworker gets a notice to close it with a reason.

Called inside a :func:`~workflows.engine.changes.changing` block, so what it opens goes
through the engine and lands in the same transaction and history as the change that caused it.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from core.clock import berlin
from models import CaseStep, HouseholdMember
from workflows.casework.notices import notify
from workflows.engine.changes import Change
from workflows.engine.definition import StepDef
from workflows.engine.facts import CaseFacts, age_on
from workflows.move_in.states import UNFINISHED_STEP_STATES, StepState

HOUSEHOLD = "household"  # applies because of the household as such, not one member


def facts_with(facts: CaseFacts, members: list[HouseholdMember]) -> CaseFacts:
    """``facts`` as if the household were just ``members`` (which steps apply because of whom)."""
    view = CaseFacts(
        facts.session, facts.case, actor_id=None, now=facts.now, settings=facts.settings,
        household=facts.household,
    )  # fmt: skip
    view.__dict__["members"] = members  # overrides the cached_property for this view only
    if "workflow" in facts.__dict__:
        view.__dict__["workflow"] = facts.workflow
    return view


def reasons(facts: CaseFacts) -> set[str]:
    """What makes each step apply today: ``<kind>:household`` or ``<kind>:<member id>``."""
    found: set[str] = set()
    nobody = facts_with(facts, [])
    for kind, step in facts.workflow.steps.items():
        if step.eligible(nobody) is None:
            found.add(f"{kind}:{HOUSEHOLD}")
            continue
        for member in facts.members:
            if step.eligible(facts_with(facts, [member])) is None:
                found.add(f"{kind}:{member.id}")
    return found


def no_longer_applies(facts: CaseFacts, step: CaseStep) -> str | None:
    """Why an open step no longer applies to the household, or None."""
    defined = facts.workflow.steps
    if step.state not in UNFINISHED_STEP_STATES or step.kind not in defined:
        return None
    return defined[step.kind].eligible(facts)


@dataclass(frozen=True)
class Found:
    """What a look found, for the caller's message."""

    opened: list[str]  # step kinds opened by themselves
    offered: list[str]  # step kinds that now apply and can be opened
    flagged: list[str]  # open step kinds that no longer apply


def look_again(change: Change, *, why: str = "") -> Found:
    """Compare what makes the steps apply now with what did at the last look; act on it.

    ``why`` prefixes the notices ("Haushalt geändert", "Geburtstag"). The first look at a case
    (``applies`` still None: cases older than this rule) only records, it tells nobody."""
    facts, case = change.facts, change.case
    for cached in ("members", "steps"):
        facts.__dict__.pop(cached, None)  # the change may have added or edited members
    if change.workflow.is_closed(case.state):
        return Found([], [], [])
    before = set(case.applies) if case.applies is not None else None
    now_applies = reasons(facts)
    if before is not None and now_applies == before:
        return Found([], [], [])
    case.applies = sorted(now_applies)
    if before is None:
        return Found([], [], [])
    gained, lost = now_applies - before, before - now_applies
    names = {str(m.id): f"{m.given_name} ({_age(m, facts.today)})" for m in facts.members}
    opened, offered, flagged = [], [], []
    prefix = f"{why}: " if why else ""
    defined = facts.workflow.steps
    for kind in _kinds(gained, defined):
        label = defined[kind].label
        because = _because(kind, gained, names, facts)
        step = facts.steps.get(kind)
        state = step.state if step is not None else StepState.INACTIVE
        key = f"applies:{kind}:{','.join(sorted(_who(kind, gained)))}:{facts.today}"
        if state == StepState.INACTIVE and defined[kind].opens_when_it_applies:
            change.fire(f"open_{kind}", note=f"automatisch geöffnet: {because}")
            opened.append(kind)
            text = f"{prefix}„{label}“ wurde geöffnet – {because}."
        elif state in UNFINISHED_STEP_STATES:
            text = f"{prefix}„{label}“ betrifft jetzt auch: {because}."
        else:
            offered.append(kind)
            verb = "wieder öffnen" if state in (StepState.DONE, StepState.WAIVED) else "öffnen"
            text = f"{prefix}„{label}“ kommt jetzt in Frage – {because}. Bei Bedarf {verb}."
        notify(facts.session, case.id, key, text, facts.now)  # type: ignore[arg-type]
    for kind in _kinds(lost, defined):
        step = facts.steps.get(kind)
        reason = no_longer_applies(facts, step) if step is not None else None
        if reason is None:
            continue  # closed already, or still applies because of someone else
        flagged.append(kind)
        key = f"lapsed:{kind}:{facts.today}"
        text = (
            f"{prefix}„{defined[kind].label}“ trifft nicht mehr zu ({reason}) – "
            "bitte prüfen und ggf. mit Grund als „entfällt“ schließen."
        )
        notify(facts.session, case.id, key, text, facts.now)  # type: ignore[arg-type]
    return Found(opened, offered, flagged)


def _kinds(keys: set[str], defined: Mapping[str, StepDef]) -> list[str]:
    present = {key.partition(":")[0] for key in keys}
    return [kind for kind in defined if kind in present]  # in the workflow's order


def _who(kind: str, keys: set[str]) -> list[str]:
    return [key.partition(":")[2] for key in keys if key.partition(":")[0] == kind]


def _because(kind: str, keys: set[str], names: dict[str, str], facts: CaseFacts) -> str:
    parts = []
    for who in sorted(_who(kind, keys)):
        if who == HOUSEHOLD:
            expected = facts.household.expected_birth_on
            parts.append(f"Geburt erwartet am {expected:%d.%m.%Y}" if expected else "Haushalt")
        else:
            parts.append(names.get(who, "Haushaltsmitglied"))
    return ", ".join(parts)


def _age(member: HouseholdMember, today: date) -> str:
    years = age_on(member.birth_date, today)
    if years >= 1:
        return "1 Jahr" if years == 1 else f"{years} Jahre"
    return "unter 1 Jahr"


def birth_overdue(change: Change) -> bool:
    """The expected birth date has passed: ask once for the child to be recorded."""
    facts = change.facts
    expected = facts.household.expected_birth_on
    if expected is None or expected >= berlin(facts.now).date():
        return False
    text = (
        f"Der Geburtstermin ({expected:%d.%m.%Y}) ist vorbei: bitte das Kind als "
        "Haushaltsmitglied erfassen und „Geburt erwartet am“ leeren."
    )
    return notify(facts.session, change.case.id, f"birth_passed:{expected}", text, facts.now)  # type: ignore[arg-type]
