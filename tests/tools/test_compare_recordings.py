"""The comparison of recordings (tests/tools/compare_recordings.py) and the normalisation of the
recorder (tests/recording.py), on synthetic records: no database, no server."""

from __future__ import annotations

import copy
import json

from tests.recording import Normaliser
from tests.tools.compare_recordings import compare, load, main

T = "tests/api/test_x.py::test_y"


def _recording() -> list[dict]:
    return [
        {
            "test": T,
            "n": 1,
            "kind": "request",
            "method": "POST",
            "path": "/api/v1/congresses/alpha/suggestions",
            "status": 201,
            "content_type": "application/json; charset=utf-8",
            "headers": {},
            "body": {"id": 1, "state": "draft", "title": "关于加装电梯的建议"},
        },
        {
            "test": T,
            "n": 2,
            "kind": "request",
            "method": "GET",
            "path": "/c/alpha/suggestions/1/",
            "status": 200,
            "content_type": "text/html; charset=utf-8",
            "headers": {"Cache-Control": "no-store"},
            "body": "<main>\n<h1>关于加装电梯的建议\n</h1>\n<span>草稿\n</span>\n</main>",
        },
        {
            "test": T,
            "n": 3,
            "kind": "audit",
            "rows": [
                {"code": "suggestion.created", "actor": "deputy", "congress": "alpha", "object_id": "1"},
                {"code": "suggestion.submitted", "actor": "deputy", "congress": "alpha", "object_id": "1"},
            ],
        },
        {"test": "tests/api/test_x.py::test_z", "n": 1, "kind": "audit", "rows": []},
    ]


def _lines(records: list[dict]) -> list[str]:
    return [json.dumps(r, ensure_ascii=False) for r in records]


def test_identical_recordings_are_equal(tmp_path, capsys):
    before, after = _recording(), _recording()
    report = compare(load(_lines(before)), load(_lines(reversed(after))))  # file order does not matter
    assert report.ok and report.tests == 2 and report.requests == 2 and report.audit_rows == 2

    (tmp_path / "a.jsonl").write_text("\n".join(_lines(before)), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("\n".join(_lines(after)), encoding="utf-8")
    assert main([str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]) == 0
    assert capsys.readouterr().out.startswith("OK: 2 tests, 2 responses and 2 audit rows")


def test_a_changed_json_field_is_reported_with_its_diff(tmp_path, capsys):
    after = _recording()
    after[0]["body"] = {"id": 1, "status": "draft", "title": "关于加装电梯的建议"}  # renamed field
    report = compare(load(_lines(_recording())), load(_lines(after)))
    assert not report.ok
    [diff] = report.diffs
    assert diff.test == T and diff.requests == 1 and not diff.audit
    text = "\n".join(diff.lines)
    assert "response #1: POST /api/v1/congresses/alpha/suggestions -> 201" in text
    assert '- "state": "draft",' in text and '+ "status": "draft",' in text

    (tmp_path / "a.jsonl").write_text("\n".join(_lines(_recording())), encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("\n".join(_lines(after)), encoding="utf-8")
    assert main([str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]) == 1
    out = capsys.readouterr().out
    assert f"== {T}" in out and out.rstrip().endswith("0 test(s) in only one recording.")
    assert "DIFFERENT: 1 of 2 tests differ — 1 response(s), 0 audit sequence(s)" in out


def test_a_changed_page_status_or_header_is_reported():
    after = _recording()
    after[1]["body"] = after[1]["body"].replace("草稿", "待提交")
    after[1]["status"] = 302
    after[1]["headers"] = {"Location": "/c/alpha/"}
    [diff] = compare(load(_lines(_recording())), load(_lines(after))).diffs
    text = "\n".join(diff.lines)
    assert "status: 200 -> 302" in text and "headers: {'Cache-Control': 'no-store'} -> {'Location'" in text
    assert "-<span>草稿" in text and "+<span>待提交" in text


def test_a_changed_audit_sequence_is_reported():
    for change in ("code", "extra row", "missing row"):
        after = _recording()
        rows = after[2]["rows"]
        if change == "code":
            rows[1]["code"] = "suggestion.sent"
        elif change == "extra row":
            rows.append({"code": "notification.sent", "actor": "deputy"})
        else:
            rows.pop(0)
        [diff] = compare(load(_lines(_recording())), load(_lines(after))).diffs
        assert diff.audit and diff.requests == 0, change
        assert any(line.startswith("    +") or line.startswith("    -") for line in diff.lines[1:]), change
    text = "\n".join(
        compare(
            load(_lines(_recording())),
            load(
                _lines(
                    _recording()[:2]
                    + [
                        {
                            **_recording()[2],
                            "rows": [
                                {**_recording()[2]["rows"][0], "code": "suggestion.made"},
                                _recording()[2]["rows"][1],
                            ],
                        },
                        _recording()[3],
                    ]
                )
            ),
        )
        .diffs[0]
        .lines
    )
    assert '-{"actor": "deputy", "code": "suggestion.created"' in text
    assert '+{"actor": "deputy", "code": "suggestion.made"' in text


def test_missing_tests_and_extra_responses_are_reported():
    after = [r for r in _recording() if r["test"] == T]
    after.append({**copy.deepcopy(after[0]), "n": 4})
    report = compare(load(_lines(_recording())), load(_lines(after)))
    assert {d.test: d.missing for d in report.diffs} == {T: "", "tests/api/test_x.py::test_z": "before"}
    [diff] = [d for d in report.diffs if d.test == T]
    assert diff.lines[0] == "  2 responses before, 3 after" and diff.requests == 1


def test_a_test_that_now_fails_is_reported():
    before = [*_recording(), {"test": T, "n": 4, "kind": "end", "outcome": "passed"}]
    after = [*_recording(), {"test": T, "n": 4, "kind": "end", "outcome": "failed"}]
    [diff] = compare(load(_lines(before)), load(_lines(after))).diffs
    assert diff.lines == ["  outcome: passed -> failed"]


def test_bad_input_exits_2(tmp_path):
    (tmp_path / "a.jsonl").write_text("not json\n", encoding="utf-8")
    (tmp_path / "b.jsonl").write_text("", encoding="utf-8")
    assert main([str(tmp_path / "a.jsonl"), str(tmp_path / "a.jsonl")]) == 2
    (tmp_path / "a.jsonl").write_text("\n".join(_lines(_recording())), encoding="utf-8")
    assert main([str(tmp_path / "a.jsonl"), str(tmp_path / "b.jsonl")]) == 2


def test_normalisation_keeps_meaning_and_drops_what_varies_from_run_to_run():
    n = Normaliser()
    page = (
        '<html><head><script nonce="Abc123+/=">x</script></head>'
        '<body hx-headers=\'{"X-CSRFToken": "tok1"}\'>\n   <form><input type="hidden" '
        'name="csrfmiddlewaretoken" value="tok2">'
        '<a href="http://localhost:38211/c/alpha/">首页</a>'
        '<link href="/static/css/minyi.0123456789ab.css">'
        "<time>2026-03-02 10:04</time><span>更新于 10:04:27</span><span>第 12 条</span></form></body></html>"
    )
    other = page.replace("Abc123+/=", "Zz9").replace("tok1", "q").replace("tok2", "r")
    other = other.replace("38211", "40001").replace("10:04:27", "10:05:01").replace("10:04<", "10:05<")
    assert n.body("text/html; charset=utf-8", page.encode()) == n.body("text/html", other.encode())
    normal = n.body("text/html", page.encode())
    assert (
        'nonce="[nonce]"' in normal and "[csrf]" in normal and "tok1" not in normal and "tok2" not in normal
    )
    assert '<a href="[host]/c/alpha/">首页' in normal and "/static/css/minyi.css" in normal
    assert "2026-03-02T[time]" in normal and "第 12 条" in normal
    # but what a refactor could change stays: a different word is a different page
    assert n.body("text/html", page.replace("首页", "主页").encode()) != normal

    uuid_a, uuid_b = "0b7c6f0e-8a1e-4f5e-9d3a-0123456789ab", "5f0e6a9c-1d2b-4c3d-8e4f-abcdefabcdef"
    first = Normaliser().json({"id": 7, "at": "2026-03-02T10:00:03.123+08:00", "c": [uuid_a, uuid_b, uuid_a]})
    second = Normaliser().json({"id": 7, "at": "2026-03-02T10:00:09+08:00", "c": [uuid_b, uuid_a, uuid_b]})
    assert first == second == {"id": 7, "at": "2026-03-02T[time]+08:00", "c": ["uuid#1", "uuid#2", "uuid#1"]}
    assert Normaliser().json({"id": 8}) != Normaliser().json({"id": 7})  # ids are kept
    assert Normaliser().json({"on": "2026-03-03"}) != Normaliser().json({"on": "2026-03-02"})  # dates too
    assert Normaliser().body("application/json", b'{"a": 1}') == {"a": 1}
    assert Normaliser().body("application/pdf", b"%PDF") == "<binary application/pdf>"
    assert Normaliser().body("image/png", b"x") != Normaliser().body("image/png", b"y")
