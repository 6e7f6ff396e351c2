"""Deadline warnings (预警) for supervision's board, records, pages and exports: the one colour rule
is the suggestion app's (`minyi/suggestions/warnings.py`), which the suggestion pages use too."""

from minyi.suggestions.warnings import (
    COLOUR_LABELS,
    GREEN,
    GREY,
    LEVELS,
    OPEN_COLOURS,
    RED,
    WINDOW_KINDS,
    YELLOW,
    Bounds,
    Status,
    WarningClock,
    colour_bounds,
    deadline_status,
    deadline_statuses,
    status_for,
)

__all__ = [
    "COLOUR_LABELS",
    "GREEN",
    "GREY",
    "LEVELS",
    "OPEN_COLOURS",
    "RED",
    "WINDOW_KINDS",
    "YELLOW",
    "Bounds",
    "Status",
    "WarningClock",
    "colour_bounds",
    "deadline_status",
    "deadline_statuses",
    "status_for",
]
