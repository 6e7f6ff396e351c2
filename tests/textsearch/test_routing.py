"""Unit routing (issue #15): day one from the units' profiles, learning from past lead assignments,
the reasons, the units an actor may choose, the `route` command and the API endpoint."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from minyi.audit.models import AuditEvent
from minyi.congress.actions import do_update_unit
from minyi.congress.models import Unit
from minyi.suggestions import actions as A
from minyi.textsearch.routing import choosable_units, route
from tests.api.conftest import Api
from tests.factories import UnitFactory
from tests.suggestions.conftest import content

pytestmark = pytest.mark.django_db

DUTIES = {
    "甲区住房和城乡建设局": "房屋安全，物业管理，老旧小区改造，保障性住房，建筑市场与施工许可",
    "甲区教育局": "学前教育与幼儿园，义务教育，中小学校布局与校舍建设，招生入学，教师队伍，校园安全",
}


@pytest.fixture
def units(loop):
    w = loop.w
    for unit in (w.unit_a, w.unit_b):
        do_update_unit(unit, actor=w.admin, changes={"duties": DUTIES[unit.name]})
    city = UnitFactory(
        congress=w.congress,
        parent=w.gov,
        name="甲区城市管理局",
        short_name="区城管局",
        duties="市容市貌，环境卫生，生活垃圾分类，占道经营，违法建设查处",
    )
    traffic = UnitFactory(
        congress=w.congress,
        parent=w.gov,
        name="甲区交通运输局",
        short_name="区交通局",
        duties="公路建设与养护，农村公路，公交线路与站台，道路客运",
    )
    return {"housing": w.unit_a, "education": w.unit_b, "city": city, "traffic": traffic}


def _assigned(loop, title: str, unit: Unit, facts: str = ""):
    """A suggestion accepted and assigned by the clerk to `unit` as lead unit."""
    w = loop.w
    s = A.do_create_suggestion(
        w.congress, actor=w.deputy, content=content(loop.taxa, title=title, facts=facts or title)
    )
    s = A.do_submit_suggestion(s, actor=w.deputy)
    s = A.do_accept_suggestion(s, actor=w.clerk)
    A.do_assign_units(s, actor=w.clerk, lead_units=[unit])
    return s


# --- the duties field -------------------------------------------------------------------------------


def test_duties_are_edited_through_the_audited_unit_update(loop, units):
    event = AuditEvent.objects.filter(code="unit.updated", object_id=str(units["education"].pk)).latest("seq")
    assert "校舍" in (event.new or {}).get("duties", "")
    units["education"].refresh_from_db()
    assert "校舍" in units["education"].duties


def test_the_unit_edit_page_saves_the_duties(client, loop, units):
    w = loop.w
    client.force_login(w.admin)
    unit = units["city"]
    page = client.get(f"/c/alpha/units/{unit.pk}/edit/")
    assert page.status_code == 200
    assert "主要职责" in page.content.decode()
    form = {
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "body_code": "",
        "parent": w.gov.pk,
        "order": 0,
        "active": "on",
        "duties": "市容市貌，城市照明与路灯",
    }
    response = client.post(f"/c/alpha/units/{unit.pk}/edit/", form)
    assert response.status_code == 302, response.content.decode()[:2000]
    unit.refresh_from_db()
    assert unit.duties == "市容市貌，城市照明与路灯"
    assert AuditEvent.objects.filter(code="unit.updated", object_id=str(unit.pk), actor=w.admin).exists()


# --- routing ----------------------------------------------------------------------------------------


def test_day_one_a_school_text_goes_to_the_education_bureau(loop, units):
    routes = route(loop.w.congress, "关于新建一所小学解决入学难的建议", history=False)
    assert routes[0].unit_id == units["education"].pk
    assert len(routes) <= 3
    assert any("入学" in r or "小学" in r for r in routes[0].reasons[0:1])
    assert 0 < routes[0].score <= 1


def test_the_four_bodies_are_never_suggested(loop, units):
    w = loop.w
    do_update_unit(w.gov, actor=w.admin, changes={"duties": "学校 小学 入学 校舍"})
    names = [r.name for r in route(w.congress, "关于新建小学校舍的建议", top=10)]
    assert w.gov.name not in names


def test_nothing_in_common_suggests_nothing(loop, units):
    assert route(loop.w.congress, "关于天气的想法", history=False) == []
    assert route(loop.w.congress, "   ") == []


def test_it_learns_from_past_lead_assignments(loop, units):
    w = loop.w
    text = "关于维修东大街损坏路灯的建议"
    before = route(w.congress, text)
    assert not before or before[0].unit_id != units["city"].pk
    for street in ("人民路", "解放路", "滨河路"):
        _assigned(
            loop, f"关于{street}路灯不亮的建议", units["city"], facts=f"{street}多处路灯夜间不亮，行人不便。"
        )
    after = route(w.congress, text)
    assert after[0].unit_id == units["city"].pk
    assert any("件相似的往年建议由该单位主办" in r for r in after[0].reasons)
    assert "路灯不亮的建议》" in " ".join(after[0].reasons)
    # … and the day-one switch ignores that history
    day_one = route(w.congress, text, history=False)
    assert not day_one or day_one[0].unit_id != units["city"].pk


def test_the_suggestion_being_assigned_is_not_its_own_evidence(loop, units):
    s = _assigned(loop, "关于更换路灯的建议", units["city"])
    routes = route(loop.w.congress, s.title, exclude=s.pk)
    assert all("件相似" not in reason for r in routes for reason in r.reasons)


def test_a_coordinator_only_gets_units_of_their_body(loop, units):
    w = loop.w
    court = Unit.objects.create(
        congress=w.congress, name="甲区人民法院", kind=Unit.Kind.BODY, body_code=Unit.BodyCode.COURT
    )
    tribunal = UnitFactory(congress=w.congress, parent=court, name="甲区法院审判庭", duties="学校 小学 入学")
    allowed = choosable_units(w.coordinator, w.congress)
    assert allowed is not None and tribunal.pk not in allowed and units["education"].pk in allowed
    assert choosable_units(w.clerk, w.congress) is None
    assert choosable_units(w.deputy, w.congress) == set()
    names = [r.name for r in route(w.congress, "关于小学入学的建议", top=10, units=allowed)]
    assert tribunal.name not in names


def test_routing_is_per_congress(loop, units):
    w = loop.w
    UnitFactory(congress=w.other_congress, name="乙区教育局", duties="学校 小学 入学 幼儿园")
    names = {r.name for r in route(w.congress, "关于小学入学的建议", top=10)}
    assert "乙区教育局" not in names


# --- the command ------------------------------------------------------------------------------------


def test_route_command_json(loop, units):
    out = StringIO()
    call_command(
        "route", "--congress", "alpha", "--text", "关于幼儿园入园难的建议", "--top", "2", "--json", stdout=out
    )
    data = json.loads(out.getvalue())
    assert list(data) == ["units"]
    assert 1 <= len(data["units"]) <= 2
    first = data["units"][0]
    assert set(first) == {"name", "short_name", "score", "reasons"}
    assert first["name"] == "甲区教育局"
    assert isinstance(first["score"], float) and first["reasons"]


def test_route_command_table_and_errors(loop, units):
    out = StringIO()
    call_command("route", "--congress", "alpha", "--text", "关于幼儿园入园难的建议", stdout=out)
    assert "1. 甲区教育局" in out.getvalue()
    with pytest.raises(CommandError, match="no congress"):
        call_command("route", "--congress", "nope", "--text", "幼儿园")
    with pytest.raises(CommandError, match="empty"):
        call_command("route", "--congress", "alpha", "--text", "  ")
    with pytest.raises(CommandError, match="--top"):
        call_command("route", "--congress", "alpha", "--text", "幼儿园", "--top", "0")


# --- the API ----------------------------------------------------------------------------------------


def test_api_routing_for_those_who_assign(loop, units):
    w = loop.w
    api = Api()
    for user in (w.clerk, w.admin, w.coordinator):
        response = api.get(user, "/congresses/alpha/routing", {"text": "关于幼儿园入园难的建议", "top": 2})
        assert response.status_code == 200, (user, response.content)
        data = response.json()
        assert data["units"][0]["name"] == "甲区教育局"
        assert set(data["units"][0]) == {"name", "short_name", "score", "reasons"}
        assert len(data["units"]) <= 2


def test_api_routing_is_404_for_others(loop, units):
    w = loop.w
    api = Api()
    for user in (w.deputy, w.handler_a, w.viewer, w.outsider, None):
        response = api.get(user, "/congresses/alpha/routing", {"text": "幼儿园"})
        assert response.status_code in (401, 404), (user, response.status_code)
    assert api.get(w.clerk, "/congresses/beta/routing", {"text": "幼儿园"}).status_code == 404
    assert api.get(w.clerk, "/congresses/alpha/routing", {"text": ""}).status_code == 422


# --- the assignment page's panel --------------------------------------------------------------------


def test_the_assignment_page_loads_the_panel_and_the_panel_lists_units(client, loop, units):
    w = loop.w
    s = A.do_create_suggestion(
        w.congress, actor=w.deputy, content=content(loop.taxa, title="关于小学入学难的建议")
    )
    s = A.do_accept_suggestion(A.do_submit_suggestion(s, actor=w.deputy), actor=w.clerk)
    client.force_login(w.clerk)
    page = client.get(f"/c/alpha/suggestions/{s.pk}/assign/")
    assert page.status_code == 200
    assert f'hx-get="/c/alpha/search/route/{s.pk}/"' in page.content.decode()
    panel = client.get(f"/c/alpha/search/route/{s.pk}/")
    assert panel.status_code == 200
    html = panel.content.decode()
    assert f'data-route-lead="{units["education"].pk}"' in html and "甲区教育局" in html
    client.force_login(w.handler_a)
    assert client.get(f"/c/alpha/search/route/{s.pk}/").status_code == 404
