"""`manage.py import_roster FILE --congress CODE [--dry-run]`."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, ManagementUtility, call_command

from minyi.audit.models import AuditEvent
from minyi.congress.models import Deputy, Unit

from .test_roster import happy_sheets, snapshot_counts, xlsx


@pytest.fixture
def roster_file(tmp_path):
    path = tmp_path / "花名册.xlsx"
    path.write_bytes(xlsx(happy_sheets()).getvalue())
    return path


def run(*args, **kwargs) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_roster", *args, stdout=out, stderr=err, **kwargs)
    return out.getvalue(), err.getvalue()


def test_dry_run_prints_counts_and_writes_nothing(world, roster_file):
    before = snapshot_counts()
    out, _err = run(str(roster_file), congress="alpha", dry_run=True)
    assert "代表：将新建 3 条" in out
    assert "承办单位：将新建 4 条" in out
    assert "校验通过" in out
    assert snapshot_counts() == before


def test_import_writes_and_audits_as_the_system(world, roster_file):
    out, _err = run(str(roster_file), congress="alpha")
    assert "代表：新建 3 条，更新 0 条" in out
    assert "导入完成" in out
    assert Deputy.objects.filter(congress=world.congress, number="D100").exists()
    assert Unit.objects.filter(congress=world.congress, name="甲区人民法院").exists()
    event = AuditEvent.objects.get(code="roster.imported")
    assert event.actor is None and event.congress == world.congress
    assert event.new["filename"] == "花名册.xlsx"

    out, _err = run(str(roster_file), congress="alpha")
    assert "代表：新建 0 条，更新 3 条（其中无变化 3 条）" in out


@pytest.mark.parametrize("dry_run", [True, False])
def test_errors_are_printed_as_a_table_and_fail(world, tmp_path, dry_run):
    sheets = {"代表": [{"代表证号": "D1", "姓名": "某", "任职起始": "2022-01-01", "电子邮箱": "bad"}]}
    path = tmp_path / "bad.xlsx"
    path.write_bytes(xlsx(sheets).getvalue())
    before = snapshot_counts()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command(
            "import_roster", str(path), congress="alpha", dry_run=dry_run, stdout=io.StringIO(), stderr=err
        )
    assert "代表\t2\t电子邮箱\t" in err.getvalue()
    assert snapshot_counts() == before


def test_unknown_congress_and_missing_file_fail(world, roster_file, tmp_path):
    with pytest.raises(CommandError):
        run(str(roster_file), congress="nope")
    with pytest.raises(CommandError):
        run(str(tmp_path / "missing.xlsx"), congress="alpha")


def test_exit_code_is_non_zero_on_errors(world, tmp_path, capsys):
    path = tmp_path / "roster.csv"
    path.write_text("代表证号,姓名\n")
    with pytest.raises(SystemExit) as exc:
        ManagementUtility(["manage.py", "import_roster", str(path), "--congress", "alpha"]).execute()
    assert exc.value.code != 0
    assert "（整个文件）" in capsys.readouterr().err
