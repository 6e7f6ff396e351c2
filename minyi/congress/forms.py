"""Forms of the congress administration pages. They only validate input and offer choices limited to
the current congress; the rules that need the database or several rows live in the actions, whose
`FieldErrors` the views put back next to the fields."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from minyi.accounts.models import STATION_ROLES, UNIT_ROLES, Role, User
from minyi.core.forms import choice_field, cleaned, label_choices, model_choice

from . import actions
from .models import Congress, Deputy, DeputyGroup, LiaisonStation, Policy, PolicyItem, Session, Term, Unit
from .selectors import unit_choices

YES_NO = [("", _("全部")), ("yes", _("是")), ("no", _("否"))]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class BootstrapMixin:
    """Bootstrap classes on every widget, and `is-invalid` on fields that carry an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        for field in self.fields.values():  # type: ignore[attr-defined]
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = (widget.attrs.get("class", "") + " " + css).strip()

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        names = [field] if field else []
        if isinstance(error, dict):
            names = list(error)
        for name in names:
            if name in self.fields:  # type: ignore[attr-defined]
                widget = self.fields[name].widget  # type: ignore[attr-defined]
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = (widget.attrs.get("class", "") + " is-invalid").strip()


class FilterForm(BootstrapMixin, forms.Form):
    """A GET form of list filters; invalid values are ignored rather than shown as errors."""

    def values(self) -> dict[str, Any]:
        if not self.is_valid():
            return {name: value for name, value in self.cleaned_data.items() if name not in self.errors}
        return dict(self.cleaned_data)


# --- deputies, groups, stations --------------------------------------------------------------------


class DeputyFilterForm(FilterForm):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("姓名、代表证号或选区")}),
    )
    group = forms.ModelChoiceField(
        label=_("代表小组"), queryset=DeputyGroup.objects.none(), required=False, empty_label=_("全部小组")
    )
    in_office = forms.ChoiceField(label=_("在任"), choices=YES_NO, required=False)
    level = forms.ChoiceField(
        label=_("代表层级"), choices=[("", _("全部层级")), *Deputy.Level.choices], required=False
    )

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "group").queryset = DeputyGroup.objects.filter(congress=congress)


class DeputyForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Deputy
        fields = actions.DEPUTY_FIELDS
        widgets = {"in_office_from": DateInput(), "in_office_to": DateInput()}
        help_texts = {
            "user": _("代表本人登录所用的账号。只能选择本人大中拥有“人大代表”角色、尚未关联其他代表的账号。")
        }

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "group").queryset = DeputyGroup.objects.filter(congress=congress)
        model_choice(self, "group").empty_label = _("（未分组）")
        linked = Deputy.objects.filter(congress=congress, user__isnull=False)
        if self.instance.pk:
            linked = linked.exclude(pk=self.instance.pk)
        model_choice(self, "user").queryset = (
            User.objects.filter(
                memberships__congress=congress, memberships__role=Role.DEPUTY, memberships__active=True
            )
            .exclude(pk__in=linked.values("user_id"))
            .distinct()
            .order_by("full_name", "username")
        )
        model_choice(self, "user").empty_label = _("（暂不关联账号）")
        label_choices(model_choice(self, "user"), lambda u: f"{u.display_name}（{u.username}）")

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        start, end = data.get("in_office_from"), data.get("in_office_to")
        if start and end and end < start:
            self.add_error("in_office_to", _("任职终止日期不能早于任职起始日期。"))
        return data


class GroupForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = DeputyGroup
        fields = actions.GROUP_FIELDS


class StationFilterForm(FilterForm):
    q = forms.CharField(
        label=_("搜索"), required=False, widget=forms.TextInput(attrs={"placeholder": _("名称或地址")})
    )
    kind = forms.ChoiceField(
        label=_("类型"), choices=[("", _("全部类型")), *LiaisonStation.Kind.choices], required=False
    )
    group = forms.ModelChoiceField(
        label=_("代表小组"), queryset=DeputyGroup.objects.none(), required=False, empty_label=_("全部小组")
    )
    active = forms.ChoiceField(label=_("启用"), choices=YES_NO, required=False)

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "group").queryset = DeputyGroup.objects.filter(congress=congress)


class StationForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = LiaisonStation
        fields = actions.STATION_FIELDS

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "group").queryset = DeputyGroup.objects.filter(congress=congress)
        model_choice(self, "group").empty_label = _("（不属于某个小组）")


class SearchForm(FilterForm):
    q = forms.CharField(label=_("搜索"), required=False)


# --- units -----------------------------------------------------------------------------------------


class UnitForm(BootstrapMixin, forms.ModelForm):
    """The parent is chosen among this congress's active units, in tree order, never the unit itself
    or one of its descendants."""

    parent = forms.TypedChoiceField(label=_("上级单位"), coerce=int, required=False, empty_value=None)

    class Meta:
        model = Unit
        fields = ["name", "short_name", "kind", "body_code", "order", "active", "duties"]
        widgets = {"duties": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "kind": _("一府一委两院选“机关”，它们是单位树的最上层；其他单位须选择上级单位。"),
            "order": _("同一上级下按此数字从小到大排列。"),
        }

    field_order = ["name", "short_name", "kind", "body_code", "parent", "order", "active", "duties"]

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.congress = congress
        choices = unit_choices(congress, exclude_subtree_of=self.instance if self.instance.pk else None)
        current = self.instance.parent if self.instance.pk and self.instance.parent_id else None
        if current is not None and current.pk not in {pk for pk, _label in choices}:
            # an inactive parent is not offered to new units, but a unit already below it keeps it
            choices.append((current.pk, _("%(u)s（已停用）") % {"u": current.name}))
        choice_field(self, "parent").choices = [("", _("（无：这是一个机关）"))] + choices
        self.fields["parent"].help_text = _("只能选择本人大启用中的单位，不能选择本单位或其下级单位。")
        self.fields["body_code"].required = False
        if self.instance.pk and self.instance.parent_id:
            self.initial.setdefault("parent", self.instance.parent_id)
        self.order_fields(self.field_order)

    def clean_parent(self) -> Unit | None:
        pk = self.cleaned_data.get("parent")
        if pk is None:
            return None
        return Unit.objects.get(pk=pk, congress=self.congress)

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        if "kind" in data and "parent" not in self.errors:
            for name, msgs in actions.unit_shape_errors(
                data["kind"], data.get("parent"), data.get("body_code", "")
            ).items():
                self.add_error(name, msgs)
        return data


class UnitFilterForm(FilterForm):
    q = forms.CharField(
        label=_("搜索"), required=False, widget=forms.TextInput(attrs={"placeholder": _("单位名称")})
    )
    active = forms.ChoiceField(label=_("启用"), choices=YES_NO, required=False)


# --- terms and sessions ----------------------------------------------------------------------------


class TermForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Term
        fields = actions.TERM_FIELDS
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("届满日期不能早于起始日期。"))
        return data


class SessionForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Session
        fields = actions.SESSION_FIELDS
        widgets = {"start_date": DateInput(), "end_date": DateInput()}

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("闭幕日期不能早于开幕日期。"))
        return data


# --- policy and taxonomies -------------------------------------------------------------------------

#: The policy page's sections, in order: (title, fields). Together they hold every Policy.EDITABLE.
POLICY_GROUPS: list[tuple[Any, list[str]]] = [
    (
        _("时限"),
        [
            "review_days",
            "assign_days",
            "reassign_window_days",
            "first_contact_days",
            "co_opinion_days",
            "reply_months",
            "reply_statutory_months",
            "reply_max_months",
            "evaluation_days",
            "rehandle_months",
        ],
    ),
    (_("预警"), ["warning_days", "escalation_grace_days"]),
    (_("编号"), ["numbering_format"]),
    (
        _("办结与测评"),
        [
            "contact_required",
            "opinion_required_if_unsatisfied",
            "no_feedback_excluded",
            "completion_definition",
        ],
    ),
    (_("免打扰"), ["quiet_hours_start", "quiet_hours_end"]),
    (_("公开"), ["public_site", "publish_when"]),
]
assert sorted(f for _t, fs in POLICY_GROUPS for f in fs) == sorted(Policy.EDITABLE)


class PolicyForm(BootstrapMixin, forms.ModelForm):
    class Meta:
        model = Policy
        fields = Policy.EDITABLE
        widgets = {"quiet_hours_start": TimeInput(), "quiet_hours_end": TimeInput()}
        help_texts = {
            "reply_months": _("本地目标，不能超过法定答复时限。"),
            "reply_statutory_months": _("代表法规定为3个月。"),
            "reply_max_months": _("经批准延期后最长不超过6个月，不能短于法定答复时限。"),
            "quiet_hours_start": _("此时段内不发送短信提醒。"),
        }

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        for name, msgs in actions.policy_errors(data).items():
            if name not in self.errors:
                self.add_error(name, msgs)
        return data

    def groups(self) -> list[tuple[Any, list[forms.BoundField]]]:
        return [(title, [self[name] for name in names]) for title, names in POLICY_GROUPS]


class TaxonomyItemForm(BootstrapMixin, forms.ModelForm):
    """Base of the per-taxonomy forms made by `taxonomy_form_class`."""


def taxonomy_form_class(model: type[PolicyItem]) -> type[TaxonomyItemForm]:
    fields = [f for f in actions.taxonomy_fields(model) if f != "order"]
    return forms.modelform_factory(model, form=TaxonomyItemForm, fields=fields)  # type: ignore[return-value]


# --- members ---------------------------------------------------------------------------------------


class MemberFilterForm(FilterForm):
    q = forms.CharField(
        label=_("搜索"), required=False, widget=forms.TextInput(attrs={"placeholder": _("用户名或姓名")})
    )
    role = forms.ChoiceField(label=_("角色"), choices=[("", _("全部角色")), *Role.choices], required=False)
    revoked = forms.ChoiceField(
        label=_("状态"), choices=[("", _("有效的角色")), ("yes", _("已撤销的角色"))], required=False
    )


class GrantRoleForm(BootstrapMixin, forms.Form):
    EXISTING, NEW = "existing", "new"

    account = forms.ChoiceField(
        label=_("账号"),
        choices=[(EXISTING, _("已有账号")), (NEW, _("新建账号"))],
        initial=EXISTING,
        widget=forms.RadioSelect,
    )
    username = forms.CharField(label=_("用户名"), max_length=150)
    full_name = forms.CharField(
        label=_("姓名"), max_length=64, required=False, help_text=_("新建账号时必填。")
    )
    password = forms.CharField(
        label=_("初始密码"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("新建账号时必填，至少8位，不能过于简单。请线下告知本人并提醒其登录后修改。"),
    )
    phone = forms.CharField(label=_("手机号码"), max_length=20, required=False)
    role = forms.ChoiceField(label=_("角色"), choices=[("", _("请选择角色")), *Role.choices])
    unit = forms.TypedChoiceField(
        label=_("单位"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_(
            "交办协调员、承办单位联络员、承办人、承办单位负责人必选；交办协调员须选一府一委两院之一。"
        ),
    )
    station = forms.ModelChoiceField(
        label=_("联络站"),
        queryset=LiaisonStation.objects.none(),
        required=False,
        empty_label=_("（无）"),
        help_text=_("联络站工作人员必选。"),
    )
    deputy = forms.ModelChoiceField(
        label=_("关联代表"),
        queryset=Deputy.objects.none(),
        required=False,
        empty_label=_("（不关联）"),
        help_text=_("授予“人大代表”角色时，可同时把账号关联到尚未关联账号的代表。"),
    )

    def __init__(self, *args: Any, congress: Congress, actor: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.congress = congress
        self.actor = actor
        choice_field(self, "unit").choices = [("", _("（无）"))] + unit_choices(congress)
        model_choice(self, "station").queryset = LiaisonStation.objects.filter(congress=congress, active=True)
        model_choice(self, "deputy").queryset = Deputy.objects.filter(congress=congress, user__isnull=True)

    def clean_unit(self) -> Unit | None:
        pk = self.cleaned_data.get("unit")
        return None if pk is None else Unit.objects.get(pk=pk, congress=self.congress)

    def clean(self) -> dict[str, Any]:  # noqa: C901
        data = cleaned(super().clean())
        username = (data.get("username") or "").strip()
        if data.get("account") == self.EXISTING and username:
            user = actions.find_account(self.congress, username, actor=self.actor)
            if user is None:  # missing, or another congress's: the same words for both
                self.add_error("username", actions.account_not_found(username))
            data["user"] = user
        elif data.get("account") == self.NEW:
            if not (data.get("full_name") or "").strip():
                self.add_error("full_name", _("新建账号须填写姓名。"))
            if not data.get("password"):
                self.add_error("password", _("新建账号须设置初始密码。"))
        role = data.get("role")
        if role in UNIT_ROLES and not data.get("unit") and "unit" not in self.errors:
            self.add_error("unit", _("该角色须选择所在单位。"))
        if role not in UNIT_ROLES and data.get("unit"):
            self.add_error("unit", _("该角色不需要选择单位。"))
        if role in STATION_ROLES and not data.get("station") and "station" not in self.errors:
            self.add_error("station", _("该角色须选择所在联络站。"))
        if role not in STATION_ROLES and data.get("station"):
            self.add_error("station", _("该角色不需要选择联络站。"))
        if data.get("deputy") and role != Role.DEPUTY:
            self.add_error("deputy", _("只有“人大代表”角色才能关联代表。"))
        return data
