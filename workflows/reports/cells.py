"""What a report may show of a number: no small cells, so nobody is recognised from them.

A count from 1 to 4 reads "< 5" (0 stays 0: nothing happened); a share or a median taken over
fewer than 5 cases is withheld ("–"), since it would tell about those few.
"""

from dataclasses import dataclass
from typing import Literal

SMALL = 5
HIDDEN = "< 5"
WITHHELD = "–"

Kind = Literal["count", "share", "median"]


@dataclass(frozen=True)
class Cell:
    """One figure of a report: a count, a share (0–1) or a median of days, with how many cases
    it was taken over (``base``; for a count, the count itself)."""

    kind: Kind
    value: float | None
    base: int

    @classmethod
    def count(cls, value: int) -> "Cell":
        return cls("count", value, value)

    @property
    def suppressed(self) -> bool:
        if self.kind == "count":
            return 0 < self.base < SMALL
        return self.value is None or self.base < SMALL

    def text(self) -> str:
        """As the page and the CSV show it."""
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
