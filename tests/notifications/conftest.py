"""Fixtures for the notification tests: the suggestion `loop` (personas + a driver that moves a
suggestion through the real actions), a real SMTP server (aiosmtpd, on 127.0.0.1) that records what
it receives and can hold a message, and an SMS gateway that records what it is given."""

from __future__ import annotations

import asyncio
import datetime
import email
import email.policy
import logging
import socket
import threading
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from minyi.accounts.models import Role
from minyi.notifications.models import Notice
from tests.factories import MembershipFactory, UserFactory
from tests.suggestions.conftest import Driver, Loop, make_taxa

from .sms_backend import RecordingSmsBackend

TZ = zoneinfo.ZoneInfo("Asia/Shanghai")


def at(month: int, day: int, hour: int = 10, minute: int = 0, year: int = 2026) -> datetime.datetime:
    """A moment in Beijing time (the deployment's TIME_ZONE)."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.fixture
def loop(world) -> Loop:
    taxa = make_taxa(world.congress)
    leader_b = UserFactory(username="leader_b", full_name="leader_b")
    MembershipFactory(user=leader_b, congress=world.congress, role=Role.UNIT_LEADER, unit=world.unit_b)
    return Loop(w=world, taxa=taxa, leader_b=leader_b, drive=Driver(world, taxa, leader_b))


def sent(notices: Any = None) -> list[tuple[str, str]]:
    """(kind, recipient's username) of `notices` (default: all), sorted."""
    qs = Notice.objects.all() if notices is None else notices
    return sorted(qs.values_list("kind", "recipient__username"))


# --- a real SMTP server ----------------------------------------------------------------------------


class Recorder:
    """aiosmtpd handler: keeps every message it accepts; `hold()` makes it keep the next message
    waiting (accepted, but no reply to the client) until `release()`."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self._released = threading.Event()
        self._released.set()
        self.holding = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        message = email.message_from_bytes(envelope.original_content, policy=email.policy.default)
        with self.lock:
            self.messages.append(message)
        if not self._released.is_set():
            self.holding.set()
            while not self._released.is_set():
                await asyncio.sleep(0.02)
        return "250 Message accepted for delivery"

    def hold(self) -> None:
        self.holding.clear()
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def message_ids(self) -> list[str]:
        with self.lock:
            return [m["Message-ID"] for m in self.messages]


@dataclass
class SmtpServer:
    host: str
    port: int
    recorder: Recorder

    @property
    def messages(self) -> list[email.message.EmailMessage]:
        return self.recorder.messages

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings) -> Iterator[SmtpServer]:
    """A local SMTP server, with Django's mail settings pointing at it."""
    recorder = Recorder()
    port = free_port()
    # aiosmtpd logs each connection at INFO from its own thread, which may outlive pytest's captured
    # stream ("--- Logging error ---" noise in the run's output); its warnings still show.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    try:
        yield SmtpServer("127.0.0.1", port, recorder)
    finally:
        recorder.release()
        controller.stop()


@pytest.fixture
def sms(settings) -> list[tuple[str, str]]:
    """The SMS gateway: a real `SmsBackend` that keeps (phone, text) instead of calling a carrier."""
    settings.MINYI_SMS_BACKEND = "tests.notifications.sms_backend.RecordingSmsBackend"
    RecordingSmsBackend.sent = []
    return RecordingSmsBackend.sent
