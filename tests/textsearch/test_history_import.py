"""The history importer creates closed suggestions with their replies in bulk (suggestions'
services); its one `suggestion.imported` audit row per suggestion keeps the index current."""

from __future__ import annotations

import pytest

from minyi.reports import history as H
from minyi.suggestions.models import Reply, Suggestion
from minyi.textsearch.models import SearchEntry
from minyi.textsearch.search import search
from tests.reports.conftest import build  # noqa: F401 — the fixture is used by name
from tests.reports.test_history import _file, good, ledger

pytestmark = pytest.mark.django_db


def test_imported_suggestions_and_replies_are_found(build):  # noqa: F811 — the imported fixture
    w = build.w
    data = ledger(
        [good(1, 案由="关于加快老旧小区加装电梯的建议"), good(2, 案由="关于整治农贸市场环境的建议")]
    )
    report = H.import_history(w.congress, _file(data), actor=w.clerk, dry_run=False)
    assert report.ok and report.committed
    lift = Suggestion.objects.get(number="甲区〔2023〕第1号")
    hits = [(e.kind, e.object_id) for e in search(w.clerk, w.congress, "老旧小区电梯").entries()]
    assert hits[0] == ("suggestion", lift.pk)
    assert [e.year for e in search(w.clerk, w.congress, "农贸市场").entries()] == [2023]
    # the imported replies are indexed with their suggestion (whatever text the ledger gave them)
    reply = Reply.objects.get(assignment__suggestion=lift)
    assert SearchEntry.objects.filter(kind="reply", object_id=reply.pk, suggestion=lift).exists()
