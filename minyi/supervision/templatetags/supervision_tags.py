"""Template tags supervision offers to other apps' pages (issue #12): the suggestion page shows a
督办 card through `{% load supervision_tags %}` without the suggestion app importing supervision
(the layers of .importlinter: supervision sits above suggestions)."""

from __future__ import annotations

from typing import Any

import rules
from django import template

register = template.Library()

#: What the 督办 card of the suggestion page offers, by the permission that gates it.
CARD_PERMS = {
    "board": "supervision.view_board",
    "record_instruction": "supervision.record_instruction",
    "add_record": "supervision.add_record",
}


@register.simple_tag
def supervise_perms(user: Any, congress: Any) -> dict[str, bool]:
    """What `user` may do of supervision in `congress`, by `rules.has_perm` (never `user.has_perm`,
    which lets a superuser pass everything — decision 0009); `any` when the card is shown at all."""
    perms = {key: rules.has_perm(perm, user, congress) for key, perm in CARD_PERMS.items()}
    perms["any"] = any(perms.values())
    return perms
