"""The roster import action (花名册导入): happy path, upserts, every refusal, dry run, permissions."""

from __future__ import annotations

import datetime
import io
import zipfile

import openpyxl
import pytest

from minyi.accounts.models import Membership, Role, User
from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.congress.models import Deputy, DeputyGroup, LiaisonStation, Unit
from minyi.congress.roster import LAYOUT, RowError, build_template, import_roster
from minyi.core.errors import NotPermitted
from tests.audit.support import domain_event_count

# --- helpers (also used by test_roster_pages.py and test_roster_command.py) -----------------------


def xlsx(sheets: dict[str, list], *, headers: dict[str, list[str]] | None = None, name: str = "roster.xlsx"):
    """A workbook as an open file: each sheet gets the layout's header row (or `headers[sheet]`),
    then one row per item (a dict by header, or a list of cells)."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet, rows in sheets.items():
        ws = wb.create_sheet(sheet)
        head = (headers or {}).get(sheet) or [c.header for c in LAYOUT.get(sheet, [])]
        ws.append(head)
        for row in rows:
            ws.append([row.get(h) for h in head] if isinstance(row, dict) else list(row))
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = name
    return buf


def happy_sheets() -> dict[str, list]:
    """All four kinds; children listed before their parents on purpose."""
    return {
        "代表小组": [
            {"名称": "第一代表小组", "召集人": "张三"},
            {"名称": "第二代表小组"},
        ],
        "联络站": [
            {"名称": "城关联络站", "类型": "代表联络站", "地址": "人民路1号", "所属代表小组": "第一代表小组"},
            {"名称": "新区实践点", "类型": "全过程人民民主基层实践点"},
        ],
        "承办单位": [
            {"名称": "法院执行局", "类型": "部门", "上级单位": "甲区人民法院"},
            {"名称": "住建局服务中心", "简称": "服务中心", "类型": "企事业单位", "上级单位": "区住建局"},
            {"名称": "区住建局", "简称": "住建局", "类型": "部门", "上级单位": "甲区人民政府"},
            {"名称": "甲区人民法院", "类型": "机关", "机关类别": "人民法院"},
        ],
        "代表": [
            {
                "代表证号": "D100",
                "姓名": "王五",
                "代表层级": "全国人大代表",
                "代表小组": "第一代表小组",
                "选区": "第3选区",
                "工作单位及职务": "某社区党委书记",
                "联系电话": "13800138000",
                "电子邮箱": "wangwu@example.com",
                "任职起始": datetime.datetime(2022, 1, 1),
                "任职终止": "2026-12-31",
                "登录账号": "wangwu",
            },
            {"代表证号": "D101", "姓名": "赵六", "任职起始": "2022-01-01", "登录账号": "viewer"},
            {"代表证号": 102, "姓名": "钱七", "联系电话": 13900139000, "任职起始": "2022/1/5"},
        ],
    }


def snapshot_counts() -> dict[str, int]:
    return {
        "groups": DeputyGroup.objects.count(),
        "stations": LiaisonStation.objects.count(),
        "units": Unit.objects.count(),
        "deputies": Deputy.objects.count(),
        "users": User.objects.count(),
        "memberships": Membership.objects.count(),
        "audit": domain_event_count(),
    }


def errors_at(report) -> set[tuple]:
    return {(e.sheet, e.row, e.column) for e in report.errors}


def refused(world, fileobj, expected: set[tuple], *, dry_run: bool = False):
    """Import must fail with exactly these (sheet, row, column) and write nothing."""
    before = snapshot_counts()
    report = import_roster(world.congress, fileobj, actor=world.admin, dry_run=dry_run)
    assert not report.ok
    assert errors_at(report) == expected, report.errors
    assert all(e.reason for e in report.errors)
    assert snapshot_counts() == before
    return report


# --- happy path ------------------------------------------------------------------------------------


def test_import_creates_every_kind_and_one_audit_row(world):
    before = domain_event_count()
    report = import_roster(world.congress, xlsx(happy_sheets()), actor=world.admin, dry_run=False)

    assert report.ok, report.errors
    assert report.committed
    assert report.counts == {
        "代表小组": {"created": 2, "updated": 0},
        "联络站": {"created": 2, "updated": 0},
        "承办单位": {"created": 4, "updated": 0},
        "代表": {"created": 3, "updated": 0},
    }
    c = world.congress
    g1 = DeputyGroup.objects.get(congress=c, name="第一代表小组")
    assert g1.convener == "张三"
    station = LiaisonStation.objects.get(congress=c, name="城关联络站")
    assert (station.kind, station.address, station.group) == (
        LiaisonStation.Kind.LIAISON_STATION,
        "人民路1号",
        g1,
    )
    assert (
        LiaisonStation.objects.get(congress=c, name="新区实践点").kind == LiaisonStation.Kind.PRACTICE_POINT
    )

    court = Unit.objects.get(congress=c, name="甲区人民法院")
    assert (court.kind, court.body_code, court.parent, court.body) == (Unit.Kind.BODY, "court", None, court)
    bureau = Unit.objects.get(congress=c, name="法院执行局")
    assert (bureau.parent, bureau.body) == (court, court)
    housing = Unit.objects.get(congress=c, name="区住建局")
    assert (housing.parent, housing.body, housing.short_name) == (world.gov, world.gov, "住建局")
    centre = Unit.objects.get(congress=c, name="住建局服务中心")
    assert (centre.parent, centre.body, centre.kind) == (housing, world.gov, Unit.Kind.ENTERPRISE)

    wang = Deputy.objects.get(congress=c, number="D100")
    assert wang.name == "王五"
    assert wang.level == Deputy.Level.NATIONAL
    assert wang.group == g1
    assert (wang.phone, wang.email) == ("13800138000", "wangwu@example.com")
    assert (wang.in_office_from, wang.in_office_to) == (
        datetime.date(2022, 1, 1),
        datetime.date(2026, 12, 31),
    )
    assert wang.user.username == "wangwu"
    assert not wang.user.has_usable_password()
    assert wang.user.full_name == "王五"
    assert Membership.objects.filter(user=wang.user, congress=c, role=Role.DEPUTY, active=True).exists()

    zhao = Deputy.objects.get(congress=c, number="D101")
    assert zhao.level == Deputy.Level.COUNTY  # the default
    assert zhao.user == world.viewer  # an existing account is linked, not created
    assert world.viewer.has_usable_password()
    assert Membership.objects.filter(user=world.viewer, congress=c, role=Role.DEPUTY).exists()

    qian = Deputy.objects.get(congress=c, number="102")  # a number cell becomes text
    assert qian.phone == "13900139000"
    assert qian.in_office_from == datetime.date(2022, 1, 5)
    assert qian.user is None
    assert report.accounts == {"created": 1, "linked": 1}

    events = list(AuditEvent.objects.filter(seq__gt=before))
    assert [e.code for e in events] == ["roster.imported"]
    event = events[0]
    assert event.actor == world.admin
    assert event.congress == c
    assert event.new["counts"] == report.counts
    assert event.new["filename"] == "roster.xlsx"
    assert len(event.new["sha256"]) == 64 and event.new["sha256"] == report.sha256
    assert {"key": "D100", "action": "created"} in event.new["changes"]["代表"]
    assert verify_chain().ok


def test_reimport_updates_instead_of_duplicating(world):
    import_roster(world.congress, xlsx(happy_sheets()), actor=world.admin, dry_run=False)
    counts = snapshot_counts()

    again = import_roster(world.congress, xlsx(happy_sheets()), actor=world.clerk, dry_run=False)
    assert again.ok, again.errors
    assert again.counts == {
        "代表小组": {"created": 0, "updated": 2},
        "联络站": {"created": 0, "updated": 2},
        "承办单位": {"created": 0, "updated": 4},
        "代表": {"created": 0, "updated": 3},
    }
    assert again.unchanged == {"代表小组": 2, "联络站": 2, "承办单位": 4, "代表": 3}
    assert {k: v for k, v in snapshot_counts().items() if k != "audit"} == {
        k: v for k, v in counts.items() if k != "audit"
    }

    sheets = happy_sheets()
    sheets["代表"][0].update({"姓名": "王五（改）", "代表小组": "第二代表小组", "任职终止": None})
    sheets["承办单位"][1]["上级单位"] = "甲区人民法院"  # the centre moves to the court's tree
    sheets["代表小组"] = [{"名称": "第二代表小组", "召集人": "李八"}]
    changed = import_roster(world.congress, xlsx(sheets), actor=world.admin, dry_run=False)
    assert changed.ok, changed.errors
    assert changed.counts["代表"] == {"created": 0, "updated": 3}
    assert changed.unchanged["代表"] == 2
    wang = Deputy.objects.get(congress=world.congress, number="D100")
    assert (wang.name, wang.group.name, wang.in_office_to) == ("王五（改）", "第二代表小组", None)
    centre = Unit.objects.get(congress=world.congress, name="住建局服务中心")
    court = Unit.objects.get(congress=world.congress, name="甲区人民法院")
    assert (centre.parent, centre.body) == (court, court)
    event = AuditEvent.objects.filter(code="roster.imported").last()
    detail = {d["key"]: d for d in event.new["changes"]["代表"]}
    assert detail["D100"]["old"]["name"] == "王五" and detail["D100"]["new"]["name"] == "王五（改）"
    assert detail["D100"]["old"]["group"] == "第一代表小组"
    assert "D101" not in detail  # unchanged rows are not repeated in the audit row
    assert Deputy.objects.filter(congress=world.congress).count() == 5  # 2 from the world + 3


def test_empty_login_keeps_the_existing_account_link(world):
    import_roster(world.congress, xlsx(happy_sheets()), actor=world.admin, dry_run=False)
    sheets = {"代表": [{"代表证号": "D100", "姓名": "王五", "任职起始": "2022-01-01"}]}
    report = import_roster(world.congress, xlsx(sheets), actor=world.admin, dry_run=False)
    assert report.ok
    assert Deputy.objects.get(congress=world.congress, number="D100").user.username == "wangwu"


def test_parents_may_follow_children_and_trailing_empty_rows_are_ignored(world):
    sheets = {
        "承办单位": [
            {"名称": "三级单位", "类型": "其他", "上级单位": "二级单位"},
            {"名称": "二级单位", "类型": "镇(街道)", "上级单位": "一级单位"},  # half-width brackets accepted
            {"名称": "一级单位", "类型": "部门", "上级单位": "甲区人民政府"},
            [None, None, None, None, None],
            ["", " ", None, None, None],
        ]
    }
    report = import_roster(world.congress, xlsx(sheets), actor=world.admin, dry_run=False)
    assert report.ok, report.errors
    assert report.counts == {"承办单位": {"created": 3, "updated": 0}}
    third = Unit.objects.get(congress=world.congress, name="三级单位")
    assert third.parent.parent.name == "一级单位"
    assert third.body == world.gov
    assert Unit.objects.get(congress=world.congress, name="二级单位").kind == Unit.Kind.TOWN


def test_dry_run_reports_counts_and_writes_nothing(world):
    before = snapshot_counts()
    report = import_roster(world.congress, xlsx(happy_sheets()), actor=world.admin, dry_run=True)
    assert report.ok and not report.committed
    assert report.counts["代表"] == {"created": 3, "updated": 0}
    assert report.counts["承办单位"] == {"created": 4, "updated": 0}
    assert snapshot_counts() == before


def test_progress_is_reported_up_to_the_total(world):
    sheets = {
        "代表": [{"代表证号": f"P{i:03d}", "姓名": f"代表{i}", "任职起始": "2022-01-01"} for i in range(250)]
    }
    calls: list[tuple[int, int]] = []
    report = import_roster(
        world.congress,
        xlsx(sheets),
        actor=world.admin,
        dry_run=True,
        progress=lambda d, t: calls.append((d, t)),
    )
    assert report.ok
    assert calls[-1] == (250, 250)
    assert [d for d, _t in calls] == sorted(d for d, _t in calls)
    assert 2 < len(calls) <= 102  # throttled, not once per row


def test_a_sheet_may_be_absent_and_unknown_sheets_are_skipped_with_a_warning(world):
    buf = xlsx({"代表小组": [{"名称": "第九小组"}], "备注": []}, headers={"备注": ["随便"]})
    report = import_roster(world.congress, buf, actor=world.admin, dry_run=False)
    assert report.ok
    assert report.counts == {"代表小组": {"created": 1, "updated": 0}}
    assert [w.sheet for w in report.warnings] == ["备注"]


# --- refusals: the file ----------------------------------------------------------------------------

FILE = ("", None, "")


def test_old_xls_is_refused(world):
    buf = io.BytesIO(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    buf.name = "roster.xls"
    report = refused(world, buf, {FILE})
    assert ".xls" in report.errors[0].reason


def test_csv_renamed_to_xlsx_is_refused(world):
    buf = io.BytesIO("代表证号,姓名\nD1,张三\n".encode())
    buf.name = "roster.xlsx"
    report = refused(world, buf, {FILE})
    assert ".xlsx" in report.errors[0].reason


def test_a_zip_that_is_not_a_workbook_is_refused(world):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not a workbook")
    buf.seek(0)
    buf.name = "roster.xlsx"
    refused(world, buf, {FILE})


def test_a_macro_workbook_is_refused(world):
    src = xlsx({"代表小组": [{"名称": "组"}]})
    out = io.BytesIO()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"sheet.main+xml", b"sheet.macroEnabled.main+xml")
            zout.writestr(item, data)
    out.seek(0)
    out.name = "roster.xlsx"
    report = refused(world, out, {FILE})
    assert ".xlsm" in report.errors[0].reason


def test_a_real_workbook_with_a_wrong_extension_is_refused(world):
    report = refused(world, xlsx({"代表小组": [{"名称": "组"}]}, name="roster.xls"), {FILE})
    assert "扩展名" in report.errors[0].reason


def test_a_broken_workbook_is_refused(world):
    data = xlsx({"代表小组": [{"名称": "组"}]}).getvalue()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            body = zin.read(item.filename)
            zout.writestr(item, b"<garbage" if item.filename == "xl/workbook.xml" else body)
    out.seek(0)
    out.name = "roster.xlsx"
    refused(world, out, {FILE})


def test_oversize_file_is_refused(world, settings):
    settings.MINYI_MAX_UPLOAD_BYTES = 1024
    report = refused(world, xlsx(happy_sheets()), {FILE})
    assert "大小上限" in report.errors[0].reason


def test_too_many_rows_in_a_sheet_is_refused(world, settings):
    settings.MINYI_ROSTER_MAX_ROWS = 5
    sheets = {"代表小组": [{"名称": f"第{i}小组"} for i in range(6)]}
    report = refused(world, xlsx(sheets), {("代表小组", 7, "")})
    assert "5" in report.errors[0].reason


def test_a_workbook_without_any_known_sheet_is_refused(world):
    report = refused(world, xlsx({"Sheet1": [["x"]]}, headers={"Sheet1": ["名称"]}), {FILE})
    assert "代表小组" in report.errors[0].reason and "Sheet1" in report.errors[0].reason


def test_missing_and_unknown_headers_are_refused(world):
    head = [c.header for c in LAYOUT["代表"] if c.header != "姓名"] + ["备注"]
    buf = xlsx({"代表": [["D1", "x"]]}, headers={"代表": head})
    report = refused(world, buf, {("代表", 1, "姓名"), ("代表", 1, "备注")})
    assert any("缺少列" in e.reason for e in report.errors)


def test_a_duplicated_header_is_refused(world):
    buf = xlsx({"代表小组": [["组", "张三", "李四"]]}, headers={"代表小组": ["名称", "召集人", "召集人"]})
    refused(world, buf, {("代表小组", 1, "召集人")})


# --- refusals: the rows ----------------------------------------------------------------------------


def deputy(**kw):
    row = {"代表证号": "D900", "姓名": "测试", "任职起始": "2022-01-01"}
    row.update(kw)
    return row


def test_missing_required_fields_are_refused(world):
    sheets = {
        "代表": [deputy(姓名=None), deputy(代表证号="D901", 任职起始=None), deputy(代表证号=None)],
        "联络站": [{"名称": "站", "类型": None}, {"类型": "代表活动室"}],
    }
    refused(
        world,
        xlsx(sheets),
        {
            ("代表", 2, "姓名"),
            ("代表", 3, "任职起始"),
            ("代表", 4, "代表证号"),
            ("联络站", 2, "类型"),
            ("联络站", 3, "名称"),
        },
    )


def test_duplicates_within_the_file_are_refused(world):
    sheets = {
        "代表小组": [{"名称": "组一"}, {"名称": "组二"}, {"名称": "组一"}],
        "代表": [deputy(登录账号="same"), deputy(姓名="另一人"), deputy(代表证号="D902", 登录账号="same")],
    }
    report = refused(
        world,
        xlsx(sheets),
        {("代表小组", 4, "名称"), ("代表", 3, "代表证号"), ("代表", 4, "登录账号")},
    )
    assert any("第 2 行" in e.reason for e in report.errors)


def test_unknown_references_and_values_are_refused(world):
    sheets = {
        "联络站": [{"名称": "站", "类型": "驿站", "所属代表小组": "不存在的小组"}],
        "承办单位": [
            {"名称": "某局", "类型": "部门", "上级单位": "不存在的单位"},
            {"名称": "某院", "类型": "机关", "机关类别": "人大常委会"},
            {"名称": "某所", "类型": "研究所", "上级单位": "甲区人民政府"},
        ],
        "代表": [deputy(代表小组="不存在的小组", 代表层级="省长")],
    }
    report = refused(
        world,
        xlsx(sheets),
        {
            ("联络站", 2, "类型"),
            ("联络站", 2, "所属代表小组"),
            ("承办单位", 2, "上级单位"),
            ("承办单位", 3, "机关类别"),
            ("承办单位", 4, "类型"),
            ("代表", 2, "代表小组"),
            ("代表", 2, "代表层级"),
        },
    )
    reasons = {(e.sheet, e.column): e.reason for e in report.errors}
    assert "代表活动室" in reasons[("联络站", "类型")]  # the reason lists the allowed values
    assert "不存在的小组" in reasons[("代表", "代表小组")]


def test_bad_phone_email_and_dates_are_refused(world):
    sheets = {
        "代表": [
            deputy(联系电话="12345"),
            deputy(代表证号="D901", 电子邮箱="not-an-email"),
            deputy(代表证号="D902", 任职起始="2022-13-01"),
            deputy(代表证号="D903", 任职起始="明年"),
            deputy(代表证号="D904", 任职起始=44927),  # a number, not a date cell
            deputy(代表证号="D905", 任职起始="2022-06-01", 任职终止="2022-05-31"),
        ]
    }
    report = refused(
        world,
        xlsx(sheets),
        {
            ("代表", 2, "联系电话"),
            ("代表", 3, "电子邮箱"),
            ("代表", 4, "任职起始"),
            ("代表", 5, "任职起始"),
            ("代表", 6, "任职起始"),
            ("代表", 7, "任职终止"),
        },
    )
    assert "早于" in [e for e in report.errors if e.row == 7][0].reason


def test_over_long_text_and_bad_login_are_refused(world):
    sheets = {"代表": [deputy(姓名="长" * 65, 登录账号="no spaces allowed")]}
    refused(world, xlsx(sheets), {("代表", 2, "姓名"), ("代表", 2, "登录账号")})


def test_unit_shape_rules_are_refused(world):
    sheets = {
        "承办单位": [
            {"名称": "某院", "类型": "机关", "机关类别": "人民检察院", "上级单位": "甲区人民政府"},
            {"名称": "某检", "类型": "机关"},
            {"名称": "某局", "类型": "部门"},
            {"名称": "某处", "类型": "部门", "上级单位": "甲区人民政府", "机关类别": "人民政府"},
        ]
    }
    refused(
        world,
        xlsx(sheets),
        {
            ("承办单位", 2, "上级单位"),
            ("承办单位", 3, "机关类别"),
            ("承办单位", 4, "上级单位"),
            ("承办单位", 5, "机关类别"),
        },
    )


def test_a_unit_cycle_in_the_file_is_refused(world):
    sheets = {
        "承办单位": [
            {"名称": "甲局", "类型": "部门", "上级单位": "乙局"},
            {"名称": "乙局", "类型": "部门", "上级单位": "甲局"},
            {"名称": "丙局", "类型": "部门", "上级单位": "丙局"},
            {"名称": "丁局", "类型": "部门", "上级单位": "甲局"},  # hangs below the cycle, not in it
        ]
    }
    report = refused(
        world,
        xlsx(sheets),
        {("承办单位", 2, "上级单位"), ("承办单位", 3, "上级单位"), ("承办单位", 4, "上级单位")},
    )
    assert all("循环" in e.reason for e in report.errors)


def test_a_unit_cycle_through_the_database_is_refused(world):
    # 甲区住房和城乡建设局 exists below the government; putting it under its own new child loops.
    sheets = {
        "承办单位": [
            {"名称": "甲区住房和城乡建设局", "类型": "部门", "上级单位": "新下属单位"},
            {"名称": "新下属单位", "类型": "部门", "上级单位": "甲区住房和城乡建设局"},
        ]
    }
    refused(world, xlsx(sheets), {("承办单位", 2, "上级单位"), ("承办单位", 3, "上级单位")})


def test_a_second_body_of_the_same_category_is_refused(world):
    sheets = {
        "承办单位": [
            {"名称": "另一个区政府", "类型": "机关", "机关类别": "人民政府"},  # alpha already has one
            {"名称": "甲区法院", "类型": "机关", "机关类别": "人民法院"},
            {"名称": "甲区法院二", "类型": "机关", "机关类别": "人民法院"},
        ]
    }
    report = refused(world, xlsx(sheets), {("承办单位", 2, "机关类别"), ("承办单位", 4, "机关类别")})
    assert "甲区人民政府" in report.errors[0].reason


def test_a_login_linked_to_another_deputy_is_refused(world):
    refused(world, xlsx({"代表": [deputy(登录账号="deputy")]}), {("代表", 2, "登录账号")})


def test_errors_in_a_dry_run_are_the_same(world):
    sheets = {"代表": [deputy(联系电话="12345")]}
    refused(world, xlsx(sheets), {("代表", 2, "联系电话")}, dry_run=True)


def test_one_bad_row_stops_the_whole_file(world):
    sheets = happy_sheets()
    sheets["代表"].append(deputy(电子邮箱="bad@"))
    refused(world, xlsx(sheets), {("代表", 5, "电子邮箱")})


# --- permission ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["deputy", "viewer", "handler_a", "outsider"])
def test_only_congress_staff_may_import(world, who):
    before = snapshot_counts()
    with pytest.raises(NotPermitted):
        import_roster(world.congress, xlsx(happy_sheets()), actor=getattr(world, who), dry_run=True)
    with pytest.raises(NotPermitted):
        import_roster(world.congress, xlsx(happy_sheets()), actor=getattr(world, who), dry_run=False)
    assert snapshot_counts() == before


def test_the_system_may_import_and_is_audited_without_actor(world):
    report = import_roster(world.congress, xlsx({"代表小组": [{"名称": "组"}]}), actor=None, dry_run=False)
    assert report.ok
    event = AuditEvent.objects.get(code="roster.imported")
    assert event.actor is None


# --- the template ----------------------------------------------------------------------------------


def test_template_has_the_layout_and_reimports_cleanly_when_filled(world):
    data = build_template()
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames[:4] == ["代表小组", "联络站", "承办单位", "代表"]
    for sheet, spec in LAYOUT.items():
        assert [c.value for c in wb[sheet][1]] == [c.header for c in spec]

    empty = io.BytesIO(data)
    empty.name = "花名册导入模板.xlsx"
    report = import_roster(world.congress, empty, actor=world.admin, dry_run=True)
    assert report.ok and not report.warnings  # the instruction sheet is ignored silently
    assert report.counts == {s: {"created": 0, "updated": 0} for s in LAYOUT}

    # Fill it as a person would: type into row 2 onwards of each sheet.
    for sheet, rows in happy_sheets().items():
        ws = wb[sheet]
        headers = [c.header for c in LAYOUT[sheet]]
        for r, row in enumerate(rows, start=2):
            for col, header in enumerate(headers, start=1):
                ws.cell(row=r, column=col, value=row.get(header))
    filled = io.BytesIO()
    wb.save(filled)
    filled.seek(0)
    filled.name = "花名册.xlsx"
    report = import_roster(world.congress, filled, actor=world.admin, dry_run=False)
    assert report.ok, report.errors
    assert report.counts["代表"] == {"created": 3, "updated": 0}
    assert report.counts["承办单位"] == {"created": 4, "updated": 0}


def test_row_error_is_a_plain_record():
    e = RowError("代表", 2, "姓名", "必填项，不能为空。")
    assert (e.sheet, e.row, e.column, e.reason) == ("代表", 2, "姓名", "必填项，不能为空。")
