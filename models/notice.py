"""Notices for a case's caseworker: something changed that needs a look (a child turned six)."""

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from models.fields import utc_field
from models.personal import Erase, not_personal, personal


class CaseNotice(SQLModel, table=True):
    """One thing to look at on a case, shown until someone marks it done; kept afterwards."""

    __tablename__ = "case_notices"
    __table_args__ = (
        # The same thing is told once: a second notice with the same key is not written.
        UniqueConstraint("case_id", "key"),
        Index("ix_case_notices_case_done", "case_id", "done_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id")
    key: str = Field(
        max_length=120, sa_column_kwargs=not_personal()
    )  # "school:12": a step and a member id
    # It may name a member ("Lina (unter 1 Jahr)").
    text: str = Field(max_length=500, sa_column_kwargs=personal(Erase.MARK))
    created_at: datetime = utc_field(default_now=True)
    done_at: datetime | None = utc_field(nullable=True)
    done_by_id: int | None = Field(default=None, foreign_key="staff.id")
