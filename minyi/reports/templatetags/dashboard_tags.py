"""Small helpers for the dashboard and bulletin templates."""

from django import template

register = template.Library()


@register.simple_tag
def percent_points(change):
    """A change of two fractions as percentage points (None stays None)."""
    return None if change is None else change * 100


@register.filter
def get(mapping, key):
    """`mapping[key]`, or None (templates cannot index a dict by a variable)."""
    return mapping.get(key) if hasattr(mapping, "get") else None
