"""The transactional outbox: work written with the change, relayed to Celery after commit."""

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from models.fields import json_dict_field, utc_field


class OutboxMessage(SQLModel, table=True):
    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "relayed_at", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    task: str = Field(max_length=80)  # a registered Celery task name, e.g. "messages.send_reminder"
    # The task's keyword arguments: ids only, because the broker and Flower show them.
    arguments: dict[str, int] = json_dict_field()
    created_at: datetime = utc_field(default_now=True)
    relayed_at: datetime | None = utc_field(nullable=True)
    # A relay is publishing it until then (no transaction stays open while Redis is slow); a
    # relay that died leaves it to the next one once this has passed.
    claimed_until: datetime | None = utc_field(nullable=True)
    attempts: int = 0
    last_error: str | None = Field(default=None, max_length=300)
