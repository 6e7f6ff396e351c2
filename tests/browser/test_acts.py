"""Acts where people look for them (issue #12), in a real browser: the inspector registers a leader's
批示 from the suggestion page's 督办 box; the clerk closes two suggestions at once through the
selection, the confirmation page (nothing changes yet) and the per-item result; anyone who may
open a suggestion prints it (A4 print view). Screenshots under
test-artifacts/screenshots/test_acts/."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from minyi.audit.models import AuditEvent
from minyi.suggestions.models import Suggestion
from minyi.suggestions.states import SuggestionState
from minyi.supervision.models import Instruction
from tests.suggestions.conftest import loop  # noqa: F401 - the fixture, used by name

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_inspector_registers_an_instruction_from_the_suggestion_page(daytime, loop, page, login, shot):  # noqa: F811
    s = loop.drive.to("assigned", title="关于整治背街小巷路面的建议")
    login(page, "inspector")
    page.goto(f"/c/alpha/suggestions/{s.pk}/")
    box = page.locator("#supervise")
    expect(box).to_be_visible()
    expect(box.locator("[data-sv=record]")).to_be_visible()
    box.locator("#instruction-quick summary").click()
    box.locator("#iq-leader").fill("王区长")
    box.locator("#iq-title").fill("副区长")
    box.locator("#iq-text").fill("请区住建局抓紧研究，一个月内报告落实情况。")
    shot(page, "instruction-form")
    with page.expect_navigation():
        box.locator("[data-sv=instruction]").click()
    expect(page.locator(".alert-success")).to_contain_text("领导批示已登记")
    assert page.url.endswith(f"/c/alpha/suggestions/{s.pk}/#supervise")
    shot(page, "instruction-registered")
    instruction = Instruction.objects.get(suggestion=s)
    assert instruction.leader_name == "王区长"
    assert AuditEvent.objects.filter(code="instruction.recorded").count() == 1


def test_clerk_closes_two_suggestions_with_confirmation(daytime, loop, page, login, shot):  # noqa: F811
    chosen = [loop.drive.to("evaluated", title=f"已测评的建议之{n}") for n in ("一", "二")]
    left = loop.drive.to("evaluated", title="留待以后办结的建议")
    login(page, "clerk")
    page.goto("/c/alpha/suggestions/todo/")
    with page.expect_navigation():
        page.locator("[data-bulk=close]").click()
    for s in chosen:
        page.locator(f"#bulk-{s.pk}").check()
    shot(page, "select")
    with page.expect_navigation():
        page.locator("[data-action=bulk-next]").click()
    expect(page.locator("#bulk-items tr[data-pk]")).to_have_count(2)
    expect(page.locator("#bulk-confirm-note")).to_contain_text("确认前不会有任何改变")
    shot(page, "confirm")
    assert all(Suggestion.objects.get(pk=s.pk).state == SuggestionState.EVALUATED for s in chosen)
    with page.expect_navigation():
        page.locator("[data-action=bulk-confirm]").click()
    expect(page.locator("#bulk-results tr[data-status=done]")).to_have_count(2)
    expect(page.locator("#bulk-summary")).to_contain_text("已办理 2 项")
    shot(page, "result")
    assert all(Suggestion.objects.get(pk=s.pk).state == SuggestionState.CLOSED for s in chosen)
    assert Suggestion.objects.get(pk=left.pk).state == SuggestionState.EVALUATED
    assert AuditEvent.objects.filter(code="suggestion.closed").count() == 2


def test_a_deputy_prints_their_suggestion(daytime, loop, page, login, shot):  # noqa: F811
    s = loop.drive.to("replied", title="关于增设社区养老服务站的建议")
    login(page, "deputy")
    page.goto(f"/c/alpha/suggestions/{s.pk}/")
    with page.expect_navigation():
        page.locator("[data-print-link]").click()
    article = page.locator("#suggestion-print")
    expect(article.locator("h1")).to_have_text("关于增设社区养老服务站的建议")
    expect(article).to_contain_text(s.number)
    expect(article).to_contain_text("甲区住房和城乡建设局")
    expect(page.locator("[data-print]")).to_be_visible()
    shot(page, "print-screen")
    page.emulate_media(media="print")
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("[data-print]")).to_be_hidden()
    shot(page, "print-media")
