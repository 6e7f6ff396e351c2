"""A notice's title and body are written once, in Chinese, by the scan (SQL concatenations of fixed
texts and the suggestion's own words); an English reader sees the fixed texts translated (issue #12).

The fixed texts are the messages of the modules that write notices, read from their source: every
gettext message of at least three characters (shorter ones — 的, 。 — could sit inside what users typed).
What users typed (titles, reasons, names) stays as typed."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.utils.translation import get_language, gettext

_WRITERS = ("scan.py", "actions.py")
_MESSAGE = re.compile(r'_\(\s*"((?:[^"\\]|\\.)*)"\s*\)')


@cache
def _fragments() -> tuple[str, ...]:
    here = Path(__file__).resolve().parent
    found: set[str] = set()
    for name in _WRITERS:
        for text in _MESSAGE.findall((here / name).read_text(encoding="utf-8")):
            if len(text) >= 3 and "%(" not in text and re.search(r"[\u4e00-\u9fff]", text):
                found.add(text)
    return tuple(sorted(found, key=len, reverse=True))


def in_language(stored: str) -> str:
    """`stored` with its fixed texts in the active language (unchanged in Chinese)."""
    if not stored or (get_language() or "").startswith("zh"):
        return stored
    pattern = _pattern()
    return pattern.sub(lambda m: gettext(m.group(0)), stored) if pattern else stored


@cache
def _pattern() -> re.Pattern[str] | None:
    fragments = _fragments()
    return re.compile("|".join(re.escape(f) for f in fragments)) if fragments else None
