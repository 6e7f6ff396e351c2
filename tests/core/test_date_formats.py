"""One date format per language (issue #12): Chinese pages show 2026-12-06 (and 2026-12-06 10:00),
English pages 6 Dec 2026; templates use the named formats of config/formats, never a pattern of
their own, so nothing Chinese (年/月/日, full-width brackets) reaches an English page."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.template import Context, Template
from django.utils import translation

from minyi.workdays.explain import fmt

DAY = datetime.date(2026, 12, 6)
MOMENT = datetime.datetime(2026, 12, 6, 9, 5)
TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

RENDER = Template(
    '{{ d|date }}|{{ d|date:"SHORT_DATE_FORMAT" }}|{{ m|date:"SHORT_DATETIME_FORMAT" }}|'
    '{{ m|date:"DATETIME_FORMAT" }}|{{ d|date:"YEAR_MONTH_FORMAT" }}'
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "2026-12-06|2026-12-06|2026-12-06 09:05|2026-12-06 09:05|2026-12"),
        ("en", "6 Dec 2026|6 Dec 2026|6 Dec 2026 09:05|6 Dec 2026 09:05|Dec 2026"),
    ],
)
def test_one_date_format_per_language(language, expected):
    with translation.override(language):
        assert RENDER.render(Context({"d": DAY, "m": MOMENT})) == expected


def test_a_date_with_its_weekday():
    with translation.override("zh-hans"):
        assert fmt(DAY) == "2026-12-06（周日）"
        assert Template("{% load workdays_tags %}{{ d|with_weekday }}").render(Context({"d": DAY})) == (
            "2026-12-06（周日）"
        )
    with translation.override("en"):
        assert fmt(DAY) == "6 Dec 2026 (Sunday)"


def test_templates_use_the_named_formats_only():
    """A literal pattern (`date:"Y-m-d"`, `date:"Y年n月j日"`) would bypass the language's format."""
    named = {
        "DATE_FORMAT",
        "SHORT_DATE_FORMAT",
        "DATETIME_FORMAT",
        "SHORT_DATETIME_FORMAT",
        "YEAR_MONTH_FORMAT",
        "MONTH_DAY_FORMAT",
        "TIME_FORMAT",
        "H:i",  # a time alone is the same in both languages
    }
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        # a machine value (a form field's value, a data attribute) keeps the ISO date
        text = re.sub(r'(value|data-date)="\{\{ [\w.]+\|date:\'Y-m-d\' \}\}"', "", text)
        for pattern in re.findall(r"""\|date:["']([^"']*)["']""", text):
            if pattern not in named:
                offenders.append(f"{path.relative_to(TEMPLATES)}: {pattern}")
    assert not offenders, offenders
