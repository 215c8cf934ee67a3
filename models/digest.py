"""One row per supervisor and day: the daily digest is claimed here before it is sent."""

from datetime import date, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.fields import utc_field


class DigestDelivery(SQLModel, table=True):
    __tablename__ = "digest_deliveries"
    __table_args__ = (UniqueConstraint("staff_id", "day"),)

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff.id")
    day: date
    status: str = Field(default="sending", max_length=20)  # sending, sent, failed, empty
    claimed_at: datetime = utc_field(default_now=True)
    sent_at: datetime | None = utc_field(nullable=True)
    last_error: str | None = Field(default=None, max_length=500)
