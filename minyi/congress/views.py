"""The congress administration pages below /c/<code>/.

Every view goes through `congress_view(perm)`, which answers 404 to non-members and to members
without the permission (so pages and ids cannot be probed); objects are fetched with the
`selectors.get_*` helpers, which answer 404 for rows of another congress. Views validate input with
a form, call one `do_*` action, and turn its DomainError into messages next to the fields."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any, cast

import rules
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from minyi.accounts.models import STATION_ROLES, UNIT_ROLES, Role
from minyi.core.decorators import CongressRequest, congress_view
from minyi.core.kept_pages import kept_page
from minyi.core.list_export import MAX_ROWS, xlsx_download
from minyi.core.pages import act, form_page, paginate, query_without
from minyi.core.tenancy import memberships_of
from minyi.core.work import summary_for_request

from . import actions, selectors
from .forms import (
    POLICY_GROUPS,
    DeputyFilterForm,
    DeputyForm,
    GrantRoleForm,
    GroupForm,
    MemberFilterForm,
    PolicyForm,
    SearchForm,
    SessionForm,
    StationFilterForm,
    StationForm,
    TermForm,
    UnitFilterForm,
    UnitForm,
    taxonomy_form_class,
)
from .models import TAXONOMIES, Channel, Deputy, LiaisonStation, Policy, ResultClass, Unit

if TYPE_CHECKING:
    from django.db.models import Field, QuerySet

    from .selectors import RosterDeputy


PER_PAGE = 25


# --- helpers ---------------------------------------------------------------------------------------


def _url(name: str, request: CongressRequest, *args: Any) -> str:
    return reverse(f"congress:{name}", args=[request.congress.code, *args])


def _page(request: HttpRequest, items, per_page: int = PER_PAGE):
    return paginate(request, items, per_page)


def _querystring(request: HttpRequest) -> str:
    """The current filters, without the page number, for the pagination links."""
    return query_without(request, "page")


def _form_page(
    request: CongressRequest,
    form,
    template: str,
    context: dict[str, Any],
    save: Callable[[], Any],
    success: str,
    next_url: Callable[[Any], str],
) -> HttpResponse:
    """The house form page (`minyi.core.pages.form_page`): GET shows the form; POST validates,
    calls the action and goes on, else shows what is wrong with the one status policy."""
    return form_page(
        request,
        form,
        run=lambda data: save(),
        success=success,
        next=next_url,
        page=lambda status: _render(request, template, {"form": form, **context}, status),
    )


def _values(form) -> dict[str, Any]:
    """What a record form sends to its action: the cleaned value of each of its fields (a record
    form's fields are the names its action takes)."""
    return {name: form.cleaned_data[name] for name in form.fields}


def _save_new(request: HttpRequest, form, create: Callable[..., Any], owner: Any) -> Callable[[], Any]:
    """The `save` of a page that adds a record: `create(owner, actor=…, fields=…)`."""
    return lambda: create(owner, actor=request.user, fields=_values(form))


def _save_changes(request: HttpRequest, form, update: Callable[..., Any], obj: Any) -> Callable[[], Any]:
    """The `save` of a page that changes `obj`: `update(obj, actor=…, changes=…)`. The form edits a
    second copy of the row, because validating a model form writes into its instance and the action
    must start from the row as stored."""
    return lambda: update(obj, actor=request.user, changes=_values(form))


def _perms(request: CongressRequest) -> dict[str, bool]:
    user, congress = request.user, request.congress
    return {
        "view_roster": rules.has_perm("congress.view_roster", user, congress),
        "manage_roster": rules.has_perm("congress.manage_roster", user, congress),
        "import_roster": rules.has_perm("congress.import_roster", user, congress),
        "view_policy": rules.has_perm("congress.view_policy", user, congress),
        "manage_policy": rules.has_perm("congress.manage_policy", user, congress),
        "manage_members": rules.has_perm("congress.manage_members", user, congress),
        "view_contacts": rules.has_perm("congress.view_contacts", user, congress),
    }


def _render(
    request: CongressRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, template, {"perms_here": _perms(request), **context}, status=status)


# --- dashboard -------------------------------------------------------------------------------------


@congress_view()
@kept_page("home")
def dashboard(request):
    """What this user can do here, one card per task, by role."""
    congress = request.congress
    mine = memberships_of(request.user, congress)
    roles = {m.role for m in mine}
    my_deputy = None
    if Role.DEPUTY in roles:
        my_deputy = Deputy.objects.filter(congress=congress, user=request.user).first()
    my_units = [m.unit for m in mine if m.role in UNIT_ROLES and m.unit]
    my_stations = [m.station for m in mine if m.role in STATION_ROLES and m.station]
    perms = _perms(request)
    counts = {}
    if perms["manage_roster"]:
        counts = {
            "deputies": Deputy.objects.filter(congress=congress).count(),
            "units": Unit.objects.filter(congress=congress, active=True).count(),
            "stations": LiaisonStation.objects.filter(congress=congress, active=True).count(),
        }
    return _render(
        request,
        "congress/dashboard.html",
        {
            "memberships": mine,
            "roles": roles,
            "is_deputy": Role.DEPUTY in roles,
            "my_deputy": my_deputy,
            "my_units": list(dict.fromkeys(my_units)),
            "my_stations": list(dict.fromkeys(my_stations)),
            "counts": counts,
            "work": summary_for_request(request),
            "main_work": _main_work(request, roles),
        },
    )


def _main_work(request: CongressRequest, roles: set[str]) -> list[dict[str, str]]:
    """Links to the main work of the roles whose work is on pages of their own (the leaders and the
    inspection office supervise, judges score, liaison clerks record residents' opinions, units
    answer the opinions forwarded to them): one card each on the home page (issue #12)."""
    code = request.congress.code
    found: list[dict[str, str]] = []

    def add(name: str, icon: str, title: Any, text: Any, *args: Any) -> None:
        url = reverse(name, args=[code, *args])
        if all(item["url"] != url for item in found):
            found.append({"url": url, "icon": icon, "title": str(title), "text": str(text)})

    if roles & {Role.SUPERVISOR, Role.INSPECTOR}:
        add("supervision:board", "bi-speedometer2", _("督办"), _("逾期、临期的建议与期限，先看红色"))
        add("supervision:instruction_list", "bi-pen", _("领导批示"), _("批示专项督查及其落实"))
        add("supervision:theme_list", "bi-flag", _("重点督办主题"), _("重点督办建议及督办记录"))
        add("reports:dashboard", "bi-bar-chart", _("办理情况一览"), _("各单位、各代表小组的办理数字"))
    if Role.JUDGE in roles:
        add("awards:list", "bi-trophy", _("季度评选"), _("为候选建议和承办单位评分"))
    if Role.LIAISON_CLERK in roles:
        add("intake:opinions", "bi-chat-square-text", _("社情民意"), _("本站登记、转办的群众意见"))
        add("intake:opinion_create", "bi-plus-square", _("登记社情民意"), _("记录群众反映的问题"))
    if roles & UNIT_ROLES:
        add("intake:forwarded", "bi-envelope-open", _("转办的群众意见"), _("联络站转给本单位的意见"))
    return found


# --- deputies --------------------------------------------------------------------------------------


@congress_view("congress.view_roster")
def deputies(request):
    form = DeputyFilterForm(request.GET or None, congress=request.congress)
    filters = form.values() if request.GET else {}
    if request.GET.get("format") == "xlsx":  # 代表名册: the filtered list, every page (issue #12)
        return _deputies_xlsx(request, selectors.deputies_for(request.congress, filters))
    page = _page(request, selectors.deputies_for(request.congress, filters))
    return _render(
        request,
        "congress/deputies/list.html",
        {"filter_form": form, "page": page, "querystring": _querystring(request)},
    )


def _deputies_xlsx(request: CongressRequest, deputies: QuerySet[RosterDeputy]) -> HttpResponse:
    """The roster as the list shows it: the phone column only for those who may see contacts."""
    contacts = rules.has_perm("congress.view_contacts", request.user, request.congress)
    rows = (
        [
            d.number,
            d.name,
            str(d.group or ""),
            d.get_level_display(),
            _("在任") if d.is_current else _("不在任"),
            *([d.phone] if contacts else []),
            _("已关联") if d.user_id else _("未关联"),
        ]
        for d in deputies[:MAX_ROWS]
    )
    headers = [_("代表证号"), _("姓名"), _("代表小组"), _("代表层级"), _("在任")]
    headers += [_("联系电话")] if contacts else []
    headers += [_("账号")]
    return xlsx_download(request, what="deputies", title=_("代表名册"), headers=headers, rows=rows)


@congress_view("congress.view_roster")
def deputy_detail(request, pk: int):
    deputy = selectors.get_deputy(request.congress, pk)
    perms = _perms(request)
    own = deputy.user_id is not None and deputy.user_id == request.user.pk
    return _render(
        request,
        "congress/deputies/detail.html",
        {"deputy": deputy, "show_contact": perms["view_contacts"] or own, "own": own},
    )


@congress_view("congress.manage_roster")
def deputy_create(request):
    form = DeputyForm(request.POST or None, congress=request.congress)
    return _form_page(
        request,
        form,
        "congress/deputies/form.html",
        {},
        save=_save_new(request, form, actions.do_create_deputy, request.congress),
        success=_("已添加代表。"),
        next_url=lambda d: _url("deputy_detail", request, d.pk),
    )


@congress_view("congress.manage_roster")
def deputy_edit(request, pk: int):
    deputy = selectors.get_deputy(request.congress, pk)
    form = DeputyForm(
        request.POST or None, instance=selectors.get_deputy(request.congress, pk), congress=request.congress
    )
    return _form_page(
        request,
        form,
        "congress/deputies/form.html",
        {"deputy": deputy},
        save=_save_changes(request, form, actions.do_update_deputy, deputy),
        success=_("已保存代表信息。"),
        next_url=lambda d: _url("deputy_detail", request, d.pk),
    )


# --- deputy groups ---------------------------------------------------------------------------------


@congress_view("congress.view_roster")
def groups(request):
    form = SearchForm(request.GET or None)
    page = _page(request, selectors.groups_for(request.congress, form.values() if request.GET else {}))
    return _render(
        request,
        "congress/groups/list.html",
        {"filter_form": form, "page": page, "querystring": _querystring(request)},
    )


@congress_view("congress.view_roster")
def group_detail(request, pk: int):
    group = selectors.get_group(request.congress, pk)
    page = _page(request, selectors.deputies_for(request.congress, {"group": group}))
    group_stations = selectors.stations_for(request.congress, {"group": group})
    return _render(
        request,
        "congress/groups/detail.html",
        {"group": group, "page": page, "stations": group_stations, "querystring": _querystring(request)},
    )


@congress_view("congress.manage_roster")
def group_create(request):
    form = GroupForm(request.POST or None)
    return _form_page(
        request,
        form,
        "congress/groups/form.html",
        {},
        save=_save_new(request, form, actions.do_create_group, request.congress),
        success=_("已添加代表小组。"),
        next_url=lambda g: _url("group_detail", request, g.pk),
    )


@congress_view("congress.manage_roster")
def group_edit(request, pk: int):
    group = selectors.get_group(request.congress, pk)
    form = GroupForm(request.POST or None, instance=selectors.get_group(request.congress, pk))
    return _form_page(
        request,
        form,
        "congress/groups/form.html",
        {"group": group},
        save=_save_changes(request, form, actions.do_update_group, group),
        success=_("已保存代表小组。"),
        next_url=lambda g: _url("group_detail", request, g.pk),
    )


# --- liaison stations ------------------------------------------------------------------------------


@congress_view("congress.view_roster")
def stations(request):
    form = StationFilterForm(request.GET or None, congress=request.congress)
    found = selectors.stations_for(request.congress, form.values() if request.GET else {})
    if request.GET.get("format") == "xlsx":  # 联络站名册: the filtered list, every page (issue #12)
        rows = (
            [
                s.name,
                s.get_kind_display(),
                str(s.group or ""),
                s.address,
                _("启用") if s.active else _("已停用"),
            ]
            for s in found[:MAX_ROWS]
        )
        headers = [_("名称"), _("类型"), _("所属代表小组"), _("地址"), _("状态")]
        return xlsx_download(request, what="stations", title=_("联络站名册"), headers=headers, rows=rows)
    page = _page(request, found)
    return _render(
        request,
        "congress/stations/list.html",
        {"filter_form": form, "page": page, "querystring": _querystring(request)},
    )


@congress_view("congress.view_roster")
def station_detail(request, pk: int):
    station = selectors.get_station(request.congress, pk)
    perms = _perms(request)
    clerks = []
    if perms["manage_roster"]:
        clerks = list(
            selectors.members_for(request.congress).filter(station=station, role__in=list(STATION_ROLES))
        )
    return _render(request, "congress/stations/detail.html", {"station": station, "clerks": clerks})


@congress_view("congress.manage_roster")
def station_create(request):
    form = StationForm(request.POST or None, congress=request.congress)
    return _form_page(
        request,
        form,
        "congress/stations/form.html",
        {},
        save=_save_new(request, form, actions.do_create_station, request.congress),
        success=_("已添加联络站。"),
        next_url=lambda s: _url("station_detail", request, s.pk),
    )


@congress_view("congress.manage_roster")
def station_edit(request, pk: int):
    station = selectors.get_station(request.congress, pk)
    form = StationForm(
        request.POST or None, instance=selectors.get_station(request.congress, pk), congress=request.congress
    )
    return _form_page(
        request,
        form,
        "congress/stations/form.html",
        {"station": station},
        save=_save_changes(request, form, actions.do_update_station, station),
        success=_("已保存联络站。"),
        next_url=lambda s: _url("station_detail", request, s.pk),
    )


# --- units -----------------------------------------------------------------------------------------


@congress_view("congress.view_roster")
def units(request):
    """The unit tree. A search shows the matching units with their path instead of the tree."""
    form = UnitFilterForm(request.GET or None)
    filters = form.values() if request.GET else {}
    nodes = selectors.units_tree(request.congress)
    by_id = {n.unit.pk: n.unit for n in nodes}
    q = (filters.get("q") or "").strip()
    active = filters.get("active")
    if q or active in ("yes", "no"):
        nodes = [
            n
            for n in nodes
            if (not q or q in n.unit.name or q in n.unit.short_name)
            and (active not in ("yes", "no") or n.unit.active == (active == "yes"))
        ]
        for n in nodes:
            n.path = _path(n.unit, by_id)  # type: ignore[attr-defined]
    if request.GET.get("format") == "xlsx":  # 承办单位名录: the tree (or the search) as listed (issue #12)
        rows = (
            [
                " / ".join(u.name for u in _path(n.unit, by_id)),
                n.unit.name,
                n.unit.get_kind_display(),
                n.unit.short_name,
                _("启用") if n.unit.active else _("已停用"),
            ]
            for n in nodes
        )
        headers = [_("上级单位"), _("名称"), _("类型"), _("简称"), _("状态")]
        return xlsx_download(request, what="units", title=_("承办单位名录"), headers=headers, rows=rows)
    return _render(
        request,
        "congress/units/tree.html",
        {
            "filter_form": form,
            "nodes": nodes,
            "searching": bool(q or active),
            "querystring": _querystring(request),
        },
    )


def _path(unit: Unit, by_id: dict[int, Unit]) -> list[Unit]:
    path: list[Unit] = []
    node = by_id.get(unit.parent_id) if unit.parent_id else None
    while node is not None and node not in path:
        path.insert(0, node)
        node = by_id.get(node.parent_id) if node.parent_id else None
    return path


@congress_view("congress.view_roster")
def unit_detail(request, pk: int):
    unit = selectors.get_unit(request.congress, pk)
    nodes = selectors.units_tree(request.congress)
    by_id = {n.unit.pk: n.unit for n in nodes}
    children = [n.unit for n in nodes if n.unit.parent_id == unit.pk]
    perms = _perms(request)
    unit_members = []
    if perms["manage_roster"]:
        unit_members = list(selectors.members_for(request.congress).filter(unit=unit))
    return _render(
        request,
        "congress/units/detail.html",
        {"unit": unit, "path": _path(unit, by_id), "children": children, "unit_members": unit_members},
    )


@congress_view("congress.manage_roster")
def unit_create(request):
    initial = {}
    parent_id = request.GET.get("parent")
    if parent_id and parent_id.isdigit():
        initial["parent"] = int(parent_id)
    form = UnitForm(request.POST or None, initial=initial, congress=request.congress)
    return _form_page(
        request,
        form,
        "congress/units/form.html",
        {},
        save=_save_new(request, form, actions.do_create_unit, request.congress),
        success=_("已添加单位。"),
        next_url=lambda u: _url("unit_detail", request, u.pk),
    )


@congress_view("congress.manage_roster")
def unit_edit(request, pk: int):
    unit = selectors.get_unit(request.congress, pk)
    form = UnitForm(
        request.POST or None, instance=selectors.get_unit(request.congress, pk), congress=request.congress
    )
    return _form_page(
        request,
        form,
        "congress/units/form.html",
        {"unit": unit},
        save=_save_changes(request, form, actions.do_update_unit, unit),
        success=_("已保存单位。"),
        next_url=lambda u: _url("unit_detail", request, u.pk),
    )


@congress_view("congress.manage_roster")
@require_POST
def unit_set_active(request, pk: int):
    """Deactivate (or re-activate) a unit; units are never deleted, their history stays."""
    unit = selectors.get_unit(request.congress, pk)
    active = request.POST.get("active") == "1"
    return act(
        request,
        lambda: actions.do_update_unit(unit, actor=request.user, changes={"active": active}),
        success=_("已启用“%(u)s”。") % {"u": unit} if active else _("已停用“%(u)s”。") % {"u": unit},
        next=_url("unit_detail", request, unit.pk),
    )


# --- terms and sessions ----------------------------------------------------------------------------


@congress_view("congress.view_roster")
def terms(request):
    return _render(request, "congress/terms/list.html", {"terms": selectors.terms_for(request.congress)})


@congress_view("congress.manage_roster")
def term_create(request):
    form = TermForm(request.POST or None)
    return _form_page(
        request,
        form,
        "congress/terms/form.html",
        {},
        save=_save_new(request, form, actions.do_create_term, request.congress),
        success=_("已添加届次。"),
        next_url=lambda t: _url("terms", request),
    )


@congress_view("congress.manage_roster")
def term_edit(request, pk: int):
    term = selectors.get_term(request.congress, pk)
    form = TermForm(request.POST or None, instance=selectors.get_term(request.congress, pk))
    return _form_page(
        request,
        form,
        "congress/terms/form.html",
        {"term": term},
        save=_save_changes(request, form, actions.do_update_term, term),
        success=_("已保存届次。"),
        next_url=lambda t: _url("terms", request),
    )


@congress_view("congress.manage_roster")
def session_create(request, term_pk: int):
    term = selectors.get_term(request.congress, term_pk)
    form = SessionForm(request.POST or None)
    return _form_page(
        request,
        form,
        "congress/terms/session_form.html",
        {"term": term},
        save=_save_new(request, form, actions.do_create_session, term),
        success=_("已添加会议。"),
        next_url=lambda s: _url("terms", request),
    )


@congress_view("congress.manage_roster")
def session_edit(request, pk: int):
    session = selectors.get_session(request.congress, pk)
    form = SessionForm(request.POST or None, instance=selectors.get_session(request.congress, pk))
    return _form_page(
        request,
        form,
        "congress/terms/session_form.html",
        {"term": session.term, "session": session},
        save=_save_changes(request, form, actions.do_update_session, session),
        success=_("已保存会议。"),
        next_url=lambda s: _url("terms", request),
    )


# --- policy ----------------------------------------------------------------------------------------


@congress_view("congress.view_policy")
def policy(request):
    """The congress's rules, by section, and every change made to them (old → new)."""
    current = actions.ensure_policy(request.congress) if _perms(request)["manage_policy"] else None
    if current is None:
        current = Policy.objects.filter(congress=request.congress).first()
    sections = []
    if current is not None:
        for title, names in POLICY_GROUPS:
            rows = []
            for name in names:
                field = cast("Field[Any, Any]", Policy._meta.get_field(name))  # policy fields, no relations
                rows.append(
                    (
                        field.verbose_name,
                        selectors.display_value(field, getattr(current, name)),
                        field.help_text,
                    )
                )
            if "numbering_format" in names:
                try:
                    example = current.format_number(year=timezone.localdate().year, seq=12)
                except (KeyError, IndexError, ValueError):
                    example = _("（格式有误，请修改）")
                rows.append((_("编号示例"), example, ""))
            sections.append((title, rows))
    history = _page(request, selectors.policy_history(current)) if current else None
    if history:
        for event in history:
            event.changes = selectors.describe_changes(Policy, event)
    taxonomies = [(kind, model._meta.verbose_name_plural) for kind, model in TAXONOMIES.items()]
    return _render(
        request,
        "congress/policy/detail.html",
        {
            "policy": current,
            "sections": sections,
            "history": history,
            "taxonomies": taxonomies,
            "querystring": "",
        },
    )


@congress_view("congress.manage_policy")
def policy_edit(request):
    current = actions.ensure_policy(request.congress)
    form = PolicyForm(request.POST or None, instance=actions.ensure_policy(request.congress))
    return _form_page(
        request,
        form,
        "congress/policy/form.html",
        {"policy": current},
        save=_save_changes(request, form, actions.do_update_policy, current),
        success=_("已保存办理规则。"),
        next_url=lambda p: _url("policy", request),
    )


# --- taxonomies ------------------------------------------------------------------------------------


def _taxonomy_model(kind: str):
    from django.http import Http404

    model = TAXONOMIES.get(kind)
    if model is None:
        raise Http404("no such taxonomy")
    return model


def _taxonomy_context(kind: str) -> dict[str, Any]:
    model = _taxonomy_model(kind)
    return {
        "kind": kind,
        "model_name": model._meta.verbose_name_plural,
        "is_channel": model is Channel,
        "is_result": model is ResultClass,
        "taxonomies": [(k, m._meta.verbose_name_plural) for k, m in TAXONOMIES.items()],
    }


@congress_view("congress.view_policy")
def taxonomy(request, kind: str):
    context = _taxonomy_context(kind)
    items = list(selectors.taxonomy_items(request.congress, kind))
    return _render(request, "congress/taxonomy/list.html", {"items": items, **context})


@congress_view("congress.manage_policy")
def taxonomy_create(request, kind: str):
    context = _taxonomy_context(kind)
    form_class = taxonomy_form_class(_taxonomy_model(kind))
    form = form_class(request.POST or None)
    return _form_page(
        request,
        form,
        "congress/taxonomy/form.html",
        {**context},
        save=_save_new(request, form, partial(actions.do_add_taxonomy_item, kind=kind), request.congress),
        success=_("已添加。"),
        next_url=lambda i: _url("taxonomy", request, kind),
    )


@congress_view("congress.manage_policy")
def taxonomy_edit(request, kind: str, pk: int):
    context = _taxonomy_context(kind)
    item = selectors.get_taxonomy_item(request.congress, kind, pk)
    form_class = taxonomy_form_class(type(item))
    form = form_class(request.POST or None, instance=selectors.get_taxonomy_item(request.congress, kind, pk))
    return _form_page(
        request,
        form,
        "congress/taxonomy/form.html",
        {**context, "item": item},
        save=_save_changes(request, form, actions.do_update_taxonomy_item, item),
        success=_("已保存。"),
        next_url=lambda i: _url("taxonomy", request, kind),
    )


@congress_view("congress.manage_policy")
@require_POST
def taxonomy_move(request, kind: str, pk: int):
    item = selectors.get_taxonomy_item(request.congress, kind, pk)
    return act(
        request,
        lambda: actions.do_move_taxonomy_item(
            item, actor=request.user, direction=request.POST.get("direction", "")
        ),
        success=None,
        next=_url("taxonomy", request, kind),
    )


@congress_view("congress.manage_policy")
@require_POST
def taxonomy_set_active(request, kind: str, pk: int):
    item = selectors.get_taxonomy_item(request.congress, kind, pk)
    active = request.POST.get("active") == "1"
    return act(
        request,
        lambda: actions.do_update_taxonomy_item(item, actor=request.user, changes={"active": active}),
        success=_("已启用“%(i)s”。") % {"i": item} if active else _("已停用“%(i)s”。") % {"i": item},
        next=_url("taxonomy", request, kind),
    )


# --- members ---------------------------------------------------------------------------------------


@congress_view("congress.manage_members", platform=True)
def members(request):
    form = MemberFilterForm(request.GET or None)
    found = selectors.members_for(request.congress, form.values() if request.GET else {})
    if request.GET.get("format") == "xlsx":  # accounts and roles, filtered, every page (issue #12)
        rows = (
            [
                m.user.display_name,
                m.user.username,
                m.get_role_display(),
                str(m.unit or m.station or ""),
                m.created_at,
            ]
            for m in found[:MAX_ROWS]
        )
        headers = [_("姓名"), _("用户名"), _("角色"), _("单位或联络站"), _("授予时间")]
        return xlsx_download(request, what="members", title=_("成员与角色"), headers=headers, rows=rows)
    page = _page(request, found)
    return _render(
        request,
        "congress/members/list.html",
        {"filter_form": form, "page": page, "querystring": _querystring(request)},
    )


@congress_view("congress.manage_members", platform=True)
def member_grant(request):
    form = GrantRoleForm(request.POST or None, congress=request.congress, actor=request.user)

    def save():
        data = form.cleaned_data
        correlation_id = uuid.uuid4()
        with transaction.atomic():
            user = data.get("user")
            if data["account"] == GrantRoleForm.NEW:
                user = actions.do_create_user(
                    request.congress,
                    actor=request.user,
                    correlation_id=correlation_id,
                    username=data["username"],
                    full_name=data["full_name"],
                    password=data["password"],
                    phone=data["phone"],
                )
            assert user is not None  # GrantRoleForm.clean: an existing account that is not found is an error
            return actions.do_grant_role(
                request.congress,
                actor=request.user,
                user=user,
                role=data["role"],
                unit=data.get("unit"),
                station=data.get("station"),
                deputy=data.get("deputy"),
                correlation_id=correlation_id,
            )

    return _form_page(
        request,
        form,
        "congress/members/grant.html",
        {},
        save=save,
        success=_("已授予角色。"),
        next_url=lambda m: _url("members", request),
    )


@congress_view("congress.manage_members", platform=True)
@require_POST
def member_revoke(request, pk: int):
    membership = selectors.get_membership(request.congress, pk)
    return act(
        request,
        lambda: actions.do_revoke_role(membership, actor=request.user),
        success=lambda _result: (
            _("已撤销 %(u)s 的“%(r)s”角色。")
            % {"u": membership.user.display_name, "r": membership.get_role_display()}
        ),
        next=_url("members", request),
    )
