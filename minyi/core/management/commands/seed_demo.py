"""`python manage.py seed_demo` — the fictional demo congress that `make demo` serves.

示范区人民代表大会常务委员会 (code `demo`): its policy with the default taxonomies, the 18th term
and its sessions, 120 deputies in 10 groups, 8 liaison stations, the four bodies with 30 units
beneath them, and one account per role (see `demo_logins`). Everything is written through audited
paths (the roster import, the membership action or an audit row per row written here), in one
transaction, and the audit chain is verified at the end.

Idempotent: when the congress `demo` already exists, nothing is changed.

Each feature then adds its demo data through its own seeder (FEATURE_SEEDERS: the 2023 history
ledger, this year month by month, suggestions in every state, supervision with yellow/red deadlines
and ten key themes, liaison-station intake, awards, points) — what each matter is about and which
unit handles it comes from one table, `minyi.core.demo_district` — called inside the same transaction with `rng = random.Random(2026)`; a failing seeder aborts the whole seed.
"""

from __future__ import annotations

import datetime
import importlib
import io
import os
import random
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import translation

from minyi import audit
from minyi.accounts.models import Role, User
from minyi.audit.services import verify_chain
from minyi.congress.actions import (
    do_add_taxonomy_item,
    do_create_session,
    do_create_term,
    do_grant_role,
    do_update_policy,
    do_update_unit,
    ensure_policy,
)
from minyi.congress.defaults import default_items
from minyi.congress.models import Congress, Deputy, DeputyGroup, LiaisonStation, Policy, Unit
from minyi.congress.roster import import_roster
from minyi.core.demo_names import NameGenerator

DEMO_CODE = "demo"
DEMO_NAME = "示范区人民代表大会常务委员会"
DEMO_SHORT_NAME = "示范"
SEED = 2026
DEPUTY_COUNT = 120
JUDGE_COUNT = 5
EMAIL_DOMAIN = "demo.minyi.invalid"  # .invalid never resolves: no demo mail can reach anyone

# Policy taxonomies (DOMAIN.md §2, §3): the defaults every new congress starts with
# (`minyi.congress.defaults`, imported above); the district's own rules differ from the defaults in:
DEMO_POLICY = {"completion_definition": Policy.CompletionDefinition.CLOSED_SATISFIED}

# --- Term and sessions ----------------------------------------------------------------------------
TERM_NUMBER = 18
TERM_START = datetime.date(2022, 1, 1)
#: (number, opening, closing) of the 18th term's plenary sessions.
SESSIONS = [
    (1, datetime.date(2022, 1, 8), datetime.date(2022, 1, 11)),
    (2, datetime.date(2023, 1, 7), datetime.date(2023, 1, 10)),
    (3, datetime.date(2024, 1, 6), datetime.date(2024, 1, 9)),
    (4, datetime.date(2025, 1, 11), datetime.date(2025, 1, 14)),
    (5, datetime.date(2026, 1, 10), datetime.date(2026, 1, 13)),
]

# --- Roster ---------------------------------------------------------------------------------------
#: Towns and streets of the fictional district: each has a deputy group, a station and a unit.
TOWNS = [
    ("城关街道", "街道"), ("东城街道", "街道"), ("月湖街道", "街道"), ("滨河街道", "街道"),
    ("南山镇", "镇"), ("北岗镇", "镇"), ("青石镇", "镇"), ("白沙镇", "镇"),
]  # fmt: skip
GROUPS = [f"{town}代表小组" for town, _kind in TOWNS] + ["区直机关代表小组", "驻区单位代表小组"]
#: (name, kind label, address, group) — two of each kind.
STATIONS = [
    ("城关街道人大代表联络站", "代表联络站", "示范区城关街道人民路18号", "城关街道代表小组"),
    ("东城街道代表活动室", "代表活动室", "示范区东城街道和平路66号", "东城街道代表小组"),
    ("月湖街道人大代表工作室", "代表工作室", "示范区月湖街道湖滨路9号", "月湖街道代表小组"),
    (
        "滨河街道全过程人民民主基层实践点",
        "全过程人民民主基层实践点",
        "示范区滨河街道滨江大道120号",
        "滨河街道代表小组",
    ),
    ("南山镇人大代表联络站", "代表联络站", "示范区南山镇青山路3号", "南山镇代表小组"),
    ("北岗镇代表活动室", "代表活动室", "示范区北岗镇红旗街12号", "北岗镇代表小组"),
    ("青石镇人大代表工作室", "代表工作室", "示范区青石镇石桥路5号", "青石镇代表小组"),
    (
        "白沙镇全过程人民民主基层实践点",
        "全过程人民民主基层实践点",
        "示范区白沙镇沙湾路28号",
        "白沙镇代表小组",
    ),
]
#: (username, name, short name, body label) — the four bodies (一府一委两院).
BODIES = [
    ("gov", "示范区人民政府", "区政府", "人民政府"),
    ("supervision", "示范区监察委员会", "区监委", "监察委员会"),
    ("court", "示范区人民法院", "区法院", "人民法院"),
    ("procuratorate", "示范区人民检察院", "区检察院", "人民检察院"),
]
GOVERNMENT = BODIES[0][1]
#: (name, short name, kind label) — the units beneath the government, in the order of the
#: `unitN` / `leaderN` accounts.
UNITS = [
    ("示范区住房和城乡建设局", "区住建局", "部门"),
    ("示范区教育局", "区教育局", "部门"),
    ("示范区卫生健康委员会", "区卫健委", "部门"),
    ("示范区民政局", "区民政局", "部门"),
    ("示范区交通运输局", "区交通局", "部门"),
    ("示范区生态环境分局", "生态环境分局", "部门"),
    ("示范区城市管理局", "区城管局", "部门"),
    ("示范区农业农村局", "区农业农村局", "部门"),
    ("示范区市场监督管理局", "区市场监管局", "部门"),
    ("示范区人力资源和社会保障局", "区人社局", "部门"),
    ("示范区发展和改革委员会", "区发改委", "部门"),
    ("示范区财政局", "区财政局", "部门"),
    ("示范区自然资源和规划分局", "自然资源分局", "部门"),
    ("示范区水利局", "区水利局", "部门"),
    ("示范区文化和旅游局", "区文旅局", "部门"),
    ("示范区应急管理局", "区应急局", "部门"),
    ("示范区公安分局", "公安分局", "部门"),
    ("示范区商务局", "区商务局", "部门"),
    ("示范区退役军人事务局", "区退役军人局", "部门"),
    ("示范区医疗保障局", "区医保局", "部门"),
    *[
        (f"示范区{town}{'办事处' if kind == '街道' else '人民政府'}", town, "镇（街道）")
        for town, kind in TOWNS
    ],
    ("示范区水务集团有限公司", "水务集团", "企事业单位"),
    ("示范区城市建设投资有限公司", "城投公司", "企事业单位"),
]
#: Workplaces and posts for the deputies (fictional organisations).
ORGANISATIONS = [
    "城关街道人民路社区居委会主任",
    "东城街道和平社区党委书记",
    "月湖街道湖畔社区网格员",
    "滨河街道滨江社区居委会主任",
    "南山镇青山村党支部书记",
    "北岗镇红旗村村委会主任",
    "青石镇石桥村党支部书记",
    "白沙镇沙湾村村委会主任",
    "示范区第一中学教师",
    "示范区实验小学校长",
    "示范区人民医院主任医师",
    "示范区中医院护士长",
    "示范区星河科技有限公司总经理",
    "示范区绿源农业专业合作社理事长",
    "示范区恒通物流有限公司职工",
    "示范区明德律师事务所律师",
    "示范区阳光养老服务中心主任",
    "示范区青禾家庭农场负责人",
    "示范区惠民超市店长",
    "示范区融创建材有限公司工人",
]
ROSTER_HEADERS = {
    "代表小组": ["名称", "召集人"],
    "联络站": ["名称", "类型", "地址", "所属代表小组"],
    "承办单位": ["名称", "简称", "类型", "上级单位", "机关类别"],
    "代表": [
        "代表证号", "姓名", "代表层级", "代表小组", "选区", "工作单位及职务",
        "联系电话", "电子邮箱", "任职起始", "任职终止", "登录账号",
    ],
}  # fmt: skip


# --- The demo accounts (also what `demo_logins` prints) -------------------------------------------
@dataclass(frozen=True)
class AccountGroup:
    role: str
    role_en: str
    usernames: str
    try_first: str


ACCOUNT_GROUPS = [
    AccountGroup(
        Role.CONGRESS_ADMIN,
        "Congress admin",
        "admin",
        "办理规则、分类和人员名单 / policy, taxonomies, roster",
    ),
    AccountGroup(
        Role.CONGRESS_CLERK, "Congress clerk", "clerk", "审查立案、交办 / review and assign suggestions"
    ),
    AccountGroup(
        Role.DEPUTY,
        "Deputy",
        f"deputy1 … deputy{DEPUTY_COUNT}",
        "提出建议、联名、测评 / submit, co-sign, evaluate",
    ),
    AccountGroup(
        Role.LIAISON_CLERK,
        "Liaison clerk",
        f"liaison1 … liaison{len(STATIONS)}",
        "代代表录入建议草稿 / draft for a deputy",
    ),
    AccountGroup(
        Role.COORDINATOR,
        "Coordinator",
        "gov, supervision, court, procuratorate",
        "分办给承办单位 / assign units",
    ),
    AccountGroup(
        Role.UNIT_HANDLER,
        "Unit handler",
        f"unit1 … unit{len(UNITS)}",
        "签收、联系代表、起草答复 / handle, reply",
    ),
    AccountGroup(
        Role.UNIT_LEADER, "Unit leader", f"leader1 … leader{len(UNITS)}", "签发答复 / sign off replies"
    ),
    AccountGroup(Role.SUPERVISOR, "Supervisor", "supervisor", "重点督办、逾期预警 / key themes, warnings"),
    AccountGroup(Role.INSPECTOR, "Inspection office", "inspector", "领导批示专项督查 / special supervision"),
    AccountGroup(
        Role.JUDGE, "Awards judge", f"judge1 … judge{JUDGE_COUNT}", "季度评选打分 / score award nominees"
    ),
    AccountGroup(Role.VIEWER, "Viewer", "viewer", "只读查看统计 / read-only figures"),
]


# --- Audited writers ------------------------------------------------------------------------------
def _create_congress() -> Congress:
    """No page creates congresses (deployments are set up by operators), so the demo writes the row
    and its audit entry itself."""
    congress = Congress(
        code=DEMO_CODE, name=DEMO_NAME, short_name=DEMO_SHORT_NAME, level=Congress.Level.COUNTY
    )
    congress.full_clean()
    congress.save()
    audit.record(
        "congress.created",
        actor=None,
        congress=congress,
        obj=congress,
        new=audit.snapshot(congress, ["code", "name", "short_name", "level"]),
        note="seed_demo",
    )
    return congress


def _create_user(
    congress: Congress | None, username: str, full_name: str, password_hash: str, **flags: Any
) -> User:
    """An account with an already-hashed password, audited exactly like `do_create_user`.

    `do_create_user` hashes each password (PBKDF2, a quarter of a second): for the ~200 demo accounts,
    which all share one password, the hash is computed once and reused instead.
    """
    user = User(username=username, full_name=full_name, email=f"{username}@{EMAIL_DOMAIN}", **flags)
    if congress is not None and not flags.get("is_superuser"):
        user.home_congress = congress
    user.password = password_hash
    user.full_clean()
    user.save()
    audit.record(
        "user.created",
        actor=None,
        congress=congress,
        obj=user,
        target_user=user,
        new=audit.snapshot(user, ["username", "full_name", "phone", *sorted(flags)]),
        note="seed_demo",
    )
    return user


# --- The seeder -----------------------------------------------------------------------------------
class DemoSeeder:
    def __init__(self, *, password: str) -> None:
        self.names = NameGenerator(random.Random(SEED))
        self.rng = random.Random(SEED)
        # Every demo account has the same password, so its salted hash is computed once.
        self.password_hash = make_password(password)

    def run(self) -> Congress:
        congress = _create_congress()
        self.seed_policy(congress)
        self.seed_term(congress)
        deputy_names = self.names.take(DEPUTY_COUNT)
        # The deputies' accounts first: the roster's 登录账号 column then links each deputy to its
        # account and grants it the deputy role.
        for i, name in enumerate(deputy_names, 1):
            _create_user(congress, f"deputy{i}", name, self.password_hash)
        self.import_roster(congress, deputy_names)
        self.order_units(congress)
        self.seed_accounts(congress)
        return congress

    def seed_policy(self, congress: Congress) -> None:
        policy = ensure_policy(congress)
        # The district counts a suggestion as 办结 when it is closed and its deputy was satisfied or
        # basically satisfied (a stricter definition the policy allows, DOMAIN.md §5): that is how
        # its 2023 report reaches 91% with every suggestion of the year closed.
        do_update_policy(policy, actor=None, changes=DEMO_POLICY)
        for kind, fields in default_items():
            do_add_taxonomy_item(congress, actor=None, kind=kind, fields=fields)

    def seed_term(self, congress: Congress) -> None:
        term = do_create_term(congress, actor=None, fields={"number": TERM_NUMBER, "start_date": TERM_START})
        for number, start, end in SESSIONS:
            do_create_session(
                term, actor=None, fields={"number": number, "start_date": start, "end_date": end}
            )

    def roster_workbook(self, deputy_names: list[str]) -> io.BytesIO:
        """The roster in the import format (`minyi.congress.roster`), built in memory."""
        from minyi.core import xlsx

        wb = xlsx.new_workbook()
        wb.remove(wb.active)
        sheets = {title: wb.create_sheet(title) for title in ROSTER_HEADERS}
        for title, headers in ROSTER_HEADERS.items():
            sheets[title].append(headers)
        per_group = -(-DEPUTY_COUNT // len(GROUPS))
        with translation.override("zh-hans"):
            level = str(Deputy.Level.COUNTY.label)
        for g, group in enumerate(GROUPS):
            sheets["代表小组"].append([group, deputy_names[g * per_group]])
        for name, kind, address, group in STATIONS:
            sheets["联络站"].append([name, kind, address, group])
        for _username, name, short, body_label in BODIES:
            sheets["承办单位"].append([name, short, "机关", None, body_label])
        for name, short, kind in UNITS:
            sheets["承办单位"].append([name, short, kind, GOVERNMENT, None])
        for i, name in enumerate(deputy_names, 1):
            g = (i - 1) // per_group
            group = GROUPS[g]
            place = TOWNS[g][0] if g < len(TOWNS) else "示范区"
            sheets["代表"].append(
                [
                    f"D{i:03d}",
                    name,
                    level,
                    group,
                    f"{place}第{(i - 1) % per_group // 3 + 1}选区",
                    self.rng.choice(ORGANISATIONS),
                    f"13800138{i:03d}",
                    f"deputy{i}@{EMAIL_DOMAIN}",
                    TERM_START,
                    None,
                    f"deputy{i}",
                ]
            )
        return io.BytesIO(xlsx.workbook_bytes(wb))

    def import_roster(self, congress: Congress, deputy_names: list[str]) -> None:
        report = import_roster(congress, self.roster_workbook(deputy_names), actor=None, dry_run=False)
        if not report.ok:
            problems = "; ".join(f"{e.sheet} row {e.row} {e.column}: {e.reason}" for e in report.errors[:10])
            raise CommandError(f"the demo roster did not import: {problems}")

    def order_units(self, congress: Congress) -> None:
        """The roster has no order column: list the bodies first, then the units as above."""
        names = [name for _username, name, *_rest in BODIES] + [name for name, *_rest in UNITS]
        units = {u.name: u for u in Unit.objects.filter(congress=congress)}
        for position, name in enumerate(names, 1):
            do_update_unit(units[name], actor=None, changes={"order": position * 10})

    def seed_accounts(self, congress: Congress) -> None:
        units = {u.name: u for u in Unit.objects.filter(congress=congress)}
        stations = {s.name: s for s in LiaisonStation.objects.filter(congress=congress)}

        def account(username: str, role: str, **where: Any) -> None:
            user = _create_user(congress, username, self.names.next(), self.password_hash)
            do_grant_role(congress, actor=None, user=user, role=role, **where)

        account("admin", Role.CONGRESS_ADMIN)
        account("clerk", Role.CONGRESS_CLERK)
        linked = Deputy.objects.filter(congress=congress, user__username__startswith="deputy").count()
        if linked != DEPUTY_COUNT:
            raise CommandError(f"only {linked} of {DEPUTY_COUNT} demo deputies were linked to their accounts")
        for i, (name, *_rest) in enumerate(STATIONS, 1):
            account(f"liaison{i}", Role.LIAISON_CLERK, station=stations[name])
        for username, name, *_rest in BODIES:
            account(username, Role.COORDINATOR, unit=units[name])
        for i, (name, *_rest) in enumerate(UNITS, 1):
            account(f"unit{i}", Role.UNIT_HANDLER, unit=units[name])
        for i, (name, *_rest) in enumerate(UNITS, 1):
            account(f"leader{i}", Role.UNIT_LEADER, unit=units[name])
        account("supervisor", Role.SUPERVISOR)
        account("inspector", Role.INSPECTOR)
        for i in range(1, JUDGE_COUNT + 1):
            account(f"judge{i}", Role.JUDGE)
        account("viewer", Role.VIEWER)


#: (module, function) of every feature's demo seeder, run in this order after the roster exists.
FEATURE_SEEDERS = [
    ("minyi.reports.history", "seed_demo_history"),  # the model district's 2023, from a ledger
    ("minyi.supervision.demo_year", "seed_demo_year"),  # this year, month by month up to today
    ("minyi.suggestions.demo", "seed_demo_suggestions"),
    ("minyi.supervision.demo", "seed_demo_supervision"),
    ("minyi.intake.demo", "seed_demo_intake"),
    ("minyi.awards.demo", "seed_demo_awards"),
    ("minyi.points.demo", "seed_demo_points"),
    ("minyi.publication.demo", "seed_demo_publication"),  # the public site: 2023 and part of this year
]


class Command(BaseCommand):
    help = "Create the fictional demo congress 示范区 (code `demo`) with its roster and one account per role."

    def handle(self, *args: Any, **options: Any) -> None:
        password = settings.MINYI_DEMO_PASSWORD
        existing = Congress.objects.filter(code=DEMO_CODE).first()
        if existing is not None:
            self.stdout.write(
                f"The demo congress already exists ({existing.name}, code “{DEMO_CODE}”): nothing changed. "
                "To start afresh, delete the database (by default var/minyi.sqlite3) and run `make demo` again."
            )
        else:
            with transaction.atomic():
                congress = DemoSeeder(password=password).run()
                self.seed_features(congress)
            self.stdout.write(self.style.SUCCESS(self.summary(congress)))
        self.ensure_superuser(password)
        result = verify_chain()
        if not result.ok:
            raise CommandError(f"the audit chain is broken after seeding: row {result.seq}: {result.problem}")
        self.stdout.write(f"Audit chain OK: {result.checked} events.")

    def seed_features(self, congress: Congress) -> None:
        """Each feature's own demo seeder, in dependency order; they write through the real actions."""
        for path, name in FEATURE_SEEDERS:
            seeder = getattr(importlib.import_module(path), name)
            try:
                seeder(congress, rng=random.Random(SEED))
            except Exception as exc:
                raise CommandError(f"{path}.{name} failed, so nothing was seeded: {exc!r}") from exc
            self.stdout.write(f"  {name}: done")

    def summary(self, congress: Congress) -> str:
        counts = {
            "deputy groups": DeputyGroup.objects.filter(congress=congress).count(),
            "deputies": Deputy.objects.filter(congress=congress).count(),
            "liaison stations": LiaisonStation.objects.filter(congress=congress).count(),
            "units": Unit.objects.filter(congress=congress).count(),
            "accounts": User.objects.filter(memberships__congress=congress).distinct().count(),
        }
        return f"Created the demo congress {congress.name} (code “{DEMO_CODE}”): " + ", ".join(
            f"{n} {what}" for what, n in counts.items()
        )

    def ensure_superuser(self, password: str) -> None:
        """`root`, a superuser, only when MINYI_DEMO_SUPERUSER=1 (never by default)."""
        if os.environ.get("MINYI_DEMO_SUPERUSER") != "1" or User.objects.filter(username="root").exists():
            return
        with transaction.atomic():
            _create_user(
                None, "root", "系统管理员", make_password(password), is_staff=True, is_superuser=True
            )
        self.stdout.write("Created the superuser “root” (MINYI_DEMO_SUPERUSER=1).")
