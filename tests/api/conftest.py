"""API test helpers: a JSON client per persona of the `world` fixture (tests/conftest.py), the
congress's taxonomies, and `Stage`, which takes a fresh suggestion to a named stage through the real
`do_*` actions (so audit rows, deadlines and timestamps agree with the state).

`api.get/post/put/patch(user, path, data)` call ``/api/v1`` + `path` as `user` (None: anonymous) and
return the response; ``A`` is ``/congresses/alpha`` of the world's congress.
"""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from minyi.accounts.models import Role
from minyi.audit.models import AuditEvent
from minyi.congress.models import Category, Channel, ExclusionReason, ResultClass, ThemeTag
from minyi.suggestions import actions as act
from minyi.suggestions.models import Assignment, AssignmentRole, Reply, Suggestion
from minyi.suggestions.states import AssignmentState
from tests.conftest import World
from tests.factories import MembershipFactory, UserFactory

PREFIX = "/api/v1"
A = "/congresses/alpha"
B = "/congresses/beta"


class Api:
    """One logged-in test client per user, JSON in and out."""

    def __init__(self) -> None:
        self._clients: dict[Any, Client] = {}

    def client(self, user) -> Client:
        key = user.pk if user is not None else None
        if key not in self._clients:
            client = Client()
            if user is not None:
                client.force_login(user)
            self._clients[key] = client
        return self._clients[key]

    def get(self, user, path: str, params: dict | None = None):
        return self.client(user).get(PREFIX + path, params or {})

    def _send(self, method: str, user, path: str, data: Any = None):
        client = self.client(user)
        body = json.dumps(data if data is not None else {}, default=str)
        return getattr(client, method)(PREFIX + path, body, content_type="application/json")

    def post(self, user, path: str, data: Any = None):
        return self._send("post", user, path, data)

    def put(self, user, path: str, data: Any = None):
        return self._send("put", user, path, data)

    def patch(self, user, path: str, data: Any = None):
        return self._send("patch", user, path, data)


@pytest.fixture
def api() -> Api:
    return Api()


def ok(response, status: int = 200) -> Any:
    """The JSON body of a response that must have `status`."""
    assert response.status_code == status, (response.status_code, response.content.decode()[:2000])
    return response.json()


def refused(response, status: int, code: str) -> dict:
    """A DomainError body: ``{"code", "detail"}`` with `status`."""
    body = ok(response, status)
    assert body["code"] == code, body
    assert body["detail"]
    return body


def not_found(response) -> None:
    assert response.status_code == 404, (response.status_code, response.content.decode()[:500])
    assert response.json() == {"detail": "Not Found"}


def invalid(response) -> list:
    """ninja's schema validation error: 422 with a list of problems."""
    body = ok(response, 422)
    assert isinstance(body["detail"], list) and body["detail"], body
    return body["detail"]


def codes(suggestion: Suggestion | int) -> list[str]:
    pk = suggestion if isinstance(suggestion, int) else suggestion.pk
    return list(AuditEvent.objects.filter(suggestion_id=pk).order_by("seq").values_list("code", flat=True))


@dataclass
class Taxa:
    category: Category
    theme: ThemeTag
    channel: Channel
    result_a: ResultClass
    result_b: ResultClass
    exclusion: ExclusionReason


def make_taxa(congress) -> Taxa:
    return Taxa(
        category=Category.objects.create(congress=congress, name="城乡建设"),
        theme=ThemeTag.objects.create(congress=congress, name="物业管理"),
        channel=Channel.objects.create(congress=congress, name="联络站接待选民", grassroots=True),
        result_a=ResultClass.objects.create(
            congress=congress, code="A", name="已解决或基本解决", counts_as_resolved=True
        ),
        result_b=ResultClass.objects.create(
            congress=congress, code="B", name="正在解决或列入计划解决", requires_commitments=True
        ),
        exclusion=ExclusionReason.objects.create(congress=congress, name="没有具体内容"),
    )


def content_json(taxa: Taxa, **overrides: Any) -> dict[str, Any]:
    """A complete suggestion body for the API."""
    data: dict[str, Any] = {
        "title": "关于加强老旧小区物业管理的建议",
        "facts": "多个老旧小区没有物业，环境脏乱。",
        "proposals": "建议由街道牵头引入物业服务。",
        "category_id": taxa.category.pk,
        "theme_tag_ids": [taxa.theme.pk],
        "channel_id": taxa.channel.pk,
        "collected_on": (timezone.localdate() - datetime.timedelta(days=3)).isoformat(),
    }
    data.update(overrides)
    return data


def content(taxa: Taxa, **overrides: Any) -> act.SuggestionContent:
    values: dict[str, Any] = {
        "title": "关于加强老旧小区物业管理的建议",
        "facts": "多个老旧小区没有物业，环境脏乱。",
        "proposals": "建议由街道牵头引入物业服务。",
        "category": taxa.category,
        "theme_tags": [taxa.theme],
        "channel": taxa.channel,
        "collected_on": timezone.localdate() - datetime.timedelta(days=3),
    }
    values.update(overrides)
    return act.SuggestionContent(**values)


class Stage:
    """Takes a new suggestion to a stage with the real actions: draft, submitted, accepted,
    forwarded, assigned (lead unit A; `co`: + co-unit B; `split`: A and B), signed, contacted,
    drafted, replied, evaluated (`overall`)."""

    ORDER = ["draft", "submitted", "accepted", "forwarded", "assigned", "signed", "contacted", "drafted"]
    ORDER += ["replied", "evaluated"]

    def __init__(self, w: World, taxa: Taxa, leader_b) -> None:
        self.w, self.taxa, self.leader_b = w, taxa, leader_b

    def handler(self, a: Assignment):
        return self.w.handler_a if a.unit_id == self.w.unit_a.pk else self.w.handler_b

    def leader(self, a: Assignment):
        return self.w.leader_a if a.unit_id == self.w.unit_a.pk else self.leader_b

    def current(self, s: Suggestion, *roles: str) -> list[Assignment]:
        qs = s.assignments.filter(round=s.round).exclude(state=AssignmentState.CANCELLED).order_by("id")
        return list(qs.filter(role__in=roles)) if roles else list(qs)

    def to(
        self,
        stage: str,
        *,
        cosign: bool = False,
        co: bool = False,
        split: bool = False,
        result: str = "A",
        overall: str = "satisfied",
        **overrides: Any,
    ) -> Suggestion:
        w, n = self.w, self.ORDER.index(stage)
        s = act.do_create_suggestion(w.congress, actor=w.deputy, content=content(self.taxa, **overrides))
        if cosign:
            invitation = act.do_invite_cosigner(s, actor=w.deputy, deputy=w.cosigner.deputy_records.get())
            act.do_confirm_cosign(invitation, actor=w.cosigner)
        steps = [
            lambda: act.do_submit_suggestion(s, actor=w.deputy),
            lambda: act.do_accept_suggestion(s, actor=w.clerk),
            lambda: act.do_forward_suggestion(s, actor=w.clerk, body=w.gov),
            lambda: act.do_assign_units(
                s,
                actor=w.coordinator,
                lead_units=[w.unit_a, w.unit_b] if split else [w.unit_a],
                co_units=[w.unit_b] if co else [],
                split=split,
            ),
            lambda: [act.do_sign_assignment(a, actor=self.handler(a)) for a in self.current(s)],
            lambda: self._contact_and_opinions(s),
            lambda: [self.draft(a, result=result) for a in self.current(s, "lead", "split")],
            lambda: [
                act.do_sign_off_reply(a, actor=self.leader(a)) for a in self.current(s, "lead", "split")
            ],
            lambda: self.evaluate(s, overall=overall),
        ]
        for step in steps[:n]:
            step()
            s.refresh_from_db()
        return s

    def _contact_and_opinions(self, s: Suggestion) -> None:
        for a in self.current(s, AssignmentRole.CO):
            act.do_submit_opinion(a, actor=self.handler(a), opinion="同意主办单位意见。")
        for a in self.current(s, "lead", "split"):
            act.do_log_contact(
                a,
                actor=self.handler(a),
                phase="before",
                method="visit",
                contacted_on=timezone.localdate(),
                people="承办人、代表",
                summary="上门听取代表意见。",
            )

    def draft(self, a: Assignment, *, result: str = "A") -> Reply:
        result_class = self.taxa.result_a if result == "A" else self.taxa.result_b
        commitments = []
        if result_class.requires_commitments:
            due = timezone.localdate() + datetime.timedelta(days=90)
            commitments = [act.CommitmentInput(text="年内完成改造", due_on=due)]
        return act.do_draft_reply(
            a,
            actor=self.handler(a),
            body="经研究，答复如下……",
            result_class=result_class,
            commitments=commitments,
        )

    def evaluate(self, s: Suggestion, *, overall: str = "satisfied") -> None:
        for reply in Reply.objects.filter(assignment__suggestion=s, assignment__round=s.round).order_by("id"):
            act.do_evaluate_reply(
                reply,
                actor=self.w.deputy,
                attitude="satisfied",
                result=overall,
                overall=overall,
                contact_happened=True,
                opinion="仍未解决" if overall == "unsatisfied" else "",
            )


@dataclass
class Setup:
    w: World
    taxa: Taxa
    leader_b: Any
    stage: Stage


@pytest.fixture
def setup(world) -> Setup:
    taxa = make_taxa(world.congress)
    leader_b = UserFactory(username="leader_b", full_name="leader_b")
    MembershipFactory(user=leader_b, congress=world.congress, role=Role.UNIT_LEADER, unit=world.unit_b)
    return Setup(w=world, taxa=taxa, leader_b=leader_b, stage=Stage(world, taxa, leader_b))
