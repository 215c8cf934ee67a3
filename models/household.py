"""Households, their members and the consent they gave to share data with partners."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, text
from sqlmodel import Field, SQLModel

from models.enums import DEFAULT_SHARED_FIELDS, District, PartnerCategory
from models.fields import enum_field, json_list_field, utc_field
from models.personal import Erase, not_personal, personal

# Consents recorded before the scope existed share what the default shares.
_DEFAULT_SCOPE_SQL = text("""'["name", "phone", "languages"]'""")


class Household(SQLModel, table=True):
    __tablename__ = "households"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    family_name: str = Field(max_length=120, sa_column_kwargs=personal(Erase.MARK))
    street: str = Field(max_length=200, sa_column_kwargs=personal(Erase.BLANK))
    postal_code: str = Field(max_length=5, sa_column_kwargs=personal(Erase.BLANK))
    city: str = Field(
        default="Dortmund", max_length=80, sa_column_kwargs=not_personal()
    )  # the city, for all
    district: District = enum_field()
    # The outreach location the household goes to, if not the office itself.
    sub_location_id: int | None = Field(default=None, foreign_key="sub_locations.id")
    moved_in_on: date
    languages: list[str] = json_list_field()  # preferred first, ISO 639-1 codes
    # How the household is reached, preferred first (models.enums.Channel values).
    contact_channels: list[str] = json_list_field()
    email: str | None = Field(default=None, max_length=200, sa_column_kwargs=personal(Erase.NULL))
    phone: str | None = Field(default=None, max_length=40, sa_column_kwargs=personal(Erase.NULL))
    # A contact person or volunteer who passes messages on (the "helper" channel).
    helper_name: str | None = Field(
        default=None, max_length=120, sa_column_kwargs=personal(Erase.NULL)
    )
    helper_phone: str | None = Field(
        default=None, max_length=40, sa_column_kwargs=personal(Erase.NULL)
    )
    helper_email: str | None = Field(
        default=None, max_length=200, sa_column_kwargs=personal(Erase.NULL)
    )
    expected_birth_on: date | None = Field(default=None, sa_column_kwargs=personal(Erase.NULL))
    created_at: datetime = utc_field(default_now=True)
    anonymised_at: datetime | None = utc_field(nullable=True)


class HouseholdMember(SQLModel, table=True):
    """A person in the household; birth date and situation decide which steps apply."""

    __tablename__ = "household_members"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="households.id", index=True)
    given_name: str = Field(max_length=120, sa_column_kwargs=personal(Erase.MARK))
    family_name: str = Field(max_length=120, sa_column_kwargs=personal(Erase.MARK))
    birth_date: date = Field(sa_column_kwargs=personal(Erase.YEAR))
    in_school: bool = False
    in_childcare: bool = False
    able_to_work: bool = False
    is_contact: bool = False


class Consent(SQLModel, table=True):
    """Consent to share the household's data with partners of one category; withdrawal is kept."""

    __tablename__ = "consents"

    id: int | None = Field(default=None, primary_key=True)
    household_id: int = Field(foreign_key="households.id", index=True)
    partner_category: PartnerCategory = enum_field()
    granted_at: datetime = utc_field(default_now=True)
    granted_by_id: int = Field(foreign_key="staff.id")
    withdrawn_at: datetime | None = utc_field(nullable=True)
    withdrawn_by_id: int | None = Field(default=None, foreign_key="staff.id")
    # What may be shared (models.enums.SharedField values); the referral email holds only these.
    shared_fields: list[str] = Field(
        default_factory=lambda: [str(f) for f in DEFAULT_SHARED_FIELDS],
        sa_column=Column(
            JSON, nullable=False, server_default=_DEFAULT_SCOPE_SQL, info={"personal": None}
        ),
    )
