"""Number formatting for the figures pages."""

from django import template

register = template.Library()


@register.filter
def pct(value, digits: int = 1) -> str:
    """A fraction 0–1 as a percentage ("66.7%"), or "—" when there is none (empty denominator)."""
    if value is None or value == "":
        return "—"
    return f"{float(value) * 100:.{int(digits)}f}%"


@register.filter
def days(value) -> str:
    return "—" if value is None else f"{value:.1f}"


@register.simple_tag
def rate_of(row, key):
    """`row.rates[key]` (templates cannot index a dict by a variable)."""
    return row.rates[key]
