"""Downloads of personal data are audited (issue #10): a stored file handed out writes one
`file.downloaded` row (who, which congress, which object — by type and id only); a refused or
missing file writes none; and these rows do not move the congress's data version (they change no
figure, so the dashboards are not recomputed for a download)."""

from __future__ import annotations

import datetime

from django.urls import reverse

from minyi.points import actions as P
from minyi.reports.dashboard import data_version
from tests.audit.support import assert_one_read_row, last_seq, read_rows_after
from tests.points.conftest import TODAY, deputy, png, travel

from .test_no_store import media  # noqa: F401  (fixture)


def test_manual_points_evidence_download_is_audited(client, world, media):  # noqa: F811
    with travel(TODAY):
        entry = P.do_submit_manual_entry(
            deputy(world.deputy),
            actor=world.deputy,
            event="offline_contact",
            activity_date=TODAY - datetime.timedelta(days=5),
            title="走访社区听取居民意见",
            evidence=png(),
        )
        version = data_version(world.congress)
        path = reverse("points:manual_evidence", args=[world.congress.code, entry.pk])
        client.force_login(world.outsider)
        seq = last_seq()
        assert client.get(path).status_code == 404
        assert read_rows_after(seq) == []
        client.force_login(world.deputy)
        response = client.get(path)
        assert response.status_code == 200
        row = assert_one_read_row(
            seq, "file.downloaded", actor=world.deputy, congress=world.congress, obj=entry
        )
        assert row.new == {"content_type": "image/png"}
        assert data_version(world.congress) == version
        entry.evidence.storage.delete(entry.evidence.name)
        seq = last_seq()
        assert client.get(path).status_code == 404
        assert read_rows_after(seq) == []
