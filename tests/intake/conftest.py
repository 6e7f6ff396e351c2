"""The intake world: the `loop` of tests/suggestions/conftest.py (personas + taxonomies + a driver
of the suggestion actions) plus the station of the `liaison` persona, a second station without a
clerk, and a recording SMS gateway that pins "now" to a working morning (`daytime`), so the
congress's default quiet hours (21:00–08:00) hold nothing back; tests of quiet hours travel to the
night on purpose.

Opinions are recorded through the real actions (`record`), never made by factories in later states;
`record` runs what the recording's commit runs (the SMS with the tracking code, sent at once or held
by quiet hours), as a real request's commit would. The `sms` fixture lists the outcome messages; the
tracking-code messages are in `sms_codes`.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import TestCase
from django.utils import timezone

from minyi.audit.models import AuditEvent
from minyi.congress.models import Channel, Deputy, LiaisonStation
from minyi.intake import actions as A
from minyi.intake.models import DutyDay, IntakePhoto, Opinion, OutcomeNotice, StationEvent
from tests.audit.support import domain_event_count
from tests.factories import StationFactory
from tests.suggestions.conftest import Loop, loop  # noqa: F401 — the fixture is used by name

from .sms_backend import RecordingSmsBackend

PHONE = "13912345678"
NAME = "赵秘密"


@dataclass
class Intake:
    loop: Loop
    station: LiaisonStation
    other_station: LiaisonStation
    deputy: Deputy  # world.deputy's roster row
    cosigner: Deputy  # world.cosigner's roster row
    face_channel: Channel

    @property
    def w(self):
        return self.loop.w

    def event(self, *, kind: str = "face_to_face", days_ago: int = 2, **kw: Any) -> StationEvent:
        data = A.EventInput(
            kind=kind,
            date=timezone.localdate() - datetime.timedelta(days=days_ago),
            title=kw.pop("title", "局长·代表面对面"),
            deputies=kw.pop("deputies", [self.deputy]),
            officials=kw.pop("officials", "区住建局局长"),
            **kw,
        )
        return A.do_record_event(self.station, actor=self.w.liaison, data=data)

    def record(self, *, actor=None, **kw: Any) -> Opinion:
        """An opinion recorded by the liaison clerk at the station, for world.deputy, with contact."""
        values: dict[str, Any] = {
            "content": "小区路灯坏了很久，晚上出行不安全。",
            "station": self.station,
            "constituent_name": NAME,
            "constituent_phone": PHONE,
            "deputy": self.deputy,
        }
        values.update(kw)
        with TestCase.captureOnCommitCallbacks(execute=True):
            return A.do_record_opinion(
                self.w.congress, actor=actor or self.w.liaison, data=A.OpinionInput(**values)
            )


@pytest.fixture
def intake(loop) -> Intake:  # noqa: F811 — the imported fixture
    w = loop.w
    station = LiaisonStation.objects.get(congress=w.congress, name="甲区第一联络站")
    face = Channel.objects.create(congress=w.congress, name="局长·代表面对面", grassroots=True, order=5)
    return Intake(
        loop=loop,
        station=station,
        other_station=StationFactory(congress=w.congress, name="甲区第二联络站"),
        deputy=w.deputy.deputy_records.get(),
        cosigner=w.cosigner.deputy_records.get(),
        face_channel=face,
    )


@pytest.fixture
def sms(daytime, settings) -> list[tuple[str, str]]:
    """The SMS gateway, recording (phone, text). Tests that take it expect a message to go out at
    once: "now" is a working morning (`daytime`), outside the congress's quiet hours."""
    settings.MINYI_SMS_BACKEND = "tests.intake.sms_backend.RecordingSmsBackend"
    RecordingSmsBackend.sent = []
    RecordingSmsBackend.codes = []
    RecordingSmsBackend.fail = 0
    return RecordingSmsBackend.sent


@pytest.fixture
def sms_codes(sms) -> list[tuple[str, str]]:
    """The tracking-code messages (phone, text) the gateway took (issue #14)."""
    return RecordingSmsBackend.codes


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


def intake_codes(**filters: Any) -> list[str]:
    return list(
        AuditEvent.objects.filter(code__startswith="intake.", **filters)
        .order_by("seq")
        .values_list("code", flat=True)
    )


def last_row(code: str) -> AuditEvent:
    return AuditEvent.objects.filter(code=code).order_by("-seq").first()


def _fingerprint() -> tuple:
    return (
        domain_event_count(),
        tuple(
            Opinion.objects.order_by("pk").values_list(
                "pk", "state", "deputy_id", "forwarded_to_id", "suggestion_id"
            )
        ),
        StationEvent.objects.count(),
        DutyDay.objects.count(),
        IntakePhoto.objects.count(),
        OutcomeNotice.objects.count(),
    )


@contextmanager
def refused(error: type[Exception], code: str | None = None) -> Iterator[Any]:
    """The block raises `error` (with `code`) and writes nothing."""
    before = _fingerprint()
    with pytest.raises(error) as info:
        yield info
    if code is not None:
        assert info.value.code == code, (info.value.code, str(info.value))
    assert _fingerprint() == before
