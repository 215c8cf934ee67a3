"""When the engine's periodic work last ran: one row per kind of sweep, overwritten each time."""

from datetime import datetime

from sqlmodel import Field, SQLModel

from models.fields import utc_field


class Heartbeat(SQLModel, table=True):
    """``dispatch``: the due-reminder sweep that celery beat starts every minute. Its time tells
    the dashboard and /metrics that beat, the broker and a worker all still work."""

    __tablename__ = "heartbeats"

    name: str = Field(primary_key=True, max_length=40)
    at: datetime = utc_field()
    handled: int = 0  # how many items the last run handled (reminders queued)
