"""What the apps above the suggestion app add to its pages. The suggestion app imports none of them
(the layers of decision 0007): an app registers its part here from its `AppConfig.ready()`.

- `register_provenance(reader)`: where a suggestion adopted from a voter opinion came from — the
  intake app's `opinion_for_suggestion` (station, event, day; never the constituent's contact
  data), shown on the suggestion page as 民意来源. Without the intake app: nothing.
- `register_panel(template)`: a box of the suggestion page's side column, rendered with the page's
  context (`s`, `can_urge`, `request`, `user`) — supervision's 督办 box (issue #12: its links and the
  批示 form, which posts to supervision's own page). The template decides itself whether it shows
  anything for the user. Without the app: no box.
- `register_text_matcher(matcher)`: the suggestions of a congress whose text holds the words of a
  list's search (`filter_suggestions`'s `q`) — the full-text index's (`textsearch.listing`: jieba's
  words, in any order, newest first, at most a few thousand ids). Without it: substrings only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from minyi.congress.models import Congress

    from .models import Suggestion

_provenance: Callable[[Suggestion], Any] | None = None


def register_provenance(reader: Callable[[Suggestion], Any]) -> None:
    global _provenance
    _provenance = reader


def provenance_of(suggestion: Suggestion) -> Any:
    """Where `suggestion` came from, as the registered reader gives it (None without one)."""
    return _provenance(suggestion) if _provenance is not None else None


_panels: list[str] = []


def register_panel(template: str) -> None:
    """Add `template` to the suggestion page's side column (once)."""
    if template not in _panels:
        _panels.append(template)


def panels() -> list[str]:
    """The registered side-column boxes of the suggestion page, in the order registered."""
    return list(_panels)


_text_matcher: Callable[[Congress, str], list[int]] | None = None


def register_text_matcher(matcher: Callable[[Congress, str], list[int]]) -> None:
    global _text_matcher
    _text_matcher = matcher


def suggestions_matching(congress: Congress, q: str) -> list[int]:
    """The ids of the suggestions of `congress` whose text holds the words of `q`, as the registered
    matcher finds them (none without one)."""
    return _text_matcher(congress, q) if _text_matcher is not None else []
