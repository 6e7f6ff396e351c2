"""The English translation is complete: every entry of locale/en/LC_MESSAGES/django.po is translated
(none fuzzy), keeps the placeholders of its Chinese source, and every literal string that the
templates and the Python code mark for translation is in the catalogue (run `make messages` after
adding strings, then translate them)."""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w*)\}")
TEMPLATE_STRING = re.compile(r"""{%\s*(?:translate|trans)\s+(["'])(.+?)\1""")
PYTHON_STRING = re.compile(r"""\b(?:_|gettext|gettext_lazy|pgettext_lazy\([^)]*?,)\(\s*"([^"\\\n]+)"\s*\)""")


@pytest.fixture(scope="module")
def catalogue() -> polib.POFile:
    return polib.pofile(str(PO))


def test_every_entry_is_translated_and_none_is_fuzzy(catalogue):
    missing = [e.msgid for e in catalogue if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)]
    assert missing == []


def test_translations_keep_the_placeholders(catalogue):
    wrong = []
    for entry in catalogue:
        if entry.obsolete or not entry.msgstr:
            continue
        source = sorted(PLACEHOLDER.findall(entry.msgid))
        if sorted(PLACEHOLDER.findall(entry.msgstr)) != source:
            wrong.append((entry.msgid, entry.msgstr))
    assert wrong == []


def _marked(paths, pattern: re.Pattern, group: int) -> set[tuple[str, str]]:
    found = set()
    for path in paths:
        for match in pattern.finditer(path.read_text(encoding="utf-8")):
            found.add((match.group(group), str(path.relative_to(ROOT))))
    return found


def test_every_marked_literal_string_is_in_the_catalogue(catalogue):
    known = {e.msgid for e in catalogue if not e.obsolete}
    templates = _marked((ROOT / "templates").rglob("*.html"), TEMPLATE_STRING, 2)
    templates |= _marked((ROOT / "minyi").rglob("templates/**/*.html"), TEMPLATE_STRING, 2)
    code = _marked((ROOT / "minyi").rglob("*.py"), PYTHON_STRING, 1)
    assert len(templates) > 500 and len(code) > 500  # the patterns still find what they should
    # a template string with a bare "%" is catalogued as python-format, with the "%" doubled
    absent = sorted(
        {
            (text, where)
            for text, where in templates | code
            if text not in known and text.replace("%", "%%") not in known
        }
    )
    assert absent == []
