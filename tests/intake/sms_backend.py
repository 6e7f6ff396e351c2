"""An SMS gateway for the intake tests: a real `minyi.core.sms.SmsBackend` that keeps (phone, text)
instead of calling a carrier, and can be told to fail the next N sends.

The message giving a resident the tracking code of a newly recorded opinion (issue #14: its text
names the 查询码) is kept apart, in `codes`, so `sent` lists the outcome messages the tests are about."""

from minyi.core.sms import SmsBackend


class RecordingSmsBackend(SmsBackend):
    sent: list[tuple[str, str]] = []
    codes: list[tuple[str, str]] = []
    fail: int = 0

    def send(self, phone: str, text: str) -> None:
        if RecordingSmsBackend.fail > 0:
            RecordingSmsBackend.fail -= 1
            raise ConnectionError("gateway unavailable")
        kept = RecordingSmsBackend.codes if "查询码" in text else RecordingSmsBackend.sent
        kept.append((phone, text))
