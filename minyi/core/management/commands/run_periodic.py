"""``manage.py run_periodic [--job NAME …] [--json] [--every SECONDS [--runs N]]`` — the periodic work.

Runs every job of `minyi.core.periodic.JOBS` once (the deadline scan, closing award rounds past their
deadline, sending due e-mail/SMS including those held by quiet hours, the intake outcome SMS, the
points ledger), each under its own lock, so overlapping runs never do one job twice at once; every
job is idempotent. Start it from a systemd timer (deploy/systemd/minyi-periodic.timer) or cron every
5 minutes. ``--every SECONDS`` keeps running it, pausing between runs, until SIGTERM/SIGINT (the run
in hand is finished first) — what ``make demo`` uses instead of a timer.

Exit status: 1 when a job failed (one-off runs only; the others still ran), else 0.
"""

from __future__ import annotations

import json
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from minyi.core import periodic


class Command(BaseCommand):
    help = "Run the periodic jobs once (deadline scan, due e-mail/SMS, award rounds, points), each locked."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--job",
            action="append",
            choices=periodic.job_names(),
            dest="jobs",
            help="run only this job (repeatable); default: all",
        )
        parser.add_argument("--json", action="store_true", help="print the outcome as one JSON object")
        parser.add_argument(
            "--every",
            type=float,
            metavar="SECONDS",
            help="keep running, pausing SECONDS between runs, until SIGTERM or Ctrl-C",
        )
        parser.add_argument("--runs", type=int, metavar="N", help="with --every: stop after N runs")

    def handle(self, *args, jobs=None, json: bool = False, every=None, runs=None, **options):
        if every is None:
            outcomes = periodic.run_periodic(jobs)
            self._report(outcomes, as_json=json)
            failed = [name for name, o in outcomes.items() if o.status == "failed"]
            if failed:
                raise CommandError(_("周期任务失败：%(jobs)s") % {"jobs": ", ".join(failed)})
            return
        if every < 0 or (runs is not None and runs < 1):
            raise CommandError("--every must be >= 0 and --runs >= 1")
        self._loop(jobs, every, runs, as_json=json)

    def _loop(self, jobs, every: float, runs: int | None, *, as_json: bool) -> None:
        stop = threading.Event()
        previous: dict[int, Any] = {}

        def on_signal(signum, frame) -> None:
            stop.set()

        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, on_signal)
        try:
            done = 0
            while not stop.is_set():
                self._report(periodic.run_periodic(jobs), as_json=as_json)
                done += 1
                if runs is not None and done >= runs:
                    break
                stop.wait(every)
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)
        if stop.is_set():
            self.stdout.write(_("已停止周期任务。"))

    def _report(self, outcomes: dict[str, periodic.Outcome], *, as_json: bool) -> None:
        if as_json:
            data = {name: o.as_dict() for name, o in outcomes.items()}
            self.stdout.write(json.dumps(data, ensure_ascii=False, sort_keys=True, default=str))
            return
        labels = {job.name: job.label for job in periodic.JOBS}
        for name, outcome in outcomes.items():
            if outcome.status == "done":
                status = _("完成")
                detail = json.dumps(outcome.result, ensure_ascii=False, sort_keys=True, default=str)
            elif outcome.status == "skipped":
                status, detail = _("跳过"), _("另一次运行正在执行此任务")
            else:
                status, detail = _("失败"), outcome.error
            self.stdout.write(f"{name}（{labels[name]}）：{status} {detail}")
