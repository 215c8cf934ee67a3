"""Every email the engine will send is a reminder row with a due time and a delivery status."""

from datetime import datetime

from sqlalchemy import Index, text
from sqlmodel import Field, SQLModel

from models.enums import Recipient, ReminderKind, ReminderStatus
from models.fields import enum_field, utc_field
from models.personal import Erase, not_personal, personal


class Reminder(SQLModel, table=True):
    __tablename__ = "reminders"
    __table_args__ = (
        # The due sweep reads "scheduled, due before now" in due order: one index range scan.
        Index("ix_reminders_status_due", "status", "due_at"),
        # Only SMS reminders have a gateway reference: an index of the others' NULLs would take
        # an entry at a random place for every status change of every email (bench/RESULTS.md,
        # scenario 5).
        Index(
            "ix_reminders_provider_ref",
            "provider_ref",
            unique=True,
            postgresql_where=text("provider_ref IS NOT NULL"),
            sqlite_where=text("provider_ref IS NOT NULL"),
        ),
        # Room on each page for the next version of a row: the sweep's and the delivery's status
        # updates write it beside the old one instead of on a page read from disk (PostgreSQL).
        {"postgresql_with": {"fillfactor": 90}},
    )

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    kind: ReminderKind = enum_field()
    recipient: Recipient = enum_field()
    step_id: int | None = Field(default=None, foreign_key="case_steps.id")
    appointment_id: int | None = Field(default=None, foreign_key="appointments.id")
    referral_id: int | None = Field(default=None, foreign_key="referrals.id")
    agreement_id: int | None = Field(default=None, foreign_key="agreements.id")
    milestone: str | None = Field(default=None, max_length=40, sa_column_kwargs=not_personal())
    due_at: datetime = utc_field()
    status: ReminderStatus = enum_field(ReminderStatus.SCHEDULED)
    attempts: int = 0
    # The mail server's or gateway's words: they may quote an address or a number.
    last_error: str | None = Field(
        default=None, max_length=500, sa_column_kwargs=personal(Erase.NULL)
    )
    created_at: datetime = utc_field(default_now=True)
    queued_at: datetime | None = utc_field(nullable=True)
    claimed_at: datetime | None = utc_field(nullable=True)
    sent_at: datetime | None = utc_field(nullable=True)
    cancelled_reason: str | None = Field(
        default=None, max_length=200, sa_column_kwargs=personal(Erase.NULL)
    )
    # The channel it went out on (or waits for as a task); None until a delivery chose one.
    channel: str | None = Field(default=None, max_length=20, sa_column_kwargs=not_personal())
    # A household message whose first channel failed for good and that went on to the next:
    # the channels that failed, comma-separated (counted with the failures on the dashboard).
    failed_channels: str | None = Field(
        default=None, max_length=40, sa_column_kwargs=not_personal()
    )
    # The SMS gateway's id of the message, to match its delivery report.
    provider_ref: str | None = Field(
        default=None, max_length=64, sa_column_kwargs=personal(Erase.NULL)
    )
    delivered_at: datetime | None = utc_field(nullable=True)  # reported by the SMS gateway
    handled_by_id: int | None = Field(default=None, foreign_key="staff.id")  # a call or letter
