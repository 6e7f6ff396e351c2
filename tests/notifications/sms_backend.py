"""An SMS gateway for the tests: implements `minyi.core.sms.SmsBackend` (the interface a real
carrier's gateway implements) and keeps what it is asked to send."""

from minyi.core.sms import SmsBackend


class RecordingSmsBackend(SmsBackend):
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        RecordingSmsBackend.sent.append((phone, text))
