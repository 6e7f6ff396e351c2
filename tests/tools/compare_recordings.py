"""Compare two recordings of tests/recording.py: did a refactor change any response or audit row?

    .venv/bin/python tests/tools/compare_recordings.py var/recording-before.jsonl var/recording-after.jsonl

For every test present in either file, the responses are paired in order and compared (method,
path, status, content type, selected headers, normalised body), then the test's outcome (passed,
failed…) and its audit sequence. Each differing test is printed with its first differing response (what differs, and a
unified diff of the bodies) and a unified diff of the audit rows; `--all` prints every differing
response of the test. The last line sums it up. Exit status: 0 when everything is equal, 1 when
something differs, 2 on bad input. Needs nothing but the standard library.
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

Records = dict[str, list[dict[str, Any]]]
FIELDS = ("method", "path", "status", "content_type", "headers")


def load(lines: Iterable[str]) -> Records:
    """Records grouped by test id, each test's records in their recorded order."""
    tests: Records = {}
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            tests.setdefault(record["test"], []).append(record)
        except (ValueError, KeyError, TypeError) as error:
            raise ValueError(f"line {number}: not a recording record ({error})") from None
    for records in tests.values():
        records.sort(key=lambda r: r.get("n", 0))
    return tests


def load_file(path: str) -> Records:
    with open(path, encoding="utf-8") as handle:
        return load(handle)


def _lines(body: Any) -> list[str]:
    if isinstance(body, str):
        return body.splitlines() or [""]
    return json.dumps(body, ensure_ascii=False, sort_keys=True, indent=1).splitlines()


def _diff(before: list[str], after: list[str], a: str, b: str, limit: int) -> list[str]:
    lines = list(difflib.unified_diff(before, after, a, b, n=2, lineterm=""))
    if limit and len(lines) > limit:
        lines = [*lines[:limit], f"... ({len(lines) - limit} more diff lines; --max-lines 0 shows all)"]
    return lines


def _label(record: dict[str, Any] | None) -> str:
    if record is None:
        return "(none)"
    return f"{record.get('method')} {record.get('path')} -> {record.get('status')}"


@dataclass
class TestDiff:
    test: str
    lines: list[str] = field(default_factory=list)
    requests: int = 0  # differing responses
    audit: bool = False  # the audit sequence differs
    missing: str = ""  # "before" or "after" when the test is only in one recording


@dataclass
class Report:
    tests: int = 0
    requests: int = 0
    audit_rows: int = 0
    diffs: list[TestDiff] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.diffs

    def summary(self) -> str:
        if self.ok:
            return (
                f"OK: {self.tests} tests, {self.requests} responses and {self.audit_rows} audit rows "
                "are the same in both recordings."
            )
        missing = sum(1 for d in self.diffs if d.missing)
        return (
            f"DIFFERENT: {len(self.diffs)} of {self.tests} tests differ — "
            f"{sum(d.requests for d in self.diffs)} response(s), "
            f"{sum(1 for d in self.diffs if d.audit)} audit sequence(s), "
            f"{missing} test(s) in only one recording."
        )


def compare_test(test: str, before: list[dict], after: list[dict], *, show_all=False, limit=80) -> TestDiff:
    result = TestDiff(test)
    req_a = [r for r in before if r.get("kind") == "request"]
    req_b = [r for r in after if r.get("kind") == "request"]
    if len(req_a) != len(req_b):
        result.lines.append(f"  {len(req_a)} responses before, {len(req_b)} after")
    for index in range(max(len(req_a), len(req_b))):
        a = req_a[index] if index < len(req_a) else None
        b = req_b[index] if index < len(req_b) else None
        if a is not None and b is not None and all(a.get(k) == b.get(k) for k in (*FIELDS, "body")):
            continue
        result.requests += 1
        if result.requests > 1 and not show_all:
            continue
        result.lines.append(f"  response #{index + 1}: {_label(a)}  |  {_label(b)}")
        if a is None or b is None:
            continue
        for key in FIELDS:
            if a.get(key) != b.get(key):
                result.lines.append(f"    {key}: {a.get(key)!r} -> {b.get(key)!r}")
        if a.get("body") != b.get("body"):
            result.lines += [
                "    " + line
                for line in _diff(_lines(a.get("body")), _lines(b.get("body")), "before", "after", limit)
            ]
    if result.requests > 1 and not show_all:
        result.lines.append(f"  ... {result.requests - 1} more differing response(s) in this test (--all)")

    end_a = [r.get("outcome") for r in before if r.get("kind") == "end"]
    end_b = [r.get("outcome") for r in after if r.get("kind") == "end"]
    if end_a != end_b:
        result.lines.append(f"  outcome: {', '.join(end_a) or '?'} -> {', '.join(end_b) or '?'}")

    audit_a = [r for r in before if r.get("kind") == "audit"]
    audit_b = [r for r in after if r.get("kind") == "audit"]
    rows_a = audit_a[0]["rows"] if audit_a else None
    rows_b = audit_b[0]["rows"] if audit_b else None
    if rows_a != rows_b:
        result.audit = True
        result.lines.append(
            f"  audit sequence: {len(rows_a or [])} rows before, {len(rows_b or [])} after"
            + ("" if audit_a and audit_b else " (not recorded in one run)")
        )
        dump = [json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows_a or []]
        dump_b = [json.dumps(row, ensure_ascii=False, sort_keys=True) for row in rows_b or []]
        result.lines += ["    " + line for line in _diff(dump, dump_b, "audit before", "audit after", limit)]
    return result


def compare(before: Records, after: Records, *, show_all: bool = False, limit: int = 80) -> Report:
    report = Report()
    tests = list(before) + [t for t in after if t not in before]
    report.tests = len(tests)
    for test in tests:
        records_a, records_b = before.get(test), after.get(test)
        source = records_a if records_a is not None else records_b or []
        report.requests += sum(1 for r in source if r.get("kind") == "request")
        report.audit_rows += sum(len(r.get("rows", [])) for r in source if r.get("kind") == "audit")
        if records_a is None or records_b is None:
            where = "after" if records_a is None else "before"
            report.diffs.append(TestDiff(test, [f"  only in the {where} recording"], missing=where))
            continue
        diff = compare_test(test, records_a, records_b, show_all=show_all, limit=limit)
        if diff.lines:
            report.diffs.append(diff)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("before")
    parser.add_argument("after")
    parser.add_argument("--all", action="store_true", help="every differing response, not only the first")
    parser.add_argument(
        "--max-lines", type=int, default=80, help="cut each diff after this many lines (0: all)"
    )
    args = parser.parse_args(argv)
    try:
        before, after = load_file(args.before), load_file(args.after)
    except (OSError, ValueError) as error:
        print(f"compare_recordings: {error}", file=sys.stderr)
        return 2
    if not before or not after:
        print("compare_recordings: a recording is empty (did the recording run fail?)", file=sys.stderr)
        return 2
    report = compare(before, after, show_all=args.all, limit=args.max_lines)
    for diff in report.diffs:
        print(f"== {diff.test}")
        print("\n".join(diff.lines))
    print(report.summary())
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
