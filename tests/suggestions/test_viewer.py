"""Decision 0009: the viewer (查阅人员) reads the accepted suggestions with their signed-off replies
and public timeline rows — not suggestions under review, and no unit working records — on the
pages and in the API alike."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from minyi.suggestions.models import Assignment


def test_the_viewer_reads_accepted_suggestions_and_no_unit_records(loop):
    w, d = loop.w, loop.drive
    code = w.congress.code
    submitted = d.to("submitted")
    replied = d.to("replied")
    assignment = Assignment.objects.get(suggestion=replied)
    client = Client()
    client.force_login(w.viewer)

    listing = client.get(reverse("suggestions:list", args=[code])).content.decode()
    assert reverse("suggestions:detail", args=[code, replied.pk]) in listing
    assert reverse("suggestions:detail", args=[code, submitted.pk]) not in listing
    assert client.get(reverse("suggestions:detail", args=[code, submitted.pk])).status_code == 404
    page = client.get(reverse("suggestions:detail", args=[code, replied.pk]))
    assert page.status_code == 200
    api = f"/api/v1/congresses/{code}"
    assert client.get(f"{api}/suggestions/{replied.pk}").status_code == 200
    assert client.get(f"{api}/suggestions/{submitted.pk}").status_code == 404
    assert client.get(f"{api}/assignments/{assignment.pk}").status_code == 404
    codes = [row["code"] for row in client.get(f"{api}/suggestions/{replied.pk}/timeline").json()]
    assert "assignment.signed" not in codes and "reply.drafted" not in codes
    assert "contact.logged" in codes  # the public rows, as the deputy reads them
    # the clerk (oversight) reads the unit's record and its internal steps
    client.force_login(w.clerk)
    assert client.get(f"{api}/assignments/{assignment.pk}").status_code == 200
    codes = [row["code"] for row in client.get(f"{api}/suggestions/{replied.pk}/timeline").json()]
    assert "assignment.signed" in codes
