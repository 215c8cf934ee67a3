"""Request dependencies: the database session, the signed-in staff member, role checks."""

from collections.abc import Callable, Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from core.db import new_session
from models import Staff
from models.enums import Role
from web.errors import Forbidden, LoginRequired


def db() -> Iterator[Session]:
    """A session per request. Routes that change something call ``core.db.commit`` themselves
    before they answer (Post/Redirect/Get reads committed data); otherwise it rolls back."""
    with new_session() as session:
        yield session


DbSession = Annotated[Session, Depends(db)]


def current_staff(request: Request, session: DbSession) -> Staff:
    """The signed-in, active staff member, or LoginRequired."""
    staff_id = request.session.get("staff_id")
    staff = session.get(Staff, staff_id) if isinstance(staff_id, int) else None
    if staff is None or not staff.active:
        request.session.pop("staff_id", None)
        raise LoginRequired()
    request.state.staff = staff  # for an error page's navigation, without a second connection
    session.info["actor_id"] = staff.id  # the audit trail's "who" (workflows.audit)
    return staff


def require(*roles: Role) -> Callable[..., Staff]:
    """Dependency factory: the signed-in staff member if their role is one of ``roles``."""

    def check(staff: Annotated[Staff, Depends(current_staff)]) -> Staff:
        if staff.role not in roles:
            raise Forbidden()
        return staff

    return check


CurrentStaff = Annotated[Staff, Depends(current_staff)]
# Who works on cases: caseworkers and supervisors (each limited to their offices).
CaseStaff = Annotated[Staff, Depends(require(Role.CASEWORKER, Role.SUPERVISOR))]
Supervisor = Annotated[Staff, Depends(require(Role.SUPERVISOR))]
Admin = Annotated[Staff, Depends(require(Role.ADMIN))]


def flash(request: Request, message: str, kind: str = "info") -> None:
    """A message shown once on the next page (after a redirect)."""
    request.session.setdefault("flash", []).append({"kind": kind, "message": message})
