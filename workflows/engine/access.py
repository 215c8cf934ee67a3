"""Who may work on which office's cases."""

from sqlmodel import Session

from models import Case, Staff
from models.enums import Role


def staff_may_work_on(staff: Staff, office_id: int) -> bool:
    """Caseworkers and supervisors work on their office's cases; a supervisor without an office
    (the head of the social welfare office) on all. Administrators manage accounts, not cases."""
    if not staff.active or staff.role == Role.ADMIN:
        return False
    if staff.office_id is None:
        return staff.role == Role.SUPERVISOR
    return staff.office_id == office_id


def staff_may_see(staff: Staff, case: Case) -> bool:
    """Their office's cases, and a case being handed over to their office (read-only)."""
    if staff_may_work_on(staff, case.office_id):
        return True
    target = case.transfer_to_office_id
    return target is not None and staff_may_work_on(staff, target)


def visible_office_ids(staff: Staff) -> list[int] | None:
    """The offices whose cases ``staff`` sees: None means all, [] none."""
    if not staff.active or staff.role == Role.ADMIN:
        return []
    if staff.office_id is None:
        return None if staff.role == Role.SUPERVISOR else []
    return [staff.office_id]


def may_work_on(session: Session, actor_id: int | None, office_id: int) -> bool:
    """``actor_id`` None is the system itself (a task, an automatic transition)."""
    if actor_id is None:
        return True
    staff = session.get(Staff, actor_id)
    return staff is not None and staff_may_work_on(staff, office_id)
