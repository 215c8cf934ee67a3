"""Production refuses weak or example secrets: placeholders, development defaults, short values.

Anyone who read the repository knows the values in ``.env.example`` and the development defaults;
a deployment that kept one of them could have its session cookies forged (the secret key) or its
queues opened (Flower). Every secret is checked when the settings are read, so web, worker, beat
and Flower all refuse to start, and the error names the variable to set.
"""

from collections.abc import Iterator

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

# The development defaults and every placeholder .env.example ships (a test keeps them in step).
KNOWN_VALUES = frozenset(
    {
        "willkommen-dev-secret-change-me",
        "willkommen-dev",
        "change-me",
        "change-me-to-a-long-random-string",
        "changeme",
        "password",
        "secret",
        "postgres",
        "willkommen",
    }
)
# Words that mark a value as a placeholder, whatever surrounds them.
PLACEHOLDER_WORDS = ("change-me", "changeme", "example", "placeholder")

MIN_SECRET_KEY = 32  # signs session cookies and partners' links: 32 random characters or more
MIN_PASSWORD = 12


class WeakSecrets(RuntimeError):
    """Production settings with secrets anyone can know; the message names each variable."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("refusing to start in production: " + "; ".join(problems))


def weakness(value: str, minimum: int) -> str | None:
    """Why ``value`` is no secret (a known value, a placeholder, too short), or None."""
    lowered = value.strip().lower()
    if lowered in KNOWN_VALUES or any(word in lowered for word in PLACEHOLDER_WORDS):
        return "is a placeholder or development default that anyone can read in the repository"
    if len(value) < minimum:
        return f"is shorter than {minimum} characters"
    return None


def url_password(url: str | None) -> str | None:
    """The password inside a database or broker URL, if it carries one."""
    if not url:
        return None
    try:
        return make_url(url).password  # type: ignore[return-value]
    except ArgumentError:
        return None


def problems(secrets: dict[str, tuple[str | None, int]]) -> Iterator[str]:
    """``VARIABLE …`` for each secret that is weak; ``secrets``: variable → (value, minimum)."""
    for variable, (value, minimum) in secrets.items():
        if value is None:
            continue
        reason = weakness(value, minimum)
        if reason is not None:
            yield f"{variable} {reason}"
