"""An SMS gateway for the intake tests: a real `minyi.core.sms.SmsBackend` that keeps (phone, text)
instead of calling a carrier, and can be told to fail the next N sends."""

from minyi.core.sms import SmsBackend


class RecordingSmsBackend(SmsBackend):
    sent: list[tuple[str, str]] = []
    fail: int = 0

    def send(self, phone: str, text: str) -> None:
        if RecordingSmsBackend.fail > 0:
            RecordingSmsBackend.fail -= 1
            raise ConnectionError("gateway unavailable")
        RecordingSmsBackend.sent.append((phone, text))
