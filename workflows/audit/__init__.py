"""The audit trail: every administrative change (``changes``, recorded by a session hook, so
no code path can change staff, offices, sub-locations, hours, partners or API tokens without an
entry), every opening of a case (``reads``), what supervisors see of both (``views``), and their
own retention (``retention``)."""

from workflows.audit import changes

__all__ = ["changes"]
