"""District offices and their outreach sub-locations (their hours: ``models.consultation``)."""

from sqlmodel import Field, SQLModel

from models.fields import json_list_field


class Office(SQLModel, table=True):
    __tablename__ = "offices"

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=40, unique=True)  # e.g. "eving-scharnhorst"
    name: str = Field(max_length=120)  # e.g. "Eving/Scharnhorst"
    address: str = Field(max_length=200)
    partner_organisation: str = Field(max_length=120)  # the welfare association in the tandem
    email: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=40)
    districts: list[str] = json_list_field()  # models.enums.District values served


class SubLocation(SQLModel, table=True):
    """A place where an office holds weekly outreach hours (e.g. Lanstrop, Scharnhorst-Ost)."""

    __tablename__ = "sub_locations"

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    name: str = Field(max_length=120)
    address: str = Field(max_length=200)
