"""What the apps above the suggestion app add to its pages. The suggestion app imports none of them
(the layers of decision 0007): an app registers its part here from its `AppConfig.ready()`.

- `register_provenance(reader)`: where a suggestion adopted from a voter opinion came from — the
  intake app's `opinion_for_suggestion` (station, event, day; never the constituent's contact
  data), shown on the suggestion page as 民意来源. Without the intake app: nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .models import Suggestion

_provenance: Callable[[Suggestion], Any] | None = None


def register_provenance(reader: Callable[[Suggestion], Any]) -> None:
    global _provenance
    _provenance = reader


def provenance_of(suggestion: Suggestion) -> Any:
    """Where `suggestion` came from, as the registered reader gives it (None without one)."""
    return _provenance(suggestion) if _provenance is not None else None
