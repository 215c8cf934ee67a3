"""The office's list of obstacles: kept by administrators and the office's supervisors (the
same people who keep its consultation hours); an entry no longer wanted is set inactive, so
the cases and figures that name it keep it."""

import re
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictBool
from sqlmodel import Session, col, select

from core import limits
from models import ObstacleKind, Staff
from models.enums import ContactTopic
from workflows.consultations.schedule import may_plan
from workflows.engine.errors import InvalidInput, NotFound

Label = Annotated[str, Field(min_length=3, max_length=120, pattern=limits.LINE_PATTERN)]
Code = Annotated[str, Field(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")]

# Offered to an office whose list is empty: the barriers the programme names most often.
SUGGESTIONS: tuple[tuple[str, str, ContactTopic], ...] = (
    ("kita-kein-platz", "Kein Kita-Platz im Stadtbezirk", ContactTopic.KITA),
    ("schule-keine-seiteneinsteigerklasse", "Kein Platz in einer Seiteneinsteigerklasse",
     ContactTopic.SCHOOL),
    ("strom-ohne-schufa", "Stromanbieter lehnt Vertrag ohne SCHUFA-Auskunft ab",
     ContactTopic.ENERGY),
    ("konto-abgelehnt", "Bank verweigert ein Basiskonto", ContactTopic.MONEY),
    ("termin-buergerbuero", "Kein Termin im Bürgerbüro innerhalb der Meldefrist",
     ContactTopic.OFFICIAL_MAIL),
    ("sprachkurs-warteliste", "Warteliste für den Integrationskurs", ContactTopic.LANGUAGE_COURSE),
    ("kinderarzt-aufnahmestopp", "Keine Kinderarztpraxis nimmt auf", ContactTopic.HEALTH),
    ("ticket-bewilligung", "Sozialticket noch nicht bewilligt", ContactTopic.TRANSIT),
)  # fmt: skip


class KindIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: Code = Field(description="Short and stable, e.g. kita-kein-platz.")
    label: Label
    area: ContactTopic = Field(description="The area of life (Kita, Schule, Strom/Gas, …).")
    active: StrictBool = True


class KindNotFound(NotFound):
    def __init__(self) -> None:
        super().__init__("Hemmnis nicht gefunden.")


def may_keep(staff: Staff, office_id: int) -> bool:
    return may_plan(staff, office_id)


def kinds_of(session: Session, office_id: int, *, active_only: bool = False) -> list[ObstacleKind]:
    query = select(ObstacleKind).where(ObstacleKind.office_id == office_id)
    if active_only:
        query = query.where(col(ObstacleKind.active).is_(True))
    order = (col(ObstacleKind.active).desc(), col(ObstacleKind.area), col(ObstacleKind.label))
    return list(session.exec(query.order_by(*order)))


def get_kind(session: Session, kind_id: int, office_id: int | None = None) -> ObstacleKind:
    kind = session.get(ObstacleKind, kind_id)
    if kind is None or (office_id is not None and kind.office_id != office_id):
        raise KindNotFound
    return kind


def save_kind(
    session: Session, office_id: int, data: KindIn, kind_id: int | None = None
) -> ObstacleKind:
    """Add an entry to the office's list, or change one (its code stays unique)."""
    label = re.sub(r"\s+", " ", data.label).strip()
    taken = select(ObstacleKind.id).where(
        ObstacleKind.office_id == office_id, ObstacleKind.code == data.code
    )
    if kind_id is not None:
        taken = taken.where(ObstacleKind.id != kind_id)
    kind = None if kind_id is None else get_kind(session, kind_id, office_id)
    if session.exec(taken).first() is not None:
        raise InvalidInput({"code": f"Das Kürzel „{data.code}“ gibt es in diesem Büro schon."})
    if kind is None:
        kind = ObstacleKind(office_id=office_id, code=data.code, label=label, area=data.area)
    kind.code, kind.label, kind.area, kind.active = data.code, label, data.area, data.active
    session.add(kind)
    session.flush()
    return kind


def add_suggestions(session: Session, office_id: int) -> int:
    """The suggested entries the office does not have yet (by code); how many were added."""
    have = set(session.exec(select(ObstacleKind.code).where(ObstacleKind.office_id == office_id)))
    added = 0
    for code, label, area in SUGGESTIONS:
        if code not in have:
            session.add(ObstacleKind(office_id=office_id, code=code, label=label, area=area))
            added += 1
    session.flush()
    return added
