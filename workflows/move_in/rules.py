"""The move-in workflow's rules, named so the definition file can refer to them: when a step
applies to a household, and whether it is opened by itself when the case is opened.

Python functions, not data: a definition names them and cannot bring code of its own.
"""

from collections.abc import Callable

from workflows.engine.facts import CaseFacts

Applies = Callable[[CaseFacts], str | None]


def _always(_facts: CaseFacts) -> str | None:
    return None


def _member_aged(low: int, high: int, *, unless: str) -> Applies:
    """Applies when a member is aged ``low`` ≤ age < ``high`` and the flag ``unless`` is unset."""

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


# When a step applies (None) or why it does not.
APPLIES: dict[str, tuple[Applies, str]] = {
    "always": (_always, "immer"),
    "child_of_school_age": (
        _member_aged(6, 18, unless="in_school"),
        "ein Kind von 6 bis 17 Jahren ohne Schulplatz",
    ),
    "child_of_kita_age": (
        _member_aged(1, 6, unless="in_childcare"),
        "ein Kind von 1 bis 5 Jahren ohne Betreuungsplatz",
    ),
    "adult_able_to_work": (_adult_able_to_work, "eine erwerbsfähige erwachsene Person"),
    "birth_expected": (_birth_expected, "eine Geburt erwartet oder ein Säugling im Haushalt"),
}

# Whether the step is opened by itself at intake; "when_it_applies" follows its ``applies``.
AT_INTAKE: dict[str, str] = {
    "always": "immer",
    "never": "nur auf Wunsch",
    "when_it_applies": "wenn er zutrifft",
    "birth_date_known": "wenn ein Geburtstermin bekannt ist",
}


def at_intake(name: str, applies: Applies) -> Callable[[CaseFacts], bool]:
    """The intake rule ``name`` for a step with this applicability."""
    if name == "always":
        return lambda _facts: True
    if name == "never":
        return lambda _facts: False
    if name == "when_it_applies":
        return lambda facts: applies(facts) is None
    if name == "birth_date_known":
        return lambda facts: facts.household.expected_birth_on is not None
    raise KeyError(name)
