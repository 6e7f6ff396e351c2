"""`python manage.py demo_logins` — who to sign in as in the demo congress, and what to try first."""

from __future__ import annotations

import unicodedata
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation

from minyi.accounts.models import Role
from minyi.congress.models import Congress

from .seed_demo import ACCOUNT_GROUPS, BODIES, DEMO_CODE, STATIONS, UNITS

URL = "http://127.0.0.1:8000"


def width(text: str) -> int:
    """Columns `text` takes in a terminal: Chinese characters are two columns wide."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * (columns - width(text))


def table(rows: list[list[str]]) -> str:
    widths = [max(width(row[i]) for row in rows) for i in range(len(rows[0]))]
    rule = "  ".join("-" * w for w in widths)
    lines = ["  ".join(pad(cell, w) for cell, w in zip(row, widths, strict=True)).rstrip() for row in rows]
    return "\n".join([lines[0], rule, *lines[1:]])


def grid(pairs: list[tuple[str, str]], *, per_row: int) -> str:
    """`pairs` of (account, where) laid out `per_row` to a line, every column aligned."""
    key_width = max(width(k) for k, _v in pairs)
    value_width = max(width(v) for _k, v in pairs)
    lines = []
    for start in range(0, len(pairs), per_row):
        cells = [f"{pad(k, key_width)}  {pad(v, value_width)}" for k, v in pairs[start : start + per_row]]
        lines.append("    ".join(cells).rstrip())
    return "\n".join(lines)


def where_accounts_work() -> str:
    bodies = [(username, name) for username, name, _short, _body in BODIES]
    units = [(f"unit{i} leader{i}", short) for i, (_name, short, _kind) in enumerate(UNITS, 1)]
    stations = [(f"liaison{i}", name) for i, (name, *_rest) in enumerate(STATIONS, 1)]
    return "\n\n".join(
        [
            "交办协调员 Coordinators:\n" + grid(bodies, per_row=2),
            "承办单位 Units (handler, leader):\n" + grid(units, per_row=3),
            "联络站 Liaison stations:\n" + grid(stations, per_row=2),
        ]
    )


class Command(BaseCommand):
    help = "Print the demo accounts by role, their password and where to sign in."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("zh-hans"):
            labels = {value: str(label) for value, label in Role.choices}
        rows = [["角色", "Role", "账号 Username", "先试试 Try first"]]
        rows += [[labels[g.role], g.role_en, g.usernames, g.try_first] for g in ACCOUNT_GROUPS]
        congress = Congress.objects.filter(code=DEMO_CODE).first()
        title = f"示范区 demo — {congress.name}" if congress else "示范区 demo"
        self.stdout.write(f"\n{title}\n\n{table(rows)}\n")
        self.stdout.write(where_accounts_work() + "\n\n")
        self.stdout.write(f"密码 Password (all accounts): {settings.MINYI_DEMO_PASSWORD}")
        self.stdout.write(f"地址 Open: {URL}\n")
        if congress is None:
            self.stdout.write(
                self.style.WARNING("The demo congress is not seeded yet: run `python manage.py seed_demo`.")
            )
