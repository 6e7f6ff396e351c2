"""`{% suggestion_panels as panels %}`: the side-column boxes other apps registered for the suggestion
page (`minyi.suggestions.hooks.register_panel`), so the page includes them without naming them."""

from __future__ import annotations

from django import template

from .. import hooks

register = template.Library()


@register.simple_tag
def suggestion_panels() -> list[str]:
    return hooks.panels()
