"""Other full-text indexes that `manage.py rebuild_search_index` writes again, registered by the
apps that own them (apps above this one in the layers, which it may not import): the public site's
index of published copies (`publication.public_search.reindex`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: (label, rebuild(congress) → number of records written)
_REBUILDS: list[tuple[str, Callable[[Any], int]]] = []


def register(label: str, rebuild: Callable[[Any], int]) -> None:
    if all(existing != label for existing, _ in _REBUILDS):
        _REBUILDS.append((label, rebuild))


def registered() -> list[tuple[str, Callable[[Any], int]]]:
    return list(_REBUILDS)
