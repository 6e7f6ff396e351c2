"""Forms of the points pages: input validation only (the actions decide the rest)."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.congress.models import Congress, Deputy

from .events import EVENT_BY_CODE, EVENT_CHOICES, MANUAL_CHOICES, CapPeriod, PointsRole
from .periods import Period
from .selectors import groups_of

DATE_WIDGET = {"class": "form-control", "type": "date"}
MONTH_FORMATS = ["%Y-%m", "%Y-%m-%d"]


def period_choices(today: datetime.date | None = None) -> list[tuple[str, str]]:
    """This year's and last year's quarters (newest first), then the two years."""
    today = today or timezone.localdate()
    out = []
    for year in (today.year, today.year - 1):
        for q in (4, 3, 2, 1):
            p = Period(year, q)
            if p.start <= today:
                out.append((p.code, p.label))
    out += [(str(today.year), Period(today.year).label), (str(today.year - 1), Period(today.year - 1).label)]
    return out


class RankingForm(forms.Form):
    period = forms.ChoiceField(label=_("期间"), widget=forms.Select(attrs={"class": "form-select"}))
    group: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("代表小组"),
        queryset=None,
        required=False,
        empty_label=_("全部代表"),
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("请选择本人大的代表小组。")},
    )

    def __init__(self, congress: Congress, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        cast(forms.ChoiceField, self.fields["period"]).choices = period_choices()
        cast(forms.ModelChoiceField, self.fields["group"]).queryset = groups_of(congress)

    def clean_period(self) -> Period:
        return Period.parse(self.cleaned_data["period"])


class YearForm(forms.Form):
    year = forms.TypedChoiceField(
        label=_("年度"), coerce=int, widget=forms.Select(attrs={"class": "form-select"})
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        this = timezone.localdate().year
        cast(forms.ChoiceField, self.fields["year"]).choices = [
            (y, f"{y}年") for y in range(this, this - 5, -1)
        ]


def _text(label, *, required=True, rows=3, max_length=None, message=None) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": rows}),
        error_messages={"required": message or _("请填写%(f)s。") % {"f": label}},
    )


def _int(label, low, high, *, required=True, help_text="") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        required=required,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        error_messages={
            "required": _("请填写%(f)s。") % {"f": label},
            "invalid": _("请填写整数。"),
            "min_value": _("不能小于%(limit_value)s。"),
            "max_value": _("不能大于%(limit_value)s。"),
        },
    )


def _date(label, *, required=True, help_text="") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        error_messages={
            "required": _("请填写%(f)s。") % {"f": label},
            "invalid": _("请按“年-月-日”填写日期。"),
        },
    )


def _month(label, *, required=True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=MONTH_FORMATS,
        widget=forms.DateInput(attrs={"class": "form-control", "type": "month"}, format="%Y-%m"),
        error_messages={"required": _("请选择%(f)s。") % {"f": label}, "invalid": _("请按“年-月”选择月份。")},
    )


class ManualEntryForm(forms.Form):
    deputy: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("代表"),
        queryset=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("请选择代表。"), "invalid_choice": _("请选择您可以登记的代表。")},
    )
    event = forms.ChoiceField(
        label=_("活动类别"), choices=MANUAL_CHOICES, widget=forms.Select(attrs={"class": "form-select"})
    )
    activity_date = _date(_("活动日期"))
    title = forms.CharField(
        label=_("活动名称"),
        max_length=100,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": _("请填写活动名称。")},
    )
    description = _text(_("情况说明"), required=False)
    evidence = forms.FileField(
        label=_("佐证材料"),
        help_text=_("照片、签到表、通知等（PDF、Word或图片）。"),
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": "image/*,.pdf,.doc,.docx"}),
        error_messages={"required": _("请上传佐证材料。")},
    )

    def __init__(self, deputies, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = cast(forms.ModelChoiceField, self.fields["deputy"])
        field.queryset = deputies
        field.label_from_instance = lambda d: f"{d.name}（{d.number}）"  # type: ignore[method-assign,assignment]

    def clean_activity_date(self) -> datetime.date:
        day = self.cleaned_data["activity_date"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("活动日期不能晚于今天。"))
        return day


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("审核意见"),
        choices=[("approve", _("通过")), ("reject", _("不通过"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("请选择通过或不通过。")},
    )
    note = _text(_("说明"), required=False, rows=2)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("note") or "").strip():
            self.add_error("note", _("不通过时请写明理由。"))
        return data


class ObjectionForm(forms.Form):
    reason = _text(_("异议理由"), max_length=1000, message=_("请写明异议理由。"))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("处理结果"),
        choices=[("reject", _("维持原记录")), ("correct", _("更正积分"))],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": _("请选择处理结果。")},
    )
    corrected_points = _int(_("更正后积分"), -100, 100, required=False, help_text=_("0为该条不计分。"))
    reason = _text(_("处理理由"), max_length=1000, message=_("请写明处理理由。"))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "correct" and data.get("corrected_points") is None:
            self.add_error("corrected_points", _("请填写更正后的积分。"))
        return data


class _CapMixin(forms.Form):
    cap = _int(
        _("上限（分）"),
        1,
        1000,
        required=False,
        help_text=_("每位代表每个周期按本条规则最多计（或扣）的分数；不填为不设上限。"),
    )
    cap_period = forms.ChoiceField(
        label=_("上限周期"),
        required=False,
        choices=[("", _("—")), *CapPeriod.choices],
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("cap") is not None and not data.get("cap_period"):
            self.add_error("cap_period", _("设了上限，请选择上限周期。"))
        if data.get("cap") is None and data.get("cap_period"):
            self.add_error("cap", _("选了上限周期，请填写上限分数。"))
        return data


class RuleForm(_CapMixin):
    event = forms.ChoiceField(
        label=_("履职事项"), choices=EVENT_CHOICES, widget=forms.Select(attrs={"class": "form-select"})
    )
    role = forms.ChoiceField(
        label=_("角色"), choices=PointsRole.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    points = _int(_("分值"), -100, 100, help_text=_("扣分填负数，不能为0。"))
    valid_from = _date(_("生效日期"))
    valid_to = _date(_("失效日期"), required=False, help_text=_("最后一个有效日；不填为长期有效。"))
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    field_order = ["event", "role", "points", "cap", "cap_period", "valid_from", "valid_to", "note"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        event = EVENT_BY_CODE.get(data.get("event", ""))
        if event and data.get("role") and data["role"] not in event.roles:
            self.add_error(
                "role",
                _("该事项只能选：%(r)s。") % {"r": "、".join(str(PointsRole(r).label) for r in event.roles)},
            )
        if data.get("points") == 0:
            self.add_error("points", _("分值不能为0。"))
        return data


class ReplaceRuleForm(_CapMixin):
    from_date = _date(_("新分值生效日期"))
    points = _int(_("新分值"), -100, 100, help_text=_("扣分填负数，不能为0。"))
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    field_order = ["from_date", "points", "cap", "cap_period", "note"]


class EndRuleForm(forms.Form):
    valid_to = _date(_("失效日期"), help_text=_("该日之后本规则不再计分。"))


class ExpectationForm(forms.Form):
    deputy: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("代表"),
        queryset=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("请选择代表。"), "invalid_choice": _("请选择本人大的代表。")},
    )
    per_month = _int(_("每月件数"), 1, 10)
    start_month = _month(_("起始月份"))
    note = forms.CharField(
        label=_("说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("如“区委书记（区人大代表）”。"),
    )

    def __init__(self, congress: Congress, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = cast(forms.ModelChoiceField, self.fields["deputy"])
        field.queryset = Deputy.objects.filter(congress=congress).order_by("number")
        field.label_from_instance = lambda d: f"{d.name}（{d.number}）"  # type: ignore[method-assign,assignment]


class EndExpectationForm(forms.Form):
    end_month = _month(_("截止月份"))
