"""Who may work on which office's cases."""

from sqlmodel import Session

from models import Staff
from models.enums import Role


def staff_may_work_on(staff: Staff, office_id: int) -> bool:
    """Staff of an office work on its cases; supervisors and admins without an office on all."""
    if not staff.active:
        return False
    if staff.office_id is None:
        return staff.role in (Role.SUPERVISOR, Role.ADMIN)
    return staff.office_id == office_id


def may_work_on(session: Session, actor_id: int | None, office_id: int) -> bool:
    """``actor_id`` None is the system itself (a task, an automatic transition)."""
    if actor_id is None:
        return True
    staff = session.get(Staff, actor_id)
    return staff is not None and staff_may_work_on(staff, office_id)
