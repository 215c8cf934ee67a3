"""Staff of the offices: caseworkers, supervisors and administrators."""

from sqlmodel import Field, SQLModel

from models.enums import Employer, Role
from models.fields import enum_field, json_list_field


class Staff(SQLModel, table=True):
    __tablename__ = "staff"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    email: str = Field(max_length=200, unique=True)
    role: Role = enum_field()
    employer: Employer = enum_field()
    employer_name: str = Field(max_length=120)  # "Stadt Dortmund, Sozialamt" or the association
    # None: works across offices (the head of the social welfare office, administrators).
    office_id: int | None = Field(default=None, foreign_key="offices.id", index=True)
    languages: list[str] = json_list_field()
    password_hash: str | None = Field(default=None, max_length=255)
    active: bool = True
