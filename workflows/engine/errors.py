"""Domain errors: what the web layer maps to 404 / 409 / 422 and the CLI prints as one line."""


class DomainError(Exception):
    """A refusal the person can understand and act on."""


class NotFound(DomainError):
    """Nothing of that number that the person may see (404)."""


class CaseNotFound(NotFound):
    def __init__(self, case_id: int) -> None:
        super().__init__(f"Fall {case_id} nicht gefunden.")
        self.case_id = case_id


class Conflict(DomainError):
    """The case is not where the caller thought it was."""


class TransitionNotAllowed(Conflict):
    def __init__(self, trigger: str, state: str, allowed: list[str]) -> None:
        allowed_text = ", ".join(allowed) if allowed else "keine"
        super().__init__(
            f"'{trigger}' ist im Zustand '{state}' nicht möglich. Möglich sind: {allowed_text}."
        )
        self.trigger, self.state, self.allowed = trigger, state, allowed


class UnknownTrigger(TransitionNotAllowed):
    pass


class StaleCase(Conflict):
    def __init__(self, case_id: int, expected: int | None, actual: int | None) -> None:
        super().__init__(
            f"Fall {case_id} wurde inzwischen geändert (Version {actual}, erwartet {expected}). "
            "Bitte neu laden und erneut versuchen."
        )
        self.case_id, self.expected, self.actual = case_id, expected, actual


class CaseInTransfer(Conflict):
    """Staff change nothing on a case being handed over until the receiving office accepts."""

    def __init__(self, case_id: int) -> None:
        super().__init__(
            f"Fall {case_id} ist in Übergabe an ein anderes Büro und bis zur Annahme nur "
            "lesbar. Die Übergabe kann zurückgezogen werden."
        )
        self.case_id = case_id


class GuardFailed(DomainError):
    def __init__(self, trigger: str, guard: str, reason: str) -> None:
        super().__init__(f"'{trigger}' nicht möglich: {reason}")
        self.trigger, self.guard, self.reason = trigger, guard, reason


class InvalidInput(DomainError):
    """Input that fails validation; ``errors`` maps field names to messages."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors
