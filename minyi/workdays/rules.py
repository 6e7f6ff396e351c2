"""Who may edit the national holiday calendar: superusers and admins of a top-level congress (the
rule `workdays.manage_calendar` in minyi/congress/rules.py, which takes a Congress). Everybody
signed in with a membership may read it."""

from __future__ import annotations

from minyi.core.tenancy import congresses_of


def can_view_calendar(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return user.is_superuser or bool(congresses_of(user))


def can_manage_calendar(user) -> bool:
    """True if `user` holds `workdays.manage_calendar` on any of their congresses (superusers:
    always)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return any(user.has_perm("workdays.manage_calendar", congress) for congress in congresses_of(user))
