"""Record every response and every audit row of a test run, to prove that a refactor changed nothing.

Off unless ``MINYI_RECORD=path/to/out.jsonl`` is set: tests/conftest.py then loads this module as a
pytest plugin (otherwise it is never imported, so a normal run pays nothing). While on:

- a middleware (put first in ``settings.MIDDLEWARE`` for the session) sees every response of
  Django's test client and of the live server the browser tests talk to (static files never reach
  it), and notes one ``request`` record: method, path and query, status, content type, a few
  headers and the normalised body (JSON: parsed; HTML: one tag per line; see `normalise_text`);
- when a test using the database ends (before its rollback or flush), one ``audit`` record lists its
  audit rows in order: code, congress code, actor and target usernames, unit name, suggestion and
  assignment ids, object type/id/repr, old/new values and note — no hash, sequence or timestamp.

`make record OUT=var/before.jsonl` runs the API tests and the browser loop this way (one process,
fixed order, clock pinned by faketime); `tests/tools/compare_recordings.py BEFORE AFTER` compares
two recordings. Ids are kept as they are: with the same tests in the same order on fresh SQLite
databases they are the same from run to run (xdist would deal the tests differently, so recording
refuses to run in an xdist worker).

What is normalised away (volatile from run to run even on the same code): the time of day inside
timestamps (the date stays: the clock is pinned to a date), CSRF tokens, CSP nonces, random UUIDs
(replaced by their order of first appearance within the test), the live server's host and port,
hashed static file names. Everything else must be equal.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from pathlib import Path
from typing import Any

import pytest

ENV = "MINYI_RECORD"
MIDDLEWARE = "tests.recording.RecordingMiddleware"
#: Response headers worth comparing (values normalised like text).
HEADERS = (
    "Location",
    "Content-Disposition",
    "Cache-Control",
    "HX-Redirect",
    "HX-Location",
    "HX-Refresh",
    "HX-Trigger",
    "HX-Retarget",
    "HX-Reswap",
)
#: Binary types whose bytes embed the time they were made (zip entry dates, PDF CreationDate):
#: compared by type and name only.
VOLATILE_BINARY = ("spreadsheetml", "zip", "pdf", "msword", "officedocument")

# ---------------------------------------------------------------------------------------------
# Normalisation (pure functions; tests/tools/test_compare_recordings.py exercises them)

UUID_RE = re.compile(r"\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b", re.I)
# 2026-03-02T10:00:03.123456+08:00, 2026-03-02 10:00:03, 2026-03-02 10:00
DATETIME_RE = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?")
# A time of day shown alone (10:03, 10:03:27) that is not part of a longer number.
TIME_RE = re.compile(r"(?<!\]\+)(?<!\]-)(?<![\d:])([01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?![\d:])")
HOST_RE = re.compile(r"https?://(?:localhost|127\.0\.0\.1|testserver)(?::\d+)?")
CSRF_INPUT_RE = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_JSON_RE = re.compile(r'("X-CSRFToken":\s*")[^"]*(")')
CSRF_ATTR_RE = re.compile(r'(csrf[\w-]*=")[^"]*(")', re.I)  # data-csrf-token="…"
NONCE_RE = re.compile(r'(nonce=")[^"]*(")|(\'nonce-)[^\']*(\')')
STATIC_HASH_RE = re.compile(r"(/static/[^\"'\s?]+?)\.[0-9a-f]{12}(\.\w+)")
# Opaque hex tokens made from random data (the work calendar's version hashes its years' random
# revisions): at least one letter and one digit, so plain numbers are left alone.
HEX_RE = re.compile(
    r"(?<![0-9a-f])(?=[0-9a-f]*[a-f])(?=[0-9a-f]*\d)(?:[0-9a-f]{12}|[0-9a-f]{32}|[0-9a-f]{40}|[0-9a-f]{64})(?![0-9a-f])"
)
#: JSON keys whose values are secrets of the session.
SECRET_KEYS = re.compile(r"csrf", re.I)
SPACE_RE = re.compile(r"\s+")


class Normaliser:
    """Per test: UUIDs become ``uuid#1``, ``uuid#2``… and random hex tokens ``hex#1``… in order of
    first appearance, so which rows share a correlation id, or which answers used the same calendar
    version, is still compared, but not the random values."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}

    def _token(self, kind: str):
        def replace(match: re.Match[str]) -> str:
            key = match.group(0).lower()
            if key not in self.tokens:
                self.tokens[key] = f"{kind}#{sum(v.startswith(kind) for v in self.tokens.values()) + 1}"
            return self.tokens[key]

        return replace

    def text(self, value: str) -> str:
        value = UUID_RE.sub(self._token("uuid"), value)
        value = HEX_RE.sub(self._token("hex"), value)
        value = HOST_RE.sub("[host]", value)
        value = DATETIME_RE.sub(lambda m: f"{m.group(1)}T[time]{m.group(2) or ''}", value)
        value = TIME_RE.sub("[time]", value)
        return value

    def html(self, value: str) -> str:
        value = CSRF_INPUT_RE.sub(r"\1[csrf]\2", value)
        value = CSRF_JSON_RE.sub(r"\1[csrf]\2", value)
        value = CSRF_ATTR_RE.sub(r"\1[csrf]\2", value)
        value = NONCE_RE.sub(lambda m: f"{m.group(1) or m.group(3)}[nonce]{m.group(2) or m.group(4)}", value)
        value = STATIC_HASH_RE.sub(r"\1\2", value)
        value = self.text(value)
        # One tag per line, whitespace collapsed: a re-indented template is not a change, and a
        # unified diff of two pages points at the element that differs.
        value = SPACE_RE.sub(" ", value)
        value = re.sub(r"\s*(<[^!])", r"\n\1", value)
        return "\n".join(line.strip() for line in value.split("\n") if line.strip())

    def json(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {
                self.text(str(k)): "[csrf]" if SECRET_KEYS.search(str(k)) else self.json(v)
                for k, v in value.items()
            }
        if isinstance(value, list):
            return [self.json(v) for v in value]
        if isinstance(value, str):
            return self.text(value)
        return value

    def body(self, content_type: str, content: bytes) -> Any:
        base = content_type.split(";")[0].strip().lower()
        if base == "application/json" or base.endswith("+json"):
            try:
                return self.json(json.loads(content or b"null"))
            except ValueError:
                pass  # not JSON after all: compare it as text
        if base.startswith("text/") or base in ("application/json", "application/javascript", ""):
            text = content.decode("utf-8", errors="replace")
            return self.html(text) if base == "text/html" else self.text(text)
        if any(word in base for word in VOLATILE_BINARY):
            return f"<binary {base}>"
        return f"<binary {base} sha256={hashlib.sha256(content).hexdigest()}>"


# ---------------------------------------------------------------------------------------------
# State of the run: the test being run and what it produced so far


class _Run:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = threading.Lock()
        self.test: str | None = None
        self.records: list[dict[str, Any]] = []
        self.normaliser = Normaliser()
        self.late = 0  # responses after a test ended (a page still polling): not recorded
        self.outcome = "passed"
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = path.open("w", encoding="utf-8")

    def start(self, nodeid: str) -> None:
        with self.lock:
            self.test, self.records, self.normaliser, self.outcome = nodeid, [], Normaliser(), "passed"

    def add_response(self, request, response) -> None:
        # Under the lock: the live server answers in threads, and the per-test numbering of UUIDs
        # must not interleave.
        with self.lock:
            if self.test is None:
                self.late += 1
                return
            record = describe_response(request, response, self.normaliser)
            self.records.append({"test": self.test, "n": len(self.records) + 1, **record})

    def finish(self, audit: list[dict[str, Any]] | None) -> None:
        with self.lock:
            if self.test is None:
                return
            if audit is not None:
                self.records.append(
                    {"test": self.test, "n": len(self.records) + 1, "kind": "audit", "rows": audit}
                )
            # A test that fails after a refactor may stop early: its outcome is part of the record.
            self.records.append(
                {"test": self.test, "n": len(self.records) + 1, "kind": "end", "outcome": self.outcome}
            )
            for record in self.records:
                self.file.write(json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n")
            self.file.flush()
            self.test, self.records = None, []

    def close(self) -> None:
        self.file.close()


_run: _Run | None = None


class RecordingMiddleware:
    """Outermost middleware while recording: notes every response, changes nothing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if _run is not None:
            _run.add_response(request, response)
        return response


def describe_response(request, response, normaliser: Normaliser) -> dict[str, Any]:
    content_type = response.get("Content-Type", "")
    if getattr(response, "streaming", False):
        # Read the stream and hand the same bytes on (the client still gets them).
        content = b"".join(response.streaming_content)
        response.streaming_content = [content]
    else:
        content = response.content
    query = request.META.get("QUERY_STRING", "")
    return {
        "kind": "request",
        "method": request.method,
        "path": request.path + (f"?{query}" if query else ""),
        "status": response.status_code,
        "content_type": content_type,
        "headers": {h: normaliser.text(response[h]) for h in HEADERS if response.has_header(h)},
        "body": normaliser.body(content_type, content),
    }


def audit_rows(normaliser: Normaliser) -> list[dict[str, Any]]:
    """Every audit row in order, by meaning: foreign keys by their natural names, no chain data."""
    from minyi.audit.models import AuditEvent

    skip = {"id", "seq", "created_at", "prev_hash", "hash"}
    natural = {"congress": "code", "user": "username", "unit": "name"}
    fields = [f for f in AuditEvent._meta.concrete_fields if f.name not in skip]
    relations = [f.name for f in fields if f.is_relation]
    rows = []
    for event in AuditEvent.objects.select_related(*relations).order_by("seq"):
        row: dict[str, Any] = {}
        for field in fields:
            if field.is_relation:
                target = getattr(event, field.name)
                attr = natural.get(field.related_model._meta.model_name)
                value = (
                    getattr(target, attr) if target is not None and attr else getattr(event, field.attname)
                )
            else:
                value = getattr(event, field.attname)
            if value is None or value == "":
                continue
            row[field.name] = normaliser.json(value if isinstance(value, dict | list | int) else str(value))
        rows.append(row)
    return rows


# ---------------------------------------------------------------------------------------------
# pytest hooks


def pytest_configure(config):
    global _run
    if os.environ.get("PYTEST_XDIST_WORKER") or getattr(config.option, "numprocesses", None):
        raise pytest.UsageError(
            f"{ENV}: record in one process (-n 0): xdist deals tests out differently on every run, "
            "so ids would differ between recordings of the same code."
        )
    _run = _Run(Path(os.environ[ENV]))


def pytest_unconfigure(config):
    global _run
    if _run is not None:
        _run.close()
        if _run.late:
            print(f"\n{ENV}: {_run.late} response(s) after their test had ended were not recorded")
        _run = None


@pytest.fixture(autouse=True, scope="session")
def _recording_middleware():
    """Put the recording middleware first for the whole session (before any live server starts;
    the test client loads the middleware list anew for each client)."""
    from django.conf import settings

    original = list(settings.MIDDLEWARE)
    settings.MIDDLEWARE = [MIDDLEWARE, *original]
    yield
    settings.MIDDLEWARE = original


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    if _run is not None:
        _run.start(item.nodeid)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    relevant = report.when == "call" or (report.when == "setup" and report.outcome != "passed")
    if _run is not None and _run.test == item.nodeid and relevant:
        _run.outcome = report.outcome
    return report


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_teardown(item, nextitem):
    # Before any fixture is torn down: the test's transaction (or a transactional test's rows)
    # is still there, and the database is still unblocked for it.
    if _run is not None and _run.test == item.nodeid:
        audit = None
        if "_django_db_helper" in item.fixturenames:
            try:
                audit = audit_rows(_run.normaliser)
            except Exception as error:  # a test that broke its database: say so, do not mask it
                audit = [{"error": f"{type(error).__name__}: {error}"}]
        _run.finish(audit)
    return (yield)
