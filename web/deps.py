"""Request dependencies: the database session, the signed-in staff member, role checks."""

from collections.abc import Callable, Iterator

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


def current_staff(request: Request, session: Session = Depends(db)) -> Staff:
    """The signed-in, active staff member, or LoginRequired."""
    staff_id = request.session.get("staff_id")
    staff = session.get(Staff, staff_id) if isinstance(staff_id, int) else None
    if staff is None or not staff.active:
        request.session.pop("staff_id", None)
        raise LoginRequired()
    return staff


def require(*roles: Role) -> Callable[..., Staff]:
    """Dependency factory: the signed-in staff member if their role is one of ``roles``."""

    def check(staff: Staff = Depends(current_staff)) -> Staff:
        if staff.role not in roles:
            raise Forbidden()
        return staff

    return check


def flash(request: Request, message: str, kind: str = "info") -> None:
    """A message shown once on the next page (after a redirect)."""
    request.session.setdefault("flash", []).append({"kind": kind, "message": message})
