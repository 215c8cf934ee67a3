"""Consent to share a household's data with partners of one category, and the evidence of it:
the consent form in German and the household's language (``form``), the household's signature
under it, scanned or drawn on the tablet (``evidence``), and the record of granting, renewing,
expiring and withdrawing (``records``)."""

from workflows.consent.records import (
    check_expiry,
    current,
    current_by_category,
    evidence_kinds,
    evidence_of,
    grant,
    in_force,
    missing,
    scope,
    scope_text,
    withdraw,
)

__all__ = [
    "check_expiry",
    "current",
    "current_by_category",
    "evidence_kinds",
    "evidence_of",
    "grant",
    "in_force",
    "missing",
    "scope",
    "scope_text",
    "withdraw",
]
