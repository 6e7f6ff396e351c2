"""`core.prepared.Prepared`: a query compiled once answers as the ORM does, for any values."""

from __future__ import annotations

import pytest

from minyi.audit.models import AuditEvent
from minyi.audit.services import record
from minyi.core import versioned
from minyi.core.prepared import Prepared
from minyi.notifications.selectors import notices_marker
from tests.notifications.helpers import notices_for


def _orm_version(congress) -> int:
    own = (
        AuditEvent.objects.filter(congress=congress)
        .exclude(code__in=["export.requested", "export.downloaded", "file.downloaded"])
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    shared = (
        AuditEvent.objects.filter(congress__isnull=True)
        .exclude(code__startswith="account.")
        .order_by("-seq")
        .values_list("seq", flat=True)
        .first()
    )
    return max(own or 0, shared or 0)


def test_the_prepared_data_version_is_the_orm_s_for_every_congress_after_every_kind_of_row(world):
    alpha, beta = world.congress, world.other_congress
    steps = [
        lambda: record("deputy.created", actor=world.admin, congress=alpha),
        lambda: record("export.requested", actor=world.clerk, congress=alpha),  # a reading
        lambda: record("deputy.created", actor=world.outsider, congress=beta),
        lambda: record("calendar.day_set", actor=world.admin, congress=None),  # shared data
        lambda: record("account.signed_in", actor=world.clerk, congress=None),  # a sign-in
    ]
    for step in steps:
        step()
        for congress in (alpha, beta):
            assert versioned.data_version(congress) == _orm_version(congress)
    latest = AuditEvent.objects.exclude(code__in=["export.requested"]).order_by("-seq").first()
    assert versioned.latest_change() == latest.seq


def test_the_notices_marker_counts_the_unread_and_names_the_newest(rf, world):
    request = rf.get("/")
    request.user = world.clerk
    assert notices_marker(request) == "notices:0.None"
    (first,) = notices_for(world.congress, [world.clerk], title="通知")
    (second,) = notices_for(world.congress, [world.clerk], title="通知")
    notices_for(world.congress, [world.deputy], title="别人的")
    assert notices_marker(request) == f"notices:2.{max(first.pk, second.pk)}"


def test_a_sentinel_that_is_not_exactly_once_among_the_parameters_is_refused(db):
    from minyi.congress.models import Congress

    twice = Prepared(lambda pk: Congress.objects.filter(pk=pk) | Congress.objects.filter(id=pk), -1)
    with pytest.raises(ValueError, match="2 times"):
        twice.row(1)
    assert Prepared(lambda pk: Congress.objects.filter(pk=pk).values_list("pk"), -1).row(-5) is None
