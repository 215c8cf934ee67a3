"""Households, their members and the consent they gave to share data with partners."""

from datetime import date, datetime

from sqlalchemy import JSON, Column, ColumnElement, LargeBinary, and_, or_, text
from sqlmodel import Field, SQLModel, col

from models.enums import DEFAULT_SHARED_FIELDS, District, EvidenceKind, PartnerCategory
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
    """Consent to share the household's data with partners of one category.

    Nothing is deleted: a withdrawal, a renewal (the new consent ``replaced`` this one) and the
    end of an ``expires_on`` stay on record. The signed form is a ``ConsentEvidence``."""

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
    # The last day the consent holds (the household chose a limit); None: until withdrawn.
    expires_on: date | None = None
    replaced_at: datetime | None = utc_field(nullable=True)  # renewed or changed: a new consent

    @classmethod
    def standing(cls) -> ColumnElement[bool]:
        """Consents neither withdrawn nor replaced by a newer one (they may have expired)."""
        return and_(col(cls.withdrawn_at).is_(None), col(cls.replaced_at).is_(None))

    @classmethod
    def in_force_on(cls, today: date) -> ColumnElement[bool]:
        """Consents that allow sharing on ``today``: standing and not expired."""
        expires_on = col(cls.expires_on)
        return and_(
            cls.standing(),
            or_(expires_on.is_(None), expires_on >= today),
        )

    def expired_on(self, today: date) -> bool:
        return self.expires_on is not None and self.expires_on < today


class ConsentEvidence(SQLModel, table=True):
    """The household's signature under one consent form: the signed paper form scanned, or the
    signature drawn on the tablet. Erased with the household's other data."""

    __tablename__ = "consent_evidence"

    id: int | None = Field(default=None, primary_key=True)
    consent_id: int = Field(foreign_key="consents.id", unique=True)
    kind: EvidenceKind = enum_field()
    content_type: str = Field(max_length=40, sa_column_kwargs=not_personal())
    data: bytes | None = Field(
        default=None, sa_column=Column(LargeBinary, nullable=True, **personal(Erase.NULL))
    )
    sha256: str | None = Field(default=None, max_length=64, sa_column_kwargs=personal(Erase.NULL))
    recorded_at: datetime = utc_field(default_now=True)
    recorded_by_id: int = Field(foreign_key="staff.id")
