"""Who may read the unsuppressed national report (the public one is for everyone)."""

from __future__ import annotations

from typing import Any

from scrutiny.disproportionality.access import report_forces_for_user

NATIONAL_REFUSAL = (
    "Only coordinators, OPCC officers, force liaison officers and site staff can read the national comparison with "
    "small numbers; everyone can read its public version."
)


def may_read_national(user: Any) -> bool:
    """The unsuppressed national report is for whoever may read some force's disproportionality report
    (scrutiny/disproportionality/access.py: coordinators, OPCC officers, force liaison officers, superusers) and
    site staff. It covers every force, since national figures are public data anyway; what it adds is the small
    counts, which are no more sensitive for one force than the force's own report its readers already see."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.is_staff:
        return True
    return report_forces_for_user(user).exists()
