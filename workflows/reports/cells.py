"""What a report may show of a number: no small cells, so nobody is recognised from them.

A count from 1 to 4 reads "< 5" (0 stays 0: nothing happened); a share or a median taken over
fewer than 5 cases is withheld ("–"), since it would tell about those few. Where a total and its
parts are shown, a single small part could be worked out by subtraction: another part is then
covered too ("x", see ``protect``).
"""

from dataclasses import dataclass, replace
from typing import Literal

SMALL = 5
HIDDEN = "< 5"
WITHHELD = "–"
COVERED = "x"

Kind = Literal["count", "share", "median"]


@dataclass(frozen=True)
class Cell:
    """One figure of a report: a count, a share (0–1) or a median of days, with how many cases
    it was taken over (``base``; for a count, the count itself)."""

    kind: Kind
    value: float | None
    base: int
    covered: bool = False  # hidden so that a small part cannot be worked out from the total

    @classmethod
    def count(cls, value: int) -> "Cell":
        return cls("count", value, value)

    @property
    def suppressed(self) -> bool:
        if self.covered:
            return True
        if self.kind == "count":
            return 0 < self.base < SMALL
        return self.value is None or self.base < SMALL

    def text(self) -> str:
        """As the page and the CSV show it."""
        if self.covered:
            return COVERED
        if self.kind == "count":
            return HIDDEN if self.suppressed else str(int(self.value or 0))
        if self.suppressed:
            return WITHHELD
        if self.kind == "share":
            return f"{round(100 * (self.value or 0))} %"
        return f"{self.value:.0f}"

    def number(self) -> float | int | str:
        """As a spreadsheet cell: a number where it may be shown, else the text."""
        if self.suppressed:
            return self.text()
        if self.kind == "count":
            return int(self.value or 0)
        if self.kind == "share":
            return round(self.value or 0, 3)
        return round(self.value or 0, 1)


def protect(total: Cell, parts: list[Cell]) -> list[Cell]:
    """The parts of a shown total, covered so that no small number can be worked out from it.

    A small part (1–4) — or a small rest that the parts leave of the total — is hidden, but if
    it is the only one, the total minus the shown parts gives it away; then the smallest other
    part that is shown is covered as well (secondary suppression, as statistical offices do).
    """
    if total.suppressed:
        return parts
    rest = int(total.value or 0) - sum(int(part.value or 0) for part in parts)
    small = sum(part.suppressed for part in parts) + (0 < rest < SMALL)
    shown = [i for i, part in enumerate(parts) if not part.suppressed and part.value]
    if small != 1 or not shown:
        return parts
    smallest = min(shown, key=lambda i: parts[i].value or 0)
    return [replace(part, covered=True) if i == smallest else part for i, part in enumerate(parts)]
