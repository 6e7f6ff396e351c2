"""Every change to congress-level records goes through a `do_*` action here: it checks the actor's
permission on the congress, saves, and writes its audit row in the same transaction."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from minyi import audit
from minyi.core.errors import NotPermitted, ValidationFailed

from .models import Congress, Policy


def require_perm(actor: Any, perm: str, congress: Congress) -> None:
    if actor is not None and not actor.has_perm(perm, congress):
        raise NotPermitted(_("您没有权限执行此操作。"))


def ensure_policy(congress: Congress) -> Policy:
    """The congress's policy row, created with the defaults of DOMAIN.md §4 if missing."""
    policy, _created = Policy.objects.get_or_create(congress=congress)
    return policy


@transaction.atomic
def do_update_policy(policy: Policy, *, actor: Any, changes: dict[str, Any]) -> Policy:
    """Change policy fields; records the old and new value of every field that changed."""
    require_perm(actor, "congress.manage_policy", policy.congress)
    unknown = set(changes) - set(Policy.EDITABLE)
    if unknown:
        raise ValidationFailed(_("未知的规则项：%(f)s") % {"f": ", ".join(sorted(unknown))})
    policy = Policy.objects.select_for_update().get(pk=policy.pk)
    changed = [name for name, value in changes.items() if getattr(policy, name) != value]
    if not changed:
        return policy
    old = audit.snapshot(policy, changed)
    for name in changed:
        setattr(policy, name, changes[name])
    policy.full_clean()
    policy.save()
    audit.record(
        "policy.updated",
        actor=actor,
        congress=policy.congress,
        obj=policy,
        old=old,
        new=audit.snapshot(policy, changed),
    )
    return policy
