"""`manage.py import_roster FILE --congress CODE [--dry-run]` — the roster import from a terminal.

Runs as the system (no actor); a real import still writes its `roster.imported` audit row. Prints
what was (or would be) created and updated, or the table of errors and exits non-zero."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from minyi.congress.models import Congress
from minyi.congress.roster import import_roster


class Command(BaseCommand):
    help = "Import a roster workbook (.xlsx: 代表小组, 联络站, 承办单位, 代表) into a congress."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the roster workbook (.xlsx)")
        parser.add_argument("--congress", required=True, help="the congress code, e.g. alpha")
        parser.add_argument("--dry-run", action="store_true", help="check only, write nothing")

    def handle(self, *args, file: str, congress: str, dry_run: bool, **options):  # noqa: C901
        try:
            target = Congress.objects.get(code=congress)
        except Congress.DoesNotExist as e:
            raise CommandError(_("没有代码为“%(c)s”的人大。") % {"c": congress}) from e
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件：%(f)s") % {"f": file})
        verbose = options.get("verbosity", 1) >= 2

        def progress(done: int, total: int) -> None:
            if verbose:
                self.stderr.write(f"{done}/{total}")

        with path.open("rb") as fh:
            report = import_roster(target, fh, actor=None, dry_run=dry_run, progress=progress)

        for w in report.warnings:
            self.stderr.write(self.style.WARNING(_("注意：%(r)s") % {"r": w.reason}))
        if not report.ok:
            self.stderr.write(
                self.style.ERROR(_("发现 %(n)s 个错误，未导入任何数据：") % {"n": len(report.errors)})
            )
            self.stderr.write("\t".join([_("工作表"), _("行"), _("列"), _("原因")]))
            for error in report.errors:
                self.stderr.write(
                    "\t".join(
                        [error.sheet or _("（整个文件）"), str(error.row or ""), error.column, error.reason]
                    )
                )
            raise CommandError(_("导入失败：请改正以上错误后重试。"))

        for sheet, counts in report.counts.items():
            numbers = {
                "s": sheet,
                "c": counts["created"],
                "u": counts["updated"],
                "same": report.unchanged.get(sheet, 0),
            }
            if dry_run:
                line = _("%(s)s：将新建 %(c)s 条，将更新 %(u)s 条（其中无变化 %(same)s 条）") % numbers
            else:
                line = _("%(s)s：新建 %(c)s 条，更新 %(u)s 条（其中无变化 %(same)s 条）") % numbers
            self.stdout.write(line)
        if report.accounts.get("created") or report.accounts.get("linked"):
            self.stdout.write(
                _("登录账号：新建 %(c)s 个，关联已有账号 %(l)s 个")
                % {"c": report.accounts["created"], "l": report.accounts["linked"]}
            )
        if dry_run:
            self.stdout.write(self.style.SUCCESS(_("校验通过（试导入，未写入任何数据）。")))
        else:
            self.stdout.write(self.style.SUCCESS(_("导入完成。文件 SHA-256：%(h)s") % {"h": report.sha256}))
