"""An office's variant of a workflow: what it changes of the base definition (deadlines,
reminder offsets, visit deadlines, step labels, preferred partners), kept as revisions — each
save is a new row with its author, date and reason, none is changed afterwards — and the case
records the revision it was opened under."""

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from models.fields import json_dict_field, utc_field
from models.personal import not_personal


class WorkflowVariant(SQLModel, table=True):
    __tablename__ = "workflow_variants"
    __table_args__ = (UniqueConstraint("office_id", "workflow", "revision"),)

    id: int | None = Field(default=None, primary_key=True)
    office_id: int = Field(foreign_key="offices.id", index=True)
    workflow: str = Field(max_length=40, sa_column_kwargs=not_personal())
    revision: int  # 1, 2, … per office and workflow
    overrides: dict = json_dict_field()  # workflows.definitions.variants.VariantIn
    reason: str = Field(max_length=500, sa_column_kwargs=not_personal())
    author_id: int | None = Field(default=None, foreign_key="staff.id")
    created_at: datetime = utc_field(default_now=True)
