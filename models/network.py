"""The network of partners and volunteers: the people to speak to at a partner organisation,
the volunteers an office works with (their own consent to be contacted and their agreement),
and a volunteer suggested to a household with its consent.

A partner's contact persons and a volunteer are personal data of their own (not a
household's): a volunteer who leaves is set inactive and their details are erased.
"""

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from models.fields import json_list_field, utc_field
from models.personal import Erase, not_personal, personal


class PartnerContact(SQLModel, table=True):
    """Someone to speak to at a partner organisation."""

    __tablename__ = "partner_contacts"

    id: int | None = Field(default=None, primary_key=True)
    partner_id: int = Field(foreign_key="partners.id", index=True)
    name: str = Field(max_length=120, sa_column_kwargs=personal(Erase.MARK))
    role: str | None = Field(default=None, max_length=120, sa_column_kwargs=not_personal())
    email: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Erase.NULL))
    phone: str | None = Field(default=None, max_length=40, sa_column_kwargs=personal(Erase.NULL))
    languages: list[str] = json_list_field()


class Volunteer(SQLModel, table=True):
    """A volunteer an office works with: what they help with, where, in which languages."""

    __tablename__ = "volunteers"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    name: str = Field(max_length=120, sa_column_kwargs=personal(Erase.MARK))
    email: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Erase.NULL))
    phone: str | None = Field(default=None, max_length=40, sa_column_kwargs=personal(Erase.NULL))
    languages: list[str] = json_list_field()
    helps_with: list[str] = json_list_field()  # areas (models.enums.ContactTopic values)
    districts: list[str] = json_list_field()  # empty: wherever asked
    availability: str | None = Field(
        default=None, max_length=200, sa_column_kwargs=personal(Erase.NULL)
    )  # "dienstags nachmittags"
    contact_consent_on: date | None = None  # their own consent to be contacted by the office
    agreement_on: date | None = None  # the volunteer agreement (Ehrenamtsvereinbarung) signed
    active: bool = True
    created_at: datetime = utc_field(default_now=True)
    left_at: datetime | None = utc_field(nullable=True)


class VolunteerSuggestion(SQLModel, table=True):
    """A volunteer suggested to a household, with the household's consent to pass on its
    contact, recorded on the case."""

    __tablename__ = "volunteer_suggestions"

    id: int | None = Field(default=None, primary_key=True)
    case_id: int = Field(foreign_key="cases.id", index=True)
    volunteer_id: int = Field(foreign_key="volunteers.id", index=True)
    area: str = Field(max_length=40, sa_column_kwargs=not_personal())  # ContactTopic value
    household_consent_on: date
    note: str | None = Field(default=None, max_length=500, sa_column_kwargs=personal(Erase.NULL))
    suggested_at: datetime = utc_field(default_now=True)
    suggested_by_id: int | None = Field(default=None, foreign_key="staff.id")
    ended_at: datetime | None = utc_field(nullable=True)
