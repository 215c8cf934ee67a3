"""Obstacles counted per district and entry of the list over a period, with no names: how many
cases they held up, how many were noted and overcome in the period, how many are still open
at its end, and the median days a case waited (until overcome; for the open ones, so far).

The district is the household's; a case handed to another office keeps its district. These
figures prepare the round table's agenda and go into the reports (which show counts under 5
as "< 5").
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from statistics import median

from sqlmodel import Session, col, select

from core.clock import utc_now
from models import Case, CaseObstacle, Household, ObstacleKind
from workflows.consultations.schedule import local_moment

DAY = timedelta(days=1)


@dataclass
class ObstacleRow:
    district: str
    area: str
    kind_id: int
    label: str
    cases: set[int] = field(default_factory=set)  # held up in the period
    new: int = 0  # noted in the period
    resolved: int = 0  # overcome in the period
    open: int = 0  # still open at its end
    waited: list[float] = field(default_factory=list)  # days, of those overcome in the period
    waiting: list[float] = field(default_factory=list)  # days so far, of those still open

    @property
    def affected(self) -> int:
        return len(self.cases)

    @property
    def median_waited(self) -> float | None:
        return round(median(self.waited), 1) if self.waited else None

    @property
    def median_waiting(self) -> float | None:
        return round(median(self.waiting), 1) if self.waiting else None


@dataclass(frozen=True)
class ObstacleFigures:
    first: date
    last: date
    rows: list[ObstacleRow]

    def districts(self) -> list[str]:
        return sorted({row.district for row in self.rows})


def count(
    session: Session,
    office_ids: list[int] | None,
    first: date,
    last: date,
    *,
    now: datetime | None = None,
) -> ObstacleFigures:
    """The obstacles of these offices' cases (None: all) from ``first`` to ``last``."""
    start, end = local_moment(first, time(0)), local_moment(last + DAY, time(0))
    end = min(end, now or utc_now())
    query = (
        select(CaseObstacle, ObstacleKind, Household.district)
        .join(ObstacleKind, col(ObstacleKind.id) == CaseObstacle.kind_id)
        .join(Case, col(Case.id) == CaseObstacle.case_id)
        .join(Household, col(Household.id) == Case.household_id)
        .where(
            col(CaseObstacle.noted_at) < end,
            col(CaseObstacle.resolved_at).is_(None) | (col(CaseObstacle.resolved_at) >= start),
        )
    )
    if office_ids is not None:
        query = query.where(col(Case.office_id).in_(office_ids))
    rows: dict[tuple[str, int], ObstacleRow] = {}
    for obstacle, kind, district in session.exec(query):
        assert kind.id is not None
        key = (str(district), kind.id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = ObstacleRow(str(district), str(kind.area), kind.id, kind.label)
        row.cases.add(obstacle.case_id)
        row.new += obstacle.noted_at >= start
        if obstacle.resolved_at is not None and obstacle.resolved_at < end:
            row.resolved += 1
            row.waited.append((obstacle.resolved_at - obstacle.noted_at) / DAY)
        else:
            row.open += 1
            row.waiting.append((end - obstacle.noted_at) / DAY)
    ordered = sorted(rows.values(), key=lambda r: (r.district, -r.affected, r.label))
    return ObstacleFigures(first, last, ordered)
