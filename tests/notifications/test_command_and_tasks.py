"""``manage.py scan_deadlines`` by hand, and the notifications' jobs of ``manage.py run_periodic``
(the deadline scan, then sending what is due — quiet hours included), each run idempotent and the
two together under per-job locks (decision 0005)."""

from __future__ import annotations

import io
import json

from django.core.management import call_command

from minyi.congress.actions import ensure_policy
from minyi.notifications.models import Delivery, Notice
from minyi.notifications.scan import run_scan

from .conftest import at


def command(*args: str) -> str:
    out = io.StringIO()
    call_command("scan_deadlines", *args, stdout=out)
    return out.getvalue()


def test_the_command_prints_how_many_of_each_kind(loop):
    loop.drive.to("assigned", co=True)
    text = command()
    assert "新待办（work）：6" in text
    assert "期限变更（deadline_changed）：1" in text
    assert "已逾期（overdue）：0" in text
    assert "共发出通知 7 条；待发电子邮件 0 封、短信 0 条。" in text
    assert json.loads(command("--json"))["sent"] == 0  # nothing twice


def test_the_json_object_has_the_total_in_sent(loop):
    loop.drive.to("submitted")
    data = json.loads(command("--json"))
    assert data["sent"] == 1 and data["by_kind"]["work"] == 1
    assert set(data) >= {"sent", "by_kind", "emails_queued", "sms_queued", "no_feedback", "requeued"}


def test_deliver_sends_in_the_same_run(daytime, loop, smtp):
    loop.w.clerk.email = "clerk@example.cn"
    loop.w.clerk.save()
    loop.drive.to("submitted")
    data = json.loads(command("--json", "--deliver"))
    assert data["emails_queued"] == 1 and data["delivered"]["sent"] == 1
    assert [m["To"] for m in smtp.messages] == ["clerk@example.cn"]
    assert "已发送 0 条" in command("--deliver")


def periodic(*args: str) -> dict:
    out = io.StringIO()
    call_command("run_periodic", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_periodic_run_scans_and_sends_and_a_second_run_sends_nothing(loop, smtp, time_machine):
    time_machine.move_to(at(3, 2, 10, 0), tick=False)
    loop.w.clerk.email = "clerk@example.cn"
    loop.w.clerk.save()
    loop.drive.to("submitted")
    first = periodic("--job", "deadlines", "--job", "notices")
    assert first["deadlines"]["status"] == first["notices"]["status"] == "done"
    assert first["deadlines"]["result"]["sent"] == 1 and first["deadlines"]["result"]["emails_queued"] == 1
    assert first["notices"]["result"]["sent"] == 1
    assert [m["To"] for m in smtp.messages] == ["clerk@example.cn"]

    second = periodic()
    assert second["deadlines"]["result"]["sent"] == 0 and second["notices"]["result"]["sent"] == 0
    assert len(smtp.messages) == 1 and Notice.objects.count() == 1


def test_mail_held_by_quiet_hours_goes_out_with_the_first_run_after_them(loop, smtp, time_machine):
    ensure_policy(loop.w.congress)  # default quiet hours 21:00–08:00
    loop.w.clerk.email = "clerk@example.cn"
    loop.w.clerk.save()
    time_machine.move_to(at(3, 2, 22, 30), tick=False)
    loop.drive.to("submitted")
    night = periodic()
    assert night["deadlines"]["result"]["emails_queued"] == 1 and night["notices"]["result"]["sent"] == 0
    assert Delivery.objects.get().next_attempt_at == at(3, 3, 8, 0)
    held = Delivery.objects.get()
    time_machine.move_to(at(3, 3, 7, 55), tick=False)
    assert periodic("--job", "notices")["notices"]["result"]["sent"] == 0 and smtp.messages == []
    time_machine.move_to(at(3, 3, 8, 5), tick=False)
    assert periodic("--job", "notices")["notices"]["result"]["sent"] == 1
    assert periodic("--job", "notices")["notices"]["result"]["sent"] == 0
    held.refresh_from_db()
    assert held.status == "sent"
    assert [m["To"] for m in smtp.messages] == ["clerk@example.cn"]


def test_the_scan_records_no_feedback_once(loop, time_machine):
    time_machine.move_to(at(3, 2), tick=False)
    loop.drive.to("replied")
    time_machine.move_to(at(3, 30), tick=False)
    assert run_scan().no_feedback == 1
    assert run_scan().no_feedback == 0
