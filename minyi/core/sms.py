"""Pluggable SMS delivery. A real gateway implements `SmsBackend.send`; the default logs."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("minyi.sms")


class SmsBackend:
    def send(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


class LogSmsBackend(SmsBackend):
    """Writes each message to the log instead of a gateway (the default on intranets)."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", phone, text)


def get_backend() -> SmsBackend:
    return import_string(settings.MINYI_SMS_BACKEND)()
