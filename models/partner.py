"""Cooperation partners and the referrals sent to them."""

import secrets
from datetime import datetime

from sqlmodel import Field, SQLModel

from models.enums import PartnerCategory, ReferralStatus
from models.fields import enum_field, json_list_field, utc_field
from models.personal import Erase, not_personal, personal


class Partner(SQLModel, table=True):
    __tablename__ = "partners"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=160)
    category: PartnerCategory = enum_field(index=True)
    email: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    districts: list[str] = json_list_field()  # empty: serves the whole city
    active: bool = True
    languages: list[str] = json_list_field()  # spoken there (ISO 639-1), for choosing one
    capacity_note: str | None = Field(default=None, max_length=300)  # "Wartezeit 4 Wochen"
    offers: str | None = Field(default=None, max_length=1000)  # what exactly they do
    opening_hours: str | None = Field(default=None, max_length=300)  # "Mo–Do 9–12 Uhr"


class Referral(SQLModel, table=True):
    """A household referred to a partner (weitervermittelt), for a step of its case or for
    any category it consented to (``step_id`` None)."""

    __tablename__ = "referrals"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    step_id: int | None = Field(default=None, foreign_key="case_steps.id", index=True)
    partner_id: int = Field(foreign_key="partners.id", index=True)
    # The caseworker's words to them.
    message: str | None = Field(
        default=None, max_length=4000, sa_column_kwargs=personal(Erase.NULL)
    )
    status: ReferralStatus = enum_field(ReferralStatus.SENT)
    created_at: datetime = utc_field(default_now=True)
    created_by_id: int | None = Field(default=None, foreign_key="staff.id")
    answered_at: datetime | None = utc_field(nullable=True)
    answer_note: str | None = Field(default=None, sa_column_kwargs=personal(Erase.NULL))
    # What the partner reported in the end (done, or the household not reached), and when.
    reported_at: datetime | None = utc_field(nullable=True)
    report_note: str | None = Field(
        default=None, max_length=1000, sa_column_kwargs=personal(Erase.NULL)
    )
    # Part of the partner's signed answer links: a new referral never accepts an old link.
    link_nonce: str = Field(
        default_factory=lambda: secrets.token_urlsafe(12),
        max_length=32,
        sa_column_kwargs=not_personal(secret=True, server_default=""),
    )
