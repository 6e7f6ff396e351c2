"""历史数据导入: the template; a ledger exported from one congress imports into another and gives the
same figures; every bad cell reported with its row, column and reason, nothing written; the batch,
its SHA-256 in the audit trail; the pages (dry run → 确认导入, background with progress, errors
.xlsx); who may import; and the demo district's 2023."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
import random
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from minyi.audit.models import AuditEvent
from minyi.audit.services import verify_chain
from minyi.congress.actions import ensure_policy
from minyi.congress.models import Category, Channel, Congress, Deputy, ResultClass, Unit
from minyi.reports import exports as X
from minyi.reports import history as H
from minyi.reports.figures import Scope, compute_figures
from minyi.reports.models import HistoryBatch, JobStatus
from minyi.suggestions.models import Assignment, Deadline, Evaluation, Reply, Suggestion, SuggestionCounter
from tests.audit.support import domain_event_count
from tests.factories import BodyFactory, DeputyFactory, MembershipFactory, UnitFactory, UserFactory

from .scenario import AS_OF, build_year

d = datetime.date
TZ = ZoneInfo("Asia/Shanghai")
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def url(name: str, *args, code: str = "alpha") -> str:
    return reverse(f"reports:{name}", args=[code, *args])


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }


def _file(data: bytes, name: str = "ledger.xlsx") -> io.BytesIO:
    f = io.BytesIO(data)
    f.name = name
    return f


def ledger(rows: list[dict], headers=X.LEDGER_HEADERS) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = X.LEDGER_SHEET
    ws.append(list(headers))
    for row in rows:
        ws.append([row.get(h) for h in headers])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def good(n: int = 1, **kw) -> dict:
    row = {
        "建议编号": f"甲区〔2023〕第{n}号",
        "案由": f"关于第{n}件事的建议",
        "领衔代表": "领衔代表",
        "联名代表": "联名代表",
        "分类": "城乡建设",
        "收集渠道": "联络站接待选民",
        "提出时间": "闭会期间",
        "主办单位": "甲区住房和城乡建设局",
        "立案日期": d(2023, 3, 1),
        "交办日期": d(2023, 3, 3),
        "见面联系日期": d(2023, 3, 8),
        "答复日期": d(2023, 3, 20),
        "答复类别": "A",
        "测评结果": "满意",
        "状态": "已办结",
        "办结日期": d(2023, 3, 28),
    }
    row.update(kw)
    return row


@pytest.fixture
def taxa(build):
    return build.taxa  # categories 城乡建设/教育, channels, classes A–D in congress alpha


def run(world, rows, *, dry_run=False, actor=None, headers=X.LEDGER_HEADERS, name="ledger.xlsx"):
    return H.import_history(
        world.congress, _file(ledger(rows, headers), name), actor=actor or world.clerk, dry_run=dry_run
    )


# --- the template ----------------------------------------------------------------------------------


def test_template_has_the_ledger_layout_and_the_congress_s_values(build, taxa):
    wb = openpyxl.load_workbook(io.BytesIO(H.build_template(build.w.congress)))
    assert wb.sheetnames == [X.LEDGER_SHEET, H.VALUES_SHEET, H.HELP_SHEET]
    ws = wb[X.LEDGER_SHEET]
    assert [c.value for c in ws[1]] == list(X.LEDGER_HEADERS)
    assert ws.freeze_panes == "A2"
    assert ws["A1"].font.color.rgb.endswith("B3121B") and "必填" in ws["A1"].comment.text  # 建议编号
    assert not ws["D1"].font.color or not ws["D1"].font.color.rgb.endswith("B3121B")  # 联名代表
    values = {
        c.value: [r[i] for r in wb[H.VALUES_SHEET].iter_rows(min_row=2, values_only=True) if r[i]]
        for i, c in enumerate(wb[H.VALUES_SHEET][1])
    }
    assert values["分类"] == ["城乡建设", "教育"]
    assert "A（A类）" in values["答复类别"] and "甲区教育局" in values["承办单位"]
    assert values["测评结果"] == ["满意", "基本满意", "不满意", "未反馈"]


def test_the_template_itself_imports_as_an_empty_file(build, taxa):
    report = H.import_history(
        build.w.congress, _file(H.build_template(build.w.congress)), actor=build.w.clerk, dry_run=True
    )
    assert [e.reason for e in report.errors] == ["文件中没有数据行（第1行是表头，从第2行起每行一件建议）。"]


# --- a good import ---------------------------------------------------------------------------------


def test_a_good_row_becomes_real_records_counted_by_the_engine(build, taxa):
    w = build.w
    data = ledger(
        [
            good(1),
            good(
                2,
                主办单位="甲区住房和城乡建设局、甲区教育局",
                答复类别="A、C",
                测评结果="满意、未反馈",
                协办单位=None,
            ),
        ]
    )
    report = H.import_history(w.congress, _file(data), actor=w.clerk, dry_run=False)
    assert report.ok and report.committed
    assert report.counts == {
        "suggestions": 2, "cosigners": 2, "assignments": 3, "replies": 3, "evaluations": 3, "contacts": 3, "closed": 2,
    }  # fmt: skip
    s1 = Suggestion.objects.get(number="甲区〔2023〕第1号")
    assert (s1.state, s1.year, s1.seq, s1.lead.name) == ("closed", 2023, 1, "领衔代表")
    assert s1.accepted_at == datetime.datetime(2023, 3, 1, 9, tzinfo=TZ)
    assert s1.closed_at == datetime.datetime(2023, 3, 28, 18, tzinfo=TZ)
    assert [c.deputy.name for c in s1.cosigners.all()] == ["联名代表"]
    a = Assignment.objects.get(suggestion=s1)
    assert (a.role, a.assigned_on, a.reply_due_on, a.state) == (
        "lead",
        d(2023, 3, 3),
        d(2023, 4, 3),
        "replied",
    )
    assert a.reply.result_class.code == "A" and a.reply.evaluation.overall == "satisfied"
    kinds = {(dl.kind, dl.closed_on_time) for dl in Deadline.objects.filter(suggestion=s1)}
    assert kinds == {("assign", True), ("first_contact", True), ("reply", True), ("reply_statutory", True)}
    s2 = Suggestion.objects.get(number="甲区〔2023〕第2号")
    split = list(Assignment.objects.filter(suggestion=s2).order_by("id"))
    assert [(x.role, x.reply.result_class.code, x.reply.evaluation.kind) for x in split] == [
        ("split", "A", "rated"),
        ("split", "C", "no_feedback"),
    ]
    f = compute_figures(w.congress, Scope.year(2023))
    assert f["suggestions"].numerator == 2 and f["completion_rate"].value == 1.0
    assert (f["satisfaction_rate"].numerator, f["satisfaction_rate"].denominator) == (
        2,
        2,
    )  # s2: 未反馈 not counted
    assert (f["resolution_rate"].numerator, f["resolution_rate"].denominator) == (1, 2)
    assert (f["contact_rate"].numerator, f["on_time_reply_rate"].numerator) == (2, 2)
    assert f["participation_rate"].numerator == 2
    assert SuggestionCounter.objects.get(congress=w.congress, year=2023).last == 2


def test_batch_and_audit_trail_carry_the_file_s_hash(build, taxa):
    w = build.w
    data = ledger([good(1), good(2)])
    report = H.import_history(w.congress, _file(data, "2023台账.xlsx"), actor=w.clerk, dry_run=False)
    sha = hashlib.sha256(data).hexdigest()
    batch = HistoryBatch.objects.get(pk=report.batch)
    assert (batch.sha256, batch.filename, batch.status, batch.rows) == (
        sha,
        "2023台账.xlsx",
        JobStatus.RUNNING,
        2,
    )
    assert set(batch.suggestions.values_list("number", flat=True)) == {
        "甲区〔2023〕第1号",
        "甲区〔2023〕第2号",
    }
    summary = AuditEvent.objects.get(code="history.imported")
    assert summary.new["sha256"] == sha and summary.new["batch"] == str(batch.pk) and summary.actor == w.clerk
    per_row = AuditEvent.objects.filter(code="suggestion.imported").order_by("seq")
    assert [(e.suggestion.number, e.new["row"], e.new["sha256"]) for e in per_row] == [
        ("甲区〔2023〕第1号", 2, sha),
        ("甲区〔2023〕第2号", 3, sha),
    ]
    assert {e.correlation_id for e in per_row} == {summary.correlation_id}
    assert verify_chain().ok


def test_the_same_file_cannot_be_imported_twice(build, taxa):
    assert run(build.w, [good(1)]).ok
    report = run(build.w, [good(1)])
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(2, "建议编号")]
    assert "已有编号为“甲区〔2023〕第1号”的建议" in report.errors[0].reason
    assert Suggestion.objects.count() == 1


def test_a_dry_run_writes_nothing(build, taxa):
    before = (Suggestion.objects.count(), domain_event_count(), HistoryBatch.objects.count())
    report = run(build.w, [good(1)], dry_run=True)
    assert report.ok and not report.committed and report.counts["suggestions"] == 1
    assert report.years == {"2023": 1}
    assert (Suggestion.objects.count(), domain_event_count(), HistoryBatch.objects.count()) == before


def test_rows_without_the_later_steps_leave_their_deadlines_open(build, taxa):
    w = build.w
    rows = [
        good(
            1,
            交办日期=None,
            主办单位=None,
            见面联系日期=None,
            答复日期=None,
            答复类别=None,
            测评结果=None,
            状态=None,
            办结日期=None,
        ),
        good(2, 见面联系日期=None, 答复日期=None, 答复类别=None, 测评结果=None, 状态="办理中", 办结日期=None),
        good(3, 测评结果=None, 状态="已答复待测评", 办结日期=None),
    ]
    assert run(w, rows).ok
    states = dict(Suggestion.objects.values_list("seq", "state"))
    assert states == {1: "accepted", 2: "assigned", 3: "replied"}
    f = compute_figures(w.congress, Scope.year(2023))
    assert f["overdue"].numerator == 2  # 1 never assigned, 2 never answered — long overdue
    assert (f["on_time_reply_rate"].numerator, f["on_time_reply_rate"].denominator) == (1, 2)
    assert Evaluation.objects.count() == 0 and Reply.objects.count() == 1


def test_a_ledger_exported_from_one_congress_imports_into_another_with_the_same_figures(build, media):
    """The round trip: alpha's 2025 (the hand-counted year) → the ledger .xlsx → beta, whose roster
    and policy have the same names. The figures that the ledger can carry agree."""
    w = build.w
    build_year(build)
    beta = w.other_congress
    _mirror(w.congress, beta)
    with time_machine.travel(datetime.datetime(2025, 12, 31, 18, tzinfo=TZ), tick=False):
        data = X.ledger_workbook(w.congress, Scope.year(2025, as_of=AS_OF))
        report = H.import_history(beta, _file(data), actor=w.outsider, dry_run=False)
        assert report.ok, report.errors
        a = compute_figures(w.congress, Scope.year(2025, as_of=AS_OF))
        b = compute_figures(beta, Scope.year(2025, as_of=AS_OF))
    same = [
        "suggestions",
        "grassroots_share",
        "on_time_assignment_rate",
        "on_time_reply_statutory_rate",
        "contact_rate",
        "completion_rate",
        "satisfaction_rate",
        "resolution_rate",
        "resolution_or_plan_rate",
        "overdue",
    ]
    for key in same:
        assert (b[key].numerator, b[key].denominator) == (a[key].numerator, a[key].denominator), key
    # What a ledger cannot carry: the merged suggestion behind d7's participation, commitments and
    # the first round of a re-handled suggestion.
    assert b["participating_deputies"].numerator == a["participating_deputies"].numerator - 1
    assert b["commitment_fulfilment_rate"].denominator == 0
    assert b["rehandling_rate"].numerator == 0
    # … and so S2's on-time reply: alpha judges it on its re-handling round (on time), the ledger
    # carries only its last reply date, which beta judges against the first round's target (late)
    assert b["on_time_reply_rate"].denominator == a["on_time_reply_rate"].denominator
    assert b["on_time_reply_rate"].numerator == a["on_time_reply_rate"].numerator - 1
    # and the ledger of the imported records is the same file, row for row
    with time_machine.travel(datetime.datetime(2025, 12, 31, 18, tzinfo=TZ), tick=False):
        again = X.ledger_workbook(beta, Scope.year(2025, as_of=AS_OF))

    def rows(raw: bytes) -> list[tuple]:
        # S5 was forwarded to the government (待协调员交办); the ledger has no column for the body,
        # so the import keeps it as accepted and not yet assigned (已立案).
        sheet = openpyxl.load_workbook(io.BytesIO(raw))[X.LEDGER_SHEET]
        return [
            tuple("已立案" if v == "待协调员交办" else v for v in row)
            for row in sheet.iter_rows(values_only=True)
        ]

    assert rows(again) == rows(data)


def _mirror(alpha: Congress, beta: Congress) -> None:
    """beta gets alpha's taxonomies, units and deputies (same names, numbers and terms)."""
    ensure_policy(beta)
    for model in (Category, Channel):
        for item in model.objects.filter(congress=alpha):
            item.pk, item.id, item.congress = None, None, beta
            item.save()
    for rc in ResultClass.objects.filter(congress=alpha):
        rc.pk, rc.id, rc.congress = None, None, beta
        rc.save()
    gov = BodyFactory(congress=beta, body_code=Unit.BodyCode.GOVERNMENT, name="甲区人民政府")
    for u in Unit.objects.filter(congress=alpha).exclude(kind=Unit.Kind.BODY):
        UnitFactory(congress=beta, parent=gov, name=u.name, short_name=u.short_name)
    for dep in Deputy.objects.filter(congress=alpha):
        DeputyFactory(
            congress=beta,
            name=dep.name,
            number=dep.number,
            in_office_from=dep.in_office_from,
            in_office_to=dep.in_office_to,
        )


# --- bad files and bad rows -----------------------------------------------------------------------


def test_every_bad_cell_is_reported_and_nothing_is_written(build, taxa):
    w = build.w
    DeputyFactory(congress=w.congress, name="重名代表", number="X1")
    DeputyFactory(congress=w.congress, name="重名代表", number="X2")
    DeputyFactory(
        congress=w.congress,
        name="往届代表",
        number="X3",
        in_office_from=d(2017, 1, 1),
        in_office_to=d(2021, 12, 31),
    )
    rows = [
        good(1),  # fine, but not written: all or nothing
        good(2, 案由=None, 领衔代表="不存在的代表"),
        good(3, 领衔代表="重名代表", 联名代表="领衔代表、往届代表"),
        good(4, 分类="体育", 收集渠道="电视", 提出时间="年中"),
        good(5, 主办单位="不存在局、甲区住房和城乡建设局", 协办单位="甲区住房和城乡建设局"),
        good(6, 交办日期=d(2023, 2, 1), 答复日期="2023-13-01"),
        good(7, 答复类别="E", 测评结果="很好"),
        good(8, 状态="办理中"),
        good(9, 办结日期=d(2023, 3, 10)),
        good(10, 立案日期=d(2099, 1, 1)),
        good(11, 主办单位="甲区住房和城乡建设局、甲区教育局", 答复类别="A、B、C"),
        good(12, 交办日期=None),
        good(1, 案由="重复编号"),
    ]
    before = (Suggestion.objects.count(), domain_event_count())
    report = run(w, rows)
    assert not report.ok and not report.committed
    found = {(e.row, e.column) for e in report.errors}
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert (2, "建议编号") in found and (14, "建议编号") in found  # 第1号 twice
    assert reasons[(3, "案由")] == "必填项，不能为空。"
    assert "名册中没有代表“不存在的代表”" in reasons[(3, "领衔代表")]
    assert "请写成“姓名（代表证号）”" in reasons[(4, "领衔代表")]
    assert "往届代表”不在任期内" in reasons[(4, "联名代表")]
    assert "办理规则中没有分类“体育”" in reasons[(5, "分类")]
    assert "没有收集渠道“电视”" in reasons[(5, "收集渠道")]
    assert reasons[(5, "提出时间")] == "请填写“大会期间”或“闭会期间”。"
    assert "没有承办单位“不存在局”" in reasons[(6, "主办单位")]
    assert "重复填写" in reasons[(6, "协办单位")]
    assert "交办日期不能早于立案日期" in reasons[(7, "交办日期")]
    assert "“2023-13-01”不是有效日期" in reasons[(7, "答复日期")]
    assert "没有答复类别“E”" in reasons[(8, "答复类别")]
    assert "请填写满意、基本满意、不满意或未反馈" in reasons[(8, "测评结果")]
    assert "状态“办理中”与所填日期不符" in reasons[(9, "状态")]
    assert "办结日期不能早于答复日期" in reasons[(10, "办结日期")]
    assert "晚于今天" in reasons[(11, "立案日期")]
    assert "填写了 3 个答复类别，但有 2 个主办单位" in reasons[(12, "答复类别")]
    assert reasons[(13, "交办日期")] == "填写了主办单位，请同时填写交办日期。"
    assert not any(e.row == 2 and e.column != "建议编号" for e in report.errors)
    assert [e.row for e in report.errors] == sorted(e.row for e in report.errors)  # by row
    assert (Suggestion.objects.count(), domain_event_count()) == before
    assert not HistoryBatch.objects.exists()


@pytest.mark.parametrize(
    "data, name, reason",
    [
        (b"not a workbook", "ledger.xlsx", "文件不是 Excel 工作簿（.xlsx）"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old", "ledger.xls", "这是旧版 Excel 文件（.xls）"),
    ],
)
def test_files_that_are_not_workbooks_are_refused(build, taxa, data, name, reason):
    report = H.import_history(build.w.congress, _file(data, name), actor=build.w.clerk, dry_run=False)
    assert len(report.errors) == 1 and reason in report.errors[0].reason
    assert not Suggestion.objects.exists()


def test_missing_and_unknown_columns(build, taxa):
    headers = [h for h in X.LEDGER_HEADERS if h != "立案日期"]
    report = run(build.w, [good(1)], headers=headers)
    assert [(e.row, e.reason) for e in report.errors] == [
        (1, "缺少必填的列：立案日期。请使用下载的模板，不要修改表头。")
    ]
    report = run(build.w, [good(1)], headers=[*X.LEDGER_HEADERS, "备注"], dry_run=True)
    assert report.ok and [(w.column, w.reason) for w in report.warnings] == [
        ("备注", "“备注”不是汇总表的列，已忽略。")
    ]


def test_too_many_rows(build, taxa, settings):
    settings.MINYI_HISTORY_MAX_ROWS = 2
    report = run(build.w, [good(1), good(2), good(3)], dry_run=True)
    assert [e.reason for e in report.errors] == ["数据超过 2 行，请拆分后分批导入。"]


def test_deputies_written_with_their_number(build, taxa):
    w = build.w
    DeputyFactory(congress=w.congress, name="重名代表", number="X1")
    DeputyFactory(congress=w.congress, name="重名代表", number="X2")
    report = run(w, [good(1, 领衔代表="重名代表（X2）", 联名代表="A001、重名代表(X1)")])
    assert report.ok
    s = Suggestion.objects.get()
    assert s.lead.number == "X2" and sorted(c.deputy.number for c in s.cosigners.all()) == ["A001", "X1"]
    report = run(w, [good(2, 领衔代表="重名代表（X9）")], dry_run=True)
    assert "找不到代表证号为“X9”的代表“重名代表”" in report.errors[0].reason


def test_units_may_be_written_by_short_name(build, taxa):
    w = build.w
    Unit.objects.filter(pk=w.unit_a.pk).update(short_name="住建局")
    assert run(w, [good(1, 主办单位="住建局")]).ok
    assert Assignment.objects.get().unit == w.unit_a


def test_only_admins_and_clerks_may_import(build, taxa):
    from minyi.core.errors import NotPermitted

    for who in ("supervisor", "viewer", "deputy", "handler_a", "outsider"):
        with pytest.raises(NotPermitted):
            run(build.w, [good(1)], actor=getattr(build.w, who))
    assert run(build.w, [good(1)], actor=build.w.admin).ok


# --- the pages -------------------------------------------------------------------------------------


def _upload(client, data: bytes, name: str = "ledger.xlsx"):
    f = io.BytesIO(data)
    f.name = name
    return client.post(url("history"), {"file": f})


def test_upload_dry_run_then_commit(client, build, taxa, media):
    client.force_login(build.w.admin)
    page = client.get(url("history"))
    assert page.status_code == 200 and "下载导入模板" in page.content.decode()
    template = client.get(url("history_template"))
    assert template["Content-Type"] == X.XLSX_CONTENT_TYPE
    response = _upload(client, ledger([good(1), good(2)]))
    batch = HistoryBatch.objects.get()
    assert response["Location"] == url("history_batch", batch.pk)
    assert (batch.status, batch.dry_run, batch.background) == (JobStatus.CHECKED, True, False)
    html = client.get(response["Location"]).content.decode()
    assert "校验通过" in html and 'id="history-commit"' in html and "data-confirm" in html
    assert not Suggestion.objects.exists()
    response = client.post(url("history_commit", batch.pk), follow=True)
    batch.refresh_from_db()
    assert batch.status == JobStatus.DONE and batch.suggestions.count() == 2
    assert (
        "历史数据已导入" in response.content.decode()
        and "导入完成：2 件建议已写入" in response.content.decode()
    )
    assert batch.committed_by == build.w.admin
    again = client.post(url("history_commit", batch.pk), follow=True)
    assert "不能确认导入" in again.content.decode() and Suggestion.objects.count() == 2


def test_a_bad_upload_shows_its_errors_and_offers_them_as_xlsx(client, build, taxa, media):
    client.force_login(build.w.clerk)
    _upload(client, ledger([good(1, 分类="体育")]))
    batch = HistoryBatch.objects.get()
    assert batch.status == JobStatus.INVALID
    html = client.get(url("history_batch", batch.pk)).content.decode()
    assert (
        'id="history-errors"' in html and "办理规则中没有分类“体育”" in html and "history-commit" not in html
    )
    errors = client.get(url("history_errors", batch.pk))
    ws = openpyxl.load_workbook(io.BytesIO(errors.content)).active
    assert list(ws.iter_rows(min_row=2, values_only=True))[0][1:3] == (2, "分类")
    assert client.post(url("history_commit", batch.pk)).status_code == 302
    assert not Suggestion.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused_on_the_page(client, build, media):
    client.force_login(build.w.clerk)
    response = _upload(client, b"id,name\n1,x\n", "ledger.csv")
    assert response.status_code == 422 and "不是 Excel 工作簿" in response.content.decode()
    assert not HistoryBatch.objects.exists()


def test_large_ledgers_are_checked_and_imported_in_the_background(client, build, taxa, media, settings):
    settings.MINYI_HISTORY_INLINE_ROWS = 2
    settings.TASKS = DB_TASKS
    client.force_login(build.w.clerk)
    _upload(client, ledger([good(i) for i in range(1, 6)]))
    batch = HistoryBatch.objects.get()
    assert (batch.background, batch.status) == (True, JobStatus.QUEUED)
    html = client.get(url("history_batch", batch.pk)).content.decode()
    assert 'hx-trigger="every 1s"' in html and "排队等待后台处理" in html
    assert DBTaskResult.objects.get().task_path == "minyi.reports.history.run_batch_task"
    assert H.run_batch_task.call(str(batch.pk)) == JobStatus.CHECKED
    done = client.get(url("history_progress", batch.pk), HTTP_HX_REQUEST="true")
    assert done.headers.get("HX-Refresh") == "true"
    client.post(url("history_commit", batch.pk))
    batch.refresh_from_db()
    assert batch.status == JobStatus.QUEUED and not batch.dry_run
    assert H.run_batch_task.call(str(batch.pk)) == JobStatus.DONE
    assert Suggestion.objects.count() == 5


@pytest.mark.parametrize("who", ["supervisor", "viewer", "coordinator", "deputy", "handler_a", "outsider"])
def test_everyone_else_gets_404(client, build, taxa, media, who):
    assert run(build.w, [good(1)]).ok
    batch = HistoryBatch.objects.get()
    client.force_login(getattr(build.w, who))
    for path in (
        url("history"),
        url("history_template"),
        url("history_batch", batch.pk),
        url("history_errors", batch.pk),
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(url("history_commit", batch.pk)).status_code == 404


def test_another_congress_s_batch_is_not_found(client, build, taxa, media):
    assert run(build.w, [good(1)]).ok
    batch = HistoryBatch.objects.get()
    client.force_login(build.w.outsider)  # admin of beta
    assert client.get(url("history_batch", batch.pk, code="beta")).status_code == 404


# --- the demo district's 2023 ------------------------------------------------------------------------


def test_seed_demo_history_gives_the_reported_year(db, media):
    """The model district's 2023 (DOMAIN.md §1): 382 suggestions, participation 100%, ~91% closed,
    ~98% satisfied, >90% grassroots — computed from the imported records by `stats`."""
    congress = _demo_like_congress()
    report = H.seed_demo_history(congress, rng=random.Random(2026))
    assert report.ok and report.counts["suggestions"] == 382
    out = io.StringIO()
    call_command("stats", "--congress", congress.code, "--year", "2023", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["suggestions"] == 382
    assert data["participation_rate"] == 1.0
    assert data["completion_rate"] == pytest.approx(0.91, abs=0.005)
    assert data["satisfaction_rate"] == pytest.approx(0.98, abs=0.005)
    assert data["grassroots_share"] > 0.9
    # a closed year: every suggestion of it closed, nothing left in anyone's to-do
    assert not Suggestion.objects.filter(congress=congress).exclude(state="closed").exists()
    assert verify_chain().ok


def _demo_like_congress() -> Congress:
    """A small stand-in for seed_demo's congress: its taxonomies, a government with units, 120
    deputies in office since 2022, and a clerk."""
    from minyi.congress.actions import do_update_policy
    from minyi.congress.defaults import CATEGORIES, CHANNELS, RESULT_CLASSES
    from minyi.core.management.commands.seed_demo import DEMO_POLICY
    from tests.factories import CongressFactory

    congress = CongressFactory(code="demo2", name="示范区人大常委会", short_name="示范")
    # the district's strict 办结 (closed and satisfied), as seed_demo sets it
    do_update_policy(ensure_policy(congress), actor=None, changes=DEMO_POLICY)
    for i, name in enumerate(CATEGORIES):
        Category.objects.create(congress=congress, name=name, order=i)
    for i, (name, grassroots) in enumerate(CHANNELS):
        Channel.objects.create(congress=congress, name=name, grassroots=grassroots, order=i)
    for i, (code, name, _desc, resolved, commitments) in enumerate(RESULT_CLASSES):
        ResultClass.objects.create(
            congress=congress,
            code=code,
            name=name,
            order=i,
            counts_as_resolved=resolved,
            requires_commitments=commitments,
        )
    gov = BodyFactory(congress=congress, body_code=Unit.BodyCode.GOVERNMENT, name="示范区人民政府")
    for i in range(12):
        UnitFactory(congress=congress, parent=gov, name=f"示范区第{i + 1}局")
    for i in range(120):
        DeputyFactory(
            congress=congress, name=f"代表{i + 1:03d}", number=f"D{i + 1:03d}", in_office_from=d(2022, 1, 1)
        )
    MembershipFactory(user=UserFactory(username="demo2clerk"), congress=congress, role="congress_clerk")
    return congress
