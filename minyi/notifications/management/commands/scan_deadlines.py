"""``manage.py scan_deadlines [--json] [--deliver]`` — the deadline scan, by hand.

Sends the notices that are due (work arriving, deadlines changing, due-soon, overdue, escalation,
evaluation reminders) and prints how many of each kind; e-mail/SMS are queued for the worker. Safe to
run at any time and as often as wanted: nothing is sent twice.

``--deliver`` also sends the queued e-mail/SMS in this process (for a deployment without a worker).
The scan every few minutes is the ``deadlines`` job of ``manage.py run_periodic`` (decision 0005).
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from minyi.notifications.delivery import deliver_pending, worker_name
from minyi.notifications.models import Notice
from minyi.notifications.scan import run_scan


class Command(BaseCommand):
    help = "Send the notices that are due (reminders, overdue notices, escalation, new work)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--json", action="store_true", help="print the counts as one JSON object")
        parser.add_argument("--deliver", action="store_true", help="also send queued e-mail/SMS now")

    def handle(self, *args, json: bool = False, deliver: bool = False, **options):
        result = run_scan(enqueue=not deliver)
        data = result.as_dict()
        if deliver:
            data["delivered"] = deliver_pending(worker=worker_name("command")).as_dict()
        if json:
            self.stdout.write(_dumps(data))
            return
        labels = dict(Notice.Kind.choices)
        for kind, count in result.sent.items():
            self.stdout.write(f"{labels[kind]}（{kind}）：{count}")
        self.stdout.write(
            _("共发出通知 %(n)s 条；待发电子邮件 %(e)s 封、短信 %(s)s 条。")
            % {
                "n": result.total,
                "e": result.queued.email,
                "s": result.queued.sms,
            }
        )
        if result.no_feedback:
            self.stdout.write(_("记为“未反馈”的建议：%(n)s 件。") % {"n": result.no_feedback})
        if result.swept.requeued:
            self.stdout.write(
                _("重新排队的发送记录：%(d)s 条（原进程已中断）。") % {"d": result.swept.requeued}
            )
        if deliver:
            d = data["delivered"]
            self.stdout.write(
                _("已发送 %(s)s 条，稍后重试 %(r)s 条，失败 %(f)s 条。")
                % {"s": d["sent"], "r": d["retried"], "f": d["failed"]}
            )


def _dumps(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)
