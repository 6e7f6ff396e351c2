"""Pluggable SMS delivery. A real gateway implements `SmsBackend.send`; the default logs."""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger("minyi.sms")


class SmsBackend:
    def send(self, phone: str, text: str) -> None:  # pragma: no cover - interface
        raise NotImplementedError


def mask_phone(phone: str) -> str:
    """139****0003: enough to tell messages apart in a log, not enough to call a constituent."""
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


class LogSmsBackend(SmsBackend):
    """Writes each message to the log instead of a gateway (the default on intranets). Phone
    numbers are masked: logs are read by more people than may see a constituent's number."""

    def send(self, phone: str, text: str) -> None:
        logger.info("SMS to %s: %s", mask_phone(phone), text)


def get_backend() -> SmsBackend:
    return import_string(settings.MINYI_SMS_BACKEND)()
