"""A second supervision record of the same kind on the same day for the same theme is held back once
with a warning naming the first (issue #12); confirmed, it is saved. The record form's deputies
are a filterable list of checkboxes, not a Ctrl-click multi-select."""

from __future__ import annotations

import pytest

from minyi.supervision.models import SupervisionRecord

from .conftest import on
from .test_pages import TODAY, assigned, text, theme, url  # noqa: F401 — fixtures used by name

pytestmark = pytest.mark.django_db


def test_the_same_kind_on_the_same_day_is_warned_once_then_saved(client, loop, theme):  # noqa: F811
    w = loop.w
    client.force_login(w.supervisor)
    form = {
        "kind": "site_visit",
        "held_on": "2026-10-12",
        "participants": "王某某副主任",
        "findings": "电梯长期停运。",
        "file_kind": "photo",
    }
    with on(TODAY):
        page = text(client.get(url("theme_record_create", theme.pk)))
        assert "data-picker" in page and "Ctrl" not in page
        assert client.post(url("theme_record_create", theme.pk), form).status_code == 302
        again = client.post(url("theme_record_create", theme.pk), {**form, "findings": "又去了一次。"})
        assert again.status_code == 422
        assert "已有一条现场督办记录" in text(again) or "已有一条" in text(again)
        assert 'name="confirm_duplicate"' in text(again) and "电梯长期停运" in text(again)
        assert SupervisionRecord.objects.count() == 1
        other_kind = {**form, "kind": "meeting"} if "meeting" in SupervisionRecord.Kind.values else None
        confirmed = client.post(url("theme_record_create", theme.pk), {**form, "confirm_duplicate": "on"})
        assert confirmed.status_code == 302 and SupervisionRecord.objects.count() == 2
        if other_kind:
            assert client.post(url("theme_record_create", theme.pk), other_kind).status_code == 302
