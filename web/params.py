"""Typed request parameters with the bounds of ``core.limits``: an id that cannot exist is a 404
before any query runs, a page number out of range a 400."""

from typing import Annotated

from fastapi import Path, Query

from core.limits import MAX_ID, MAX_PAGE

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="Eine Nummer (id).")]
OptionalIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID)]
PageQuery = Annotated[int, Query(ge=1, le=MAX_PAGE)]
