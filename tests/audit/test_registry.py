"""The registry of audit event types (minyi/audit/events.py, issue #11): every code is declared,
`record()` refuses any other, and the readers (timelines, the points ledger, the figures' data
version, the notification scan, the history labels) get from it exactly what they matched before."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import rules
from django.db import transaction
from django.utils import translation

from minyi import audit
from minyi.audit import events as E
from minyi.audit.models import AuditEvent
from minyi.audit.services import READ_CODES
from tests.suggestions.conftest import loop  # noqa: F401 - the fixture, used by name

ROOT = Path(__file__).resolve().parents[2]
CODE_LIKE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$")

#: Strings in minyi/ that look like a code but are not one: object types, file names, an e-mail
#: domain, and prefixes of permission names built with f-strings.
NOT_CODES = {
    "intake.opinion",  # object_type of an opinion's history rows
    "database.pgdump",
    "manifest.json",
    "history.xlsx",
    "roster.xlsx",
    "select.html",  # the widget templates core.renderers renders in Python
    "select_option.html",
    "scan.py",  # notifications.texts: the modules whose strings it holds
    "actions.py",
    "demo.minyi.invalid",
    "feed.atom",  # the public site's Atom feed (publication.urls_public)
    "textsearch_fts.rowid",  # an SQL column textsearch.search joins on
}

# What the readers matched before the registry (frozen copies, so that a change shows here).
OLD_PUBLIC_CODES = {
    *("suggestion.created", "suggestion.updated", "suggestion.submitted", "suggestion.accepted"),
    *("suggestion.returned", "suggestion.declined", "suggestion.merged", "suggestion.merged_in"),
    *("suggestion.withdrawn", "suggestion.forwarded", "suggestion.assigned", "suggestion.reassigning"),
    *("suggestion.replied", "suggestion.evaluated", "suggestion.no_feedback"),
    *("suggestion.rehandling_ordered", "suggestion.coordination_recorded", "suggestion.closed"),
    *("cosigner.invited", "cosigner.confirmed", "cosigner.declined", "cosigner.revoked", "cosigner.lapsed"),
    *("withdrawal.requested", "withdrawal.agreed", "withdrawal.refused", "withdrawal.lapsed"),
    *("assignment.created", "contact.logged", "contact.confirmed", "contact.disputed"),
    *("reply.signed_off", "extension.approved", "evaluation.recorded"),
    *("commitment.progress_reported", "commitment.fulfilled", "commitment.explained"),
    # issue #14: the clerk's publication decisions are part of the suggestion's public history
    *("publication.published", "publication.withheld", "publication.retracted"),
}
OLD_TIMELINE_LABELS_EN = {  # the suggestion page's TIMELINE_LABELS, in English
    "suggestion.returned": "Returned for revision",
    "suggestion.declined": "Declined (not accepted)",
    "suggestion.accepted": "Accept",
    "assignment.signed": "Sign for receipt",
    "reply.sent_back": "Send back reply",
    "attachment.added": "Upload attachments",
}
OLD_HISTORY_LABELS = {  # the intake opinion page's HISTORY_LABELS
    "intake.opinion.recorded": "登记",
    "intake.opinion.referred": "交代表处理",
    "intake.opinion.answered": "当场答复",
    "intake.opinion.forwarded": "转办单位",
    "intake.opinion.unit_answered": "单位答复",
    "intake.opinion.returned": "单位退回",
    "intake.opinion.merged": "合并到其他意见",
    "intake.opinion.adopted": "形成代表建议",
    "intake.opinion.notified": "短信告知反映人",
}
OLD_POINTS_SOURCES = {
    "suggestions": {"suggestion.accepted", "suggestion.evaluated", "suggestion.no_feedback"},
    "key_themes": {"theme.suggestion_added", "theme.suggestion_removed"},
    "intake": {"intake.event.recorded", "intake.event.updated", "intake.duty_day.recorded"},
}


def _literals() -> dict[str, set[str]]:
    """Every string constant of minyi/ (migrations and the registry itself aside) that looks like
    a code, with the files it occurs in."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "minyi").rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel or rel == "minyi/audit/events.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CODE_LIKE.match(node.value):
                found.setdefault(node.value, set()).add(rel)
    return found


# --- record() refuses what is not declared ---------------------------------------------------------


def test_record_refuses_an_undeclared_code(db):
    with pytest.raises(E.UndeclaredEventCode, match="not declared"), transaction.atomic():
        audit.record("suggestion.teleported", actor=None)
    assert not AuditEvent.objects.exists()


def test_record_accepts_a_declared_code(db):
    with transaction.atomic():
        event = audit.record("calendar.seeded", actor=None, new={"years": [2026]})
    assert event.code == "calendar.seeded" and AuditEvent.objects.count() == 1


def test_record_refuses_a_suggestion_on_a_type_no_timeline_shows(loop):  # noqa: F811
    s = loop.drive.to("submitted")
    before = AuditEvent.objects.count()
    with pytest.raises(E.EventCodeError, match="no timeline"), transaction.atomic():
        audit.record("export.requested", actor=None, congress=s.congress, suggestion=s)
    assert AuditEvent.objects.count() == before


def test_get_names_the_registry_for_an_undeclared_code():
    with pytest.raises(E.UndeclaredEventCode, match="minyi/audit/events.py"):
        E.get("nope.nothing")
    assert E.label_of("nope.nothing") == "nope.nothing"


# --- every code is declared, every declared code is used -----------------------------------------


def test_every_code_written_in_minyi_is_declared():
    """A string in minyi/ that looks like a code is a declared event type, a permission name or
    one of the few known non-codes: a new `audit.record("x.y", …)` fails here until declared."""
    from django.apps import apps

    import minyi.reports.rules_exports  # noqa: F401 - registers its permission names

    model_labels = {m._meta.label_lower for m in apps.get_models()}
    undeclared = {
        literal: sorted(files)
        for literal, files in _literals().items()
        if literal not in E.BY_CODE
        and not rules.perm_exists(literal)
        and literal not in model_labels
        and literal not in NOT_CODES
        and not literal.startswith("minyi.")  # module paths
    }
    assert undeclared == {}


def test_every_declared_code_is_used_or_legacy():
    literals = _literals()
    unused = [t.code for t in E.TYPES if not t.legacy and t.code not in literals]
    assert unused == []


def test_codes_are_unique_and_well_formed():
    assert len(E.BY_CODE) == len(E.TYPES)
    assert all(CODE_LIKE.match(t.code) and len(t.code) <= 64 for t in E.TYPES)


def test_every_label_has_its_english():
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for t in E.TYPES:
        with translation.override("zh-hans"):
            chinese = str(t.label)
        with translation.override("en"):
            english = str(t.label)
        assert cjk.search(chinese), t.code
        assert english and not cjk.search(english), t.code


# --- the readers get what they matched before -----------------------------------------------------


def test_timeline_visibility_is_what_the_timeline_filtered_before():
    from minyi.suggestions import selectors

    assert E.public_codes() == OLD_PUBLIC_CODES
    assert selectors.PUBLIC_CODES == OLD_PUBLIC_CODES
    # the suggestion's own attachments: before, `code__startswith="attachment."`
    assert E.own_codes() == {c for c in E.BY_CODE if c.startswith("attachment.")}


def test_timeline_labels_are_the_labels_shown_before():
    from minyi.intake.views import audit_events as intake_labels

    with translation.override("en"):
        assert {c: E.label_of(c) for c in OLD_TIMELINE_LABELS_EN} == OLD_TIMELINE_LABELS_EN
    with translation.override("zh-hans"):
        assert {c: intake_labels.label_of(c) for c in OLD_HISTORY_LABELS} == OLD_HISTORY_LABELS


def test_points_ledger_reads_the_codes_it_read_before():
    from minyi.points.events import EVENT_BY_CODE
    from minyi.points.sources import SOURCES, feeds

    for source, codes in OLD_POINTS_SOURCES.items():
        assert set(E.codes_feeding(source)) == codes
    fed = [t for t in E.TYPES if t.points]
    assert {t.points.source for t in fed} <= set(SOURCES)  # type: ignore[union-attr]
    assert {t.points.event for t in fed} <= set(EVENT_BY_CODE)  # type: ignore[union-attr]
    assert feeds("suggestion.accepted") == "suggestion_accepted"
    assert feeds("intake.duty_day.recorded") == "duty_day"
    assert feeds("suggestion.submitted") == ""
    assert [t.code for t in fed if t.points.ends] == ["theme.suggestion_removed"]  # type: ignore[union-attr]


def test_read_and_account_flags_are_what_the_figures_excluded_before():
    assert READ_CODES == ("export.requested", "export.downloaded", "file.downloaded")
    assert all(E.get(c).timeline is E.Timeline.NONE for c in READ_CODES)
    # audit.models.SHARED_DATA (an index condition) leaves out `code__startswith="account."`
    assert {t.code for t in E.TYPES if t.account} == {c for c in E.BY_CODE if c.startswith("account.")}


def test_notification_rules_read_declared_codes_tied_to_suggestions():
    from minyi.notifications.scan import EVENT_RULES, EventRule

    assert EVENT_RULES
    for rule in EVENT_RULES:
        assert E.get(rule.code).timeline is not E.Timeline.NONE
    first = EVENT_RULES[0]
    with pytest.raises(E.UndeclaredEventCode):
        EventRule("x", "suggestion.teleported", first.audience, first.kind, first.prefix, first.body)
    with pytest.raises(E.EventCodeError, match="tied to no suggestion"):
        EventRule("x", "export.requested", first.audience, first.kind, first.prefix, first.body)
