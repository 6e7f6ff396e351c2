"""``manage.py create_congress --code CODE --name NAME --short-name SHORT [--level LEVEL]
[--parent CODE] [--admin USERNAME [--admin-name NAME]]`` — set up a congress in production.

Creates the congress (the tenant) through the audited `do_create_congress` as the system: its policy
with the defaults and the default taxonomies (categories, themes, channels, result classes A–D,
reasons for not accepting), which its admin then edits on the policy pages. ``--admin`` also opens
that congress's first admin account and prints a one-time link to set its password (hand it over in
person; it stops working once used, or after PASSWORD_RESET_TIMEOUT).

Running it again with the same code and the same name changes nothing (and, with ``--admin`` for the
existing admin, prints a fresh link); a code in use by a congress of another name, or a malformed
code, is refused. Platform administrators are Django superusers: ``manage.py createsuperuser``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from minyi.accounts.actions import do_issue_password_link
from minyi.accounts.models import Membership, Role, User
from minyi.congress.actions import do_create_congress, do_create_congress_admin
from minyi.congress.models import Congress
from minyi.core.errors import DomainError


class Command(BaseCommand):
    help = "Create a congress with its default policy and taxonomies, and optionally its first admin."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--code", required=True, help="address code, e.g. shifan (/c/shifan/)")
        parser.add_argument("--name", required=True, help="full name, e.g. 示范区人民代表大会常务委员会")
        parser.add_argument("--short-name", required=True, help="short name used in suggestion numbers")
        parser.add_argument(
            "--level", default=Congress.Level.COUNTY, choices=Congress.Level.values, help="default: county"
        )
        parser.add_argument("--parent", metavar="CODE", help="code of the congress one level up")
        parser.add_argument("--admin", metavar="USERNAME", help="open this congress's first admin account")
        parser.add_argument("--admin-name", metavar="NAME", default="", help="the admin's full name")

    def handle(self, *args, code, name, short_name, level, parent, admin, admin_name, **options):
        code = code.strip()
        with transaction.atomic():
            congress = self._congress(code, name.strip(), short_name.strip(), level, parent)
            if admin:
                self._admin(congress, admin.strip(), admin_name)

    def _congress(
        self, code: str, name: str, short_name: str, level: str, parent_code: str | None
    ) -> Congress:
        existing = Congress.objects.filter(code=code).first()
        if existing is not None:
            if existing.name != name:
                raise CommandError(
                    _("代码“%(c)s”已被另一个人大（%(n)s）使用，未做任何更改。")
                    % {"c": code, "n": existing.name}
                )
            self.stdout.write(_("人大“%(n)s”（%(c)s）已存在，未做更改。") % {"n": name, "c": code})
            return existing
        parent = None
        if parent_code:
            parent = Congress.objects.filter(code=parent_code.strip()).first()
            if parent is None:
                raise CommandError(_("找不到代码为“%(c)s”的上级人大。") % {"c": parent_code})
        try:
            congress = do_create_congress(
                actor=None, code=code, name=name, short_name=short_name, level=level, parent=parent
            )
        except DomainError as exc:
            raise CommandError(str(exc.detail)) from None
        self.stdout.write(
            _("已新建人大“%(n)s”（代码 %(c)s，地址 /c/%(c)s/），并按默认值建立了办理规则和分类。")
            % {"n": congress.name, "c": congress.code}
        )
        return congress

    def _admin(self, congress: Congress, username: str, full_name: str) -> None:
        user = User.objects.filter(username=username).first()
        if user is None:
            try:
                user = do_create_congress_admin(congress, actor=None, username=username, full_name=full_name)
            except DomainError as exc:
                raise CommandError(str(exc.detail)) from None
            self.stdout.write(_("已新建本人大管理员账号“%(u)s”。") % {"u": username})
        elif not Membership.objects.filter(
            user=user, congress=congress, role=Role.CONGRESS_ADMIN, active=True
        ).exists():
            raise CommandError(
                _("用户名“%(u)s”已被使用，且不是本人大的管理员；请换一个用户名。") % {"u": username}
            )
        else:
            self.stdout.write(_("“%(u)s”已是本人大管理员。") % {"u": username})
        path = do_issue_password_link(congress, actor=None, user=user)
        site = getattr(settings, "MINYI_SITE_URL", "").rstrip("/")
        self.stdout.write(_("一次性设置密码链接（请当面交给本人，用过即失效）：") + (site + path))
        if not site:
            self.stdout.write(_("（未配置 MINYI_SITE_URL：请在链接前加上本站地址。）"))
