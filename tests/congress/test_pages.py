"""The congress administration pages as people use them: forms that save through the actions, clear
messages for bad input, confirmations before irreversible steps, what each role sees."""

import datetime
import re

import pytest
from django.urls import reverse

from minyi.accounts.models import Membership, Role, User
from minyi.audit.models import AuditEvent
from minyi.congress.models import Category, Deputy, Unit
from tests.factories import DeputyFactory

from .support import last_seq, only_event_after


def url(name, *args, code="alpha"):
    return reverse(f"congress:{name}", args=[code, *args])


def html(response):
    return response.content.decode()


def errors_of(response):
    return re.findall(r'<div class="invalid-feedback d-block">([^<]*)</div>', html(response))


# --- dashboard and navigation ------------------------------------------------------------------------


def test_admin_dashboard_offers_every_management_task(client, world):
    client.force_login(world.admin)
    page = html(client.get(url("dashboard")))
    for target in ("deputies", "units", "stations", "terms", "policy", "members"):
        assert f'href="{url(target)}"' in page, target
    assert 'href="roster/"' in page
    # the nav offers the same
    assert f'href="{url("members")}"' in page.split("</nav>")[0]


def test_clerk_dashboard_has_roster_but_no_policy_editing_or_members(client, world):
    client.force_login(world.clerk)
    page = html(client.get(url("dashboard")))
    assert f'href="{url("deputies")}"' in page and 'href="roster/"' in page
    assert url("members") not in page


def test_deputy_dashboard_links_to_own_record_and_is_honest_about_suggestions(client, world):
    client.force_login(world.deputy)
    page = html(client.get(url("dashboard")))
    own = Deputy.objects.get(user=world.deputy)
    assert url("deputy_detail", own.pk) in page
    assert "我的建议" in page and reverse("suggestions:create", args=["alpha"]) in page
    assert url("members") not in page and "roster/" not in page and url("deputy_create") not in page


def test_unit_and_station_staff_see_their_unit_or_station(client, world):
    client.force_login(world.handler_a)
    assert url("unit_detail", world.unit_a.pk) in html(client.get(url("dashboard")))
    client.force_login(world.liaison)
    station = Membership.objects.get(user=world.liaison).station
    assert url("station_detail", station.pk) in html(client.get(url("dashboard")))


def test_viewer_nav_and_dashboard_offer_reading_only(client, world):
    client.force_login(world.viewer)
    page = html(client.get(url("dashboard")))
    assert url("deputies") in page and url("policy") in page
    for hidden in ("members", "deputy_create", "unit_create", "policy_edit"):
        assert url(hidden) not in page, hidden
    assert "roster/" not in page


def test_home_redirects_a_one_congress_user_to_the_dashboard(client, world):
    client.force_login(world.clerk)
    response = client.get(reverse("core:home"), follow=True)
    assert response.redirect_chain[-1][0] == url("dashboard")
    assert response.status_code == 200


# --- deputies ----------------------------------------------------------------------------------------


def test_deputy_list_filters_and_searches(client, world, alpha):
    DeputyFactory(
        congress=world.congress, name="退任代表", number="A900", in_office_to=datetime.date(2023, 1, 1)
    )
    DeputyFactory(congress=world.congress, name="市代表", number="A901", level=Deputy.Level.CITY)
    client.force_login(world.viewer)

    def names(**params):
        return set(re.findall(r'/deputies/\d+/">([^<]+)</a>', html(client.get(url("deputies"), params))))

    assert names() == {"领衔代表", "联名代表", "甲代表", "退任代表", "市代表"}
    assert names(q="A90") == {"退任代表", "市代表"}
    assert names(q="甲") == {"甲代表"}
    assert names(group=alpha.group.pk) == {"甲代表"}
    assert names(in_office="no") == {"退任代表"}
    assert "退任代表" not in names(in_office="yes")
    assert names(level="city") == {"市代表"}
    assert names(group="999999") >= {"甲代表"}  # a bad filter value is ignored, not an error page


def test_deputy_list_shows_phones_only_to_staff(client, world, alpha):
    client.force_login(world.viewer)
    assert "13800000000" not in html(client.get(url("deputies")))
    client.force_login(world.clerk)
    assert "13800000000" in html(client.get(url("deputies")))


def test_deputy_roster_exports_as_the_list_shows_it(client, world, alpha):
    """代表名册 as Excel: the list's filters, every page; the phone column only for staff; audited;
    404 outside the congress."""
    import io

    import openpyxl

    DeputyFactory(congress=world.congress, name="=市代表", number="A901", level=Deputy.Level.CITY)

    def rows(user, **params):
        client.force_login(user)
        response = client.get(url("deputies"), {**params, "format": "xlsx"})
        assert response.status_code == 200
        return [
            list(r)
            for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
        ]

    client.force_login(world.viewer)
    assert "format=xlsx" in html(client.get(url("deputies")))  # the page links its export
    since = last_seq()
    viewer = rows(world.viewer)
    assert viewer[0] == ["代表证号", "姓名", "代表小组", "代表层级", "在任", "账号"]  # no phone column
    assert {r[1] for r in viewer[1:]} == {"领衔代表", "联名代表", "甲代表", "=市代表"}
    assert "13800000000" not in str(viewer)
    exported = AuditEvent.objects.filter(seq__gt=since, code="export.downloaded").get()
    assert (exported.actor, exported.new) == (world.viewer, {"list": "deputies", "rows": 4})
    clerk = rows(world.clerk, q="A901")
    assert clerk[0] == ["代表证号", "姓名", "代表小组", "代表层级", "在任", "联系电话", "账号"]
    assert [r[:2] for r in clerk[1:]] == [["A901", "=市代表"]]  # the filter applies; the formula is text
    assert "13800000000" in str(rows(world.clerk))
    client.force_login(world.outsider)
    assert client.get(url("deputies"), {"format": "xlsx"}).status_code == 404


@pytest.mark.parametrize(
    ("who", "sees"), [("admin", True), ("clerk", True), ("viewer", False), ("cosigner", False)]
)
def test_deputy_contact_details_are_for_staff(client, world, alpha, who, sees):
    client.force_login(getattr(world, who))
    page = html(client.get(url("deputy_detail", alpha.deputy.pk)))
    assert ("13800000000" in page) is sees
    assert "甲第一代表小组" in page and "2022-01-01" in page


def test_a_deputy_sees_their_own_contact_details(client, world):
    own = Deputy.objects.get(user=world.deputy)
    own.phone = "13711112222"
    own.save()
    other = Deputy.objects.get(user=world.cosigner)
    other.phone = "13733334444"
    other.save()
    client.force_login(world.deputy)
    assert "13711112222" in html(client.get(url("deputy_detail", own.pk)))
    assert "13733334444" not in html(client.get(url("deputy_detail", other.pk)))


def test_create_deputy_through_the_form(client, world, alpha):
    client.force_login(world.clerk)
    seq = last_seq()
    response = client.post(
        url("deputy_create"),
        {
            "name": "新代表",
            "number": "A300",
            "level": "county",
            "group": alpha.group.pk,
            "in_office_from": "2024-03-01",
            "phone": "13600000000",
        },
    )
    deputy = Deputy.objects.get(number="A300")
    assert response.status_code == 302 and response.url == url("deputy_detail", deputy.pk)
    assert only_event_after(seq).code == "deputy.created"
    assert "已添加代表" in html(client.get(response.url))


def test_deputy_form_explains_what_is_wrong(client, world, alpha):
    client.force_login(world.admin)
    response = client.post(
        url("deputy_create"),
        {
            "name": "",
            "number": "甲-001",
            "level": "county",
            "in_office_from": "2024-03-01",
            "in_office_to": "2024-01-01",
            "phone": "123",
        },
    )
    assert response.status_code == 422
    errors = errors_of(response)
    assert "任职终止日期不能早于任职起始日期。" in errors
    assert any("手机号码" in e for e in errors)
    assert "保存失败" in html(response)
    # the action's own checks come back next to the field too
    response = client.post(
        url("deputy_create"),
        {"name": "重号", "number": "甲-001", "level": "county", "in_office_from": "2024-03-01"},
    )
    assert response.status_code == 422
    assert "代表证号 甲-001 已被 甲代表 使用。" in errors_of(response)
    assert "is-invalid" in html(response)


def test_deputy_form_offers_only_this_congress_groups_and_accounts(client, world, alpha, beta):
    client.force_login(world.admin)
    page = html(client.get(url("deputy_edit", alpha.deputy.pk)))
    assert "甲第一代表小组" in page and "乙第一代表小组" not in page
    assert "outsider" not in page
    # the deputy account already linked to another deputy is not offered
    assert "（deputy）" not in page
    response = client.post(
        url("deputy_edit", alpha.deputy.pk),
        {
            "name": "甲代表",
            "number": "甲-001",
            "level": "county",
            "in_office_from": "2022-01-01",
            "group": beta.group.pk,
        },
    )
    assert response.status_code == 422
    alpha.deputy.refresh_from_db()
    assert alpha.deputy.group == alpha.group


# --- units -------------------------------------------------------------------------------------------


def test_unit_tree_lists_bodies_first_with_children_indented(client, world):
    Unit.objects.create(congress=world.congress, name="甲区人民法院", kind="body", body_code="court")
    client.force_login(world.viewer)
    page = html(client.get(url("units")))
    order = [
        page.index(name) for name in ("甲区人民政府", "甲区住房和城乡建设局", "甲区教育局", "甲区人民法院")
    ]
    assert order == sorted(order)
    assert re.search(r'tree-depth-1">\s*\s*<a href="[^"]+">甲区住房和城乡建设局', page)


def test_unit_form_parent_choices_exclude_itself_its_subtree_and_other_congresses(client, world, beta):
    child = Unit.objects.create(congress=world.congress, name="住建局下属中心", parent=world.unit_a)
    client.force_login(world.admin)
    page = html(client.get(url("unit_edit", world.unit_a.pk)))
    parent_select = page.split('name="parent"')[1].split("</select>")[0]
    assert "甲区人民政府" in parent_select and "甲区教育局" in parent_select
    assert "住建局下属中心" not in parent_select and "甲区住房和城乡建设局" not in parent_select
    assert "乙民政局" not in parent_select
    response = client.post(
        url("unit_edit", world.unit_a.pk),
        {"name": world.unit_a.name, "kind": "department", "parent": child.pk, "order": 0, "active": "on"},
    )
    assert response.status_code == 422
    response = client.post(
        url("unit_edit", world.unit_a.pk),
        {"name": world.unit_a.name, "kind": "department", "parent": beta.unit.pk, "order": 0, "active": "on"},
    )
    assert response.status_code == 422
    world.unit_a.refresh_from_db()
    assert world.unit_a.parent == world.gov


def test_a_unit_below_an_inactive_parent_can_still_be_edited(client, world):
    from minyi.congress.actions import do_update_unit

    child = Unit.objects.create(
        congress=world.congress, name="教育局下属中心", parent=world.unit_b, active=False
    )
    do_update_unit(world.unit_b, actor=world.admin, changes={"active": False})
    client.force_login(world.admin)
    page = html(client.get(url("unit_edit", child.pk)))
    assert "甲区教育局（已停用）" in page
    response = client.post(
        url("unit_edit", child.pk),
        {"name": "教育局下属服务中心", "kind": "department", "parent": world.unit_b.pk, "order": 0},
    )
    assert response.status_code == 302
    child.refresh_from_db()
    assert child.name == "教育局下属服务中心" and child.parent == world.unit_b
    # but it cannot be switched on while its parent is off
    response = client.post(
        url("unit_edit", child.pk),
        {"name": child.name, "kind": "department", "parent": world.unit_b.pk, "order": 0, "active": "on"},
    )
    assert response.status_code == 422 and "上级单位“甲区教育局”已停用" in html(response)


def test_unit_form_messages_for_bodies_and_departments(client, world):
    client.force_login(world.admin)
    response = client.post(
        url("unit_create"), {"name": "新部门", "kind": "department", "order": 0, "active": "on"}
    )
    assert response.status_code == 422
    assert "请选择上级单位：部门、镇（街道）等须挂在某个机关或单位之下。" in errors_of(response)
    response = client.post(
        url("unit_create"),
        {"name": "新机关", "kind": "body", "parent": world.gov.pk, "order": 0, "active": "on"},
    )
    assert "请选择机关类别：人民政府、监察委员会、人民法院或人民检察院。" in errors_of(response)
    assert "机关（一府一委两院）是单位树的最上层，不能有上级单位。" in errors_of(response)
    response = client.post(
        url("unit_create"),
        {"name": "新部门", "kind": "department", "parent": world.unit_a.pk, "order": 0, "active": "on"},
    )
    assert response.status_code == 302
    assert Unit.objects.get(name="新部门").body == world.gov


def test_deactivate_a_unit_asks_first_and_refuses_with_active_children(client, world):
    client.force_login(world.admin)
    page = html(client.get(url("unit_detail", world.unit_b.pk)))
    assert 'data-confirm="确定停用“甲区教育局”吗？' in page
    response = client.post(url("unit_set_active", world.unit_b.pk), {"active": "0"}, follow=True)
    world.unit_b.refresh_from_db()
    assert not world.unit_b.active and "已停用“甲区教育局”" in html(response)
    response = client.post(url("unit_set_active", world.gov.pk), {"active": "0"}, follow=True)
    world.gov.refresh_from_db()
    assert world.gov.active and "请先停用其下级单位：甲区住房和城乡建设局。" in html(response)


# --- policy ------------------------------------------------------------------------------------------


def policy_post(policy, **changes):
    data = {}
    for name in policy.EDITABLE:
        value = getattr(policy, name)
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        elif isinstance(value, datetime.time):
            data[name] = value.strftime("%H:%M")
        else:
            data[name] = value
    data.update(changes)
    return data


def test_policy_form_has_every_editable_field_in_the_five_sections(client, world):
    client.force_login(world.admin)
    page = html(client.get(url("policy_edit")))
    for section in ("时限", "预警", "编号", "办结与测评", "免打扰"):
        assert f">{section}</legend>" in page
    for name in world.congress.policy.EDITABLE:
        assert f'name="{name}"' in page, name
    assert "data-confirm=" in page


def test_policy_edit_explains_the_reply_limits(client, world):
    client.force_login(world.admin)
    policy = world.congress.policy
    response = client.post(url("policy_edit"), policy_post(policy, reply_months=3, reply_statutory_months=2))
    assert response.status_code == 422
    assert "答复时限（本地目标 3 个月）不能超过法定答复时限（2 个月）。" in errors_of(response)
    response = client.post(url("policy_edit"), policy_post(policy, reply_max_months=2))
    assert "延期后最长答复时限（2 个月）不能短于法定答复时限（3 个月）。" in errors_of(response)
    response = client.post(url("policy_edit"), policy_post(policy, numbering_format="{short}{year}"))
    assert "编号格式必须包含年度序号 {seq}，否则编号会重复。" in errors_of(response)
    policy.refresh_from_db()
    assert (policy.reply_months, policy.reply_max_months) == (1, 6)
    assert not AuditEvent.objects.filter(code="policy.updated").exists()


def test_policy_edit_is_saved_audited_and_shown_in_the_history(client, world):
    client.force_login(world.admin)
    policy = world.congress.policy
    response = client.post(
        url("policy_edit"),
        policy_post(policy, review_days=5, contact_required="", completion_definition="closed_satisfied"),
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(code="policy.updated")
    assert event.old == {"review_days": 3, "contact_required": True, "completion_definition": "closed"}
    assert event.new == {
        "review_days": 5,
        "contact_required": False,
        "completion_definition": "closed_satisfied",
    }
    client.force_login(world.viewer)  # every member may read the rules and their history
    page = html(client.get(url("policy")))
    history = page.split('id="history"')[1]
    assert "审查时限（工作日）：" in history and ">3</span> → <strong>5</strong>" in history
    assert ">是</span> → <strong>否</strong>" in history
    assert "已办结（工委确认办结）</span> → <strong>已办结且代表满意或基本满意</strong>" in history
    assert "admin" in history


def test_policy_page_shows_a_numbering_example(client, world):
    from django.utils import timezone

    client.force_login(world.deputy)
    assert f"甲区〔{timezone.localdate().year}〕第12号" in html(client.get(url("policy")))


def test_policy_history_shows_only_this_congress(client, world):
    from minyi.congress.actions import do_update_policy

    do_update_policy(world.other_congress.policy, actor=world.outsider, changes={"review_days": 7})
    client.force_login(world.admin)
    assert "规则尚未修改过" in html(client.get(url("policy")))


# --- taxonomies --------------------------------------------------------------------------------------


def test_taxonomy_add_reorder_and_deactivate_through_the_pages(client, world, alpha):
    client.force_login(world.admin)
    assert (
        client.post(url("taxonomy_create", "categories"), {"name": "教育", "active": "on"}).status_code == 302
    )
    response = client.post(url("taxonomy_create", "categories"), {"name": "教育", "active": "on"})
    assert response.status_code == 422 and "已有名为“教育”的条目。" in errors_of(response)
    education = Category.objects.get(congress=world.congress, name="教育")
    client.post(url("taxonomy_move", "categories", education.pk), {"direction": "up"})
    page = html(client.get(url("taxonomy", "categories")))
    assert page.index("教育") < page.index("甲城乡建设")
    assert 'data-confirm="确定停用“教育”吗？' in page
    client.post(url("taxonomy_set_active", "categories", education.pk), {"active": "0"})
    education.refresh_from_db()
    assert not education.active
    response = client.post(url("taxonomy_move", "categories", education.pk), {"direction": "up"}, follow=True)
    assert "已经在最前面了。" in html(response)


def test_result_classes_and_channels_show_their_flags(client, world, alpha):
    client.force_login(world.admin)
    response = client.post(
        url("taxonomy_create", "results"),
        {
            "code": "B",
            "name": "正在解决",
            "counts_as_resolved": "on",
            "requires_commitments": "on",
            "active": "on",
        },
    )
    assert response.status_code == 302
    page = html(client.get(url("taxonomy", "results")))
    assert "<strong>B</strong>" in page and "计入解决率" in page and "须填写承诺事项" in page
    form = html(client.get(url("taxonomy_create", "channels")))
    assert 'name="grassroots"' in form and 'name="code"' not in form


# --- members -----------------------------------------------------------------------------------------


def test_grant_a_role_to_a_new_account(client, world, alpha):
    client.force_login(world.admin)
    seq = last_seq()
    response = client.post(
        url("member_grant"),
        {
            "account": "new",
            "username": "wangwu",
            "full_name": "王五",
            "password": "Min-Yi-2026!",
            "role": "unit_handler",
            "unit": world.unit_b.pk,
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="wangwu")
    assert Membership.objects.get(user=user).unit == world.unit_b
    created, granted = AuditEvent.objects.filter(seq__gt=seq).order_by("seq")
    assert (created.code, granted.code) == ("user.created", "membership.granted")
    assert created.correlation_id == granted.correlation_id  # one user action, one correlation id
    page = html(client.get(url("members")))
    assert "王五" in page and "甲区教育局" in page


def test_grant_form_messages(client, world, alpha, beta):
    client.force_login(world.admin)
    response = client.post(
        url("member_grant"), {"account": "existing", "username": "nobody", "role": "viewer"}
    )
    assert response.status_code == 422
    assert "在本人大找不到用户名为“nobody”的账号。如需新建，请选择“新建账号”。" in errors_of(response)
    response = client.post(
        url("member_grant"), {"account": "existing", "username": "viewer", "role": "unit_clerk"}
    )
    assert "该角色须选择所在单位。" in errors_of(response)
    response = client.post(
        url("member_grant"),
        {"account": "existing", "username": "viewer", "role": "unit_clerk", "unit": beta.unit.pk},
    )
    assert (
        response.status_code == 422
        and not Membership.objects.filter(user=world.viewer, role="unit_clerk").exists()
    )
    response = client.post(
        url("member_grant"), {"account": "existing", "username": "viewer", "role": "viewer"}
    )
    assert response.status_code == 422 and "viewer 已经拥有这个角色。" in html(response)
    response = client.post(
        url("member_grant"),
        {
            "account": "new",
            "username": "admin",
            "role": "viewer",
            "full_name": "重名",
            "password": "Min-Yi-2026!",
        },
    )
    assert "用户名“admin”已被使用，请换一个，或选择“已有账号”。" in errors_of(response)
    response = client.post(url("member_grant"), {"account": "new", "username": "zhao", "role": "viewer"})
    assert {"新建账号须填写姓名。", "新建账号须设置初始密码。"} <= set(errors_of(response))
    assert not User.objects.filter(username="zhao").exists()


def test_grant_an_existing_user_the_deputy_role_and_link_the_record(client, world, alpha):
    client.force_login(world.admin)
    response = client.post(
        url("member_grant"),
        {"account": "existing", "username": "judge", "role": "deputy", "deputy": alpha.deputy.pk},
    )
    assert response.status_code == 302
    alpha.deputy.refresh_from_db()
    assert alpha.deputy.user == world.judge


def test_revoke_asks_first_and_keeps_the_last_admin(client, world):
    client.force_login(world.admin)
    page = html(client.get(url("members")))
    assert 'data-confirm="确定撤销 viewer 的“查阅人员”角色吗？' in page
    viewer = Membership.objects.get(user=world.viewer)
    response = client.post(url("member_revoke", viewer.pk), follow=True)
    viewer.refresh_from_db()
    assert not viewer.active and "已撤销 viewer 的“查阅人员”角色。" in html(response)
    admin = Membership.objects.get(user=world.admin)
    response = client.post(url("member_revoke", admin.pk), follow=True)
    admin.refresh_from_db()
    assert admin.active and "这是本人大唯一的管理员，不能撤销。" in html(response)
    revoked = html(client.get(url("members"), {"revoked": "yes"}))
    assert "viewer" in revoked and "已撤销" in revoked


def test_members_list_search_and_role_filter(client, world):
    client.force_login(world.admin)

    def rows(**params):
        return html(client.get(url("members"), params)).split("<tbody>")[1].split("</tbody>")[0]

    page = rows(role=Role.UNIT_HANDLER)
    assert "handler_a" in page and "handler_b" in page and "judge" not in page
    page = rows(q="leader")
    assert "leader_a" in page and "handler_a" not in page
    assert "outsider" not in rows()


# --- groups, stations, terms -------------------------------------------------------------------------


def test_group_station_term_and_session_forms(client, world, alpha):
    client.force_login(world.clerk)
    assert client.post(url("group_create"), {"name": "新小组", "convener": "李"}).status_code == 302
    response = client.post(url("group_create"), {"name": "新小组"})
    assert "已有名为“新小组”的代表小组。" in errors_of(response)
    response = client.post(
        url("station_create"), {"name": "新站", "kind": "studio", "group": alpha.group.pk, "active": "on"}
    )
    assert response.status_code == 302
    assert client.post(url("term_create"), {"number": 19, "start_date": "2027-01-01"}).status_code == 302
    response = client.post(
        url("term_create"), {"number": 20, "start_date": "2027-01-01", "end_date": "2026-01-01"}
    )
    assert "届满日期不能早于起始日期。" in errors_of(response)
    response = client.post(
        url("session_create", alpha.term.pk),
        {"number": 2, "start_date": "2021-01-01", "end_date": "2021-01-03"},
    )
    assert "开幕日期不能早于本届起始日期（2022-01-01）。" in errors_of(response)
    response = client.post(
        url("session_create", alpha.term.pk),
        {"number": 2, "start_date": "2023-01-05", "end_date": "2023-01-07"},
    )
    assert response.status_code == 302
    page = html(client.get(url("terms")))
    assert "第19届" in page and "第2次会议" in page and "2023-01-05" in page


# --- registers as Excel (issue #12) ------------------------------------------------------------------


def _sheet(response) -> list[list]:
    import io

    import openpyxl

    assert response.status_code == 200, response.status_code
    return [
        list(r)
        for r in openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)
    ]


def test_units_stations_and_members_export_as_their_pages_list_them(client, world, alpha, beta):
    since = last_seq()
    client.force_login(world.viewer)
    for name in ("units", "stations"):
        assert "format=xlsx" in html(client.get(url(name))), name  # each page links its export
    units = _sheet(client.get(url("units"), {"format": "xlsx"}))
    assert units[0] == ["上级单位", "名称", "类型", "简称", "状态"]
    by_name = {r[1]: r for r in units[1:]}
    assert by_name["甲区住房和城乡建设局"][0] == "甲区人民政府" and by_name["甲民政局"][4] == "启用"
    assert "乙民政局" not in by_name  # another congress's unit
    searched = _sheet(client.get(url("units"), {"format": "xlsx", "q": "民政局"}))
    assert [r[1] for r in searched[1:]] == ["甲民政局"]  # the search applies
    stations = _sheet(client.get(url("stations"), {"format": "xlsx", "q": "中心"}))
    assert [r[:3] for r in stations[1:]] == [
        ["甲中心联络站", alpha.station.get_kind_display(), "甲第一代表小组"]
    ]
    # accounts and roles: the admin's page only
    assert client.get(url("members"), {"format": "xlsx"}).status_code == 404
    client.force_login(world.admin)
    members = _sheet(client.get(url("members"), {"format": "xlsx", "role": Role.UNIT_HANDLER}))
    assert members[0][:4] == ["姓名", "用户名", "角色", "单位或联络站"]
    assert {r[1] for r in members[1:]} == {"handler_a", "handler_b"}
    assert {r[3] for r in members[1:]} == {world.unit_a.name, world.unit_b.name}
    exported = AuditEvent.objects.filter(seq__gt=since, code="export.downloaded").order_by("seq")
    assert [e.new["list"] for e in exported] == ["units", "units", "stations", "members"]
    client.force_login(world.outsider)
    for name in ("units", "stations", "members"):
        assert client.get(url(name), {"format": "xlsx"}).status_code == 404, name
