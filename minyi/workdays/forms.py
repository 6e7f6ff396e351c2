from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SpecialDay
from .services import MAX_YEAR, MIN_YEAR

DATE_FORMATS = ["%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d"]


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class _DateField(forms.DateField):
    def __init__(self, **kwargs):
        kwargs.setdefault("input_formats", DATE_FORMATS)
        kwargs.setdefault("widget", DateInput(attrs={"class": "form-control"}))
        kwargs.setdefault(
            "error_messages",
            {"required": _("请选择日期。"), "invalid": _("日期格式不对，请按“2026-10-01”填写。")},
        )
        super().__init__(**kwargs)

    def clean(self, value):
        day = super().clean(value)
        if day and not MIN_YEAR <= day.year <= MAX_YEAR:
            raise forms.ValidationError(
                _("日期须在 %(min)s 年至 %(max)s 年之间。") % {"min": MIN_YEAR, "max": MAX_YEAR}
            )
        return day


class _Form(forms.Form):
    """Marks fields with errors for Bootstrap and screen readers."""

    def add_error(self, field, error):
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{self.add_prefix(name)}-error"


class SpecialDayForm(_Form):
    date = _DateField(label=_("日期"))
    kind = forms.ChoiceField(
        label=_("类型"),
        choices=SpecialDay.Kind.choices,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("请选择类型。"), "invalid_choice": _("类型只能是“放假”或“调休上班”。")},
    )
    name = forms.CharField(
        label=_("节日名称"),
        max_length=SpecialDay._meta.get_field("name").max_length,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("如：国庆节")}),
        error_messages={
            "required": _("请填写节日名称，如“国庆节”。"),
            "max_length": _("节日名称最多 %(limit_value)d 个字。"),
        },
        help_text=_("调休上班日填写所调休的节日。"),
    )

    #: Where a domain error from the action belongs on this form.
    ERROR_FIELDS = {
        "bad_date": "date",
        "bad_kind": "kind",
        "workday_on_weekday": "kind",
        "bad_name": "name",
        "already_holiday": "date",
        "already_workday": "date",
    }


class RemoveDayForm(_Form):
    date = _DateField(label=_("日期"))


class CalculatorForm(_Form):
    DAYS, MONTHS = "days", "months"
    UNIT_CHOICES = [(DAYS, _("个工作日")), (MONTHS, _("个月"))]
    LIMITS = {DAYS: 1000, MONTHS: 120}

    start = _DateField(label=_("起算日"))
    n = forms.IntegerField(
        label=_("期限"),
        min_value=0,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={
            "required": _("请填写天数或月数。"),
            "invalid": _("请填写整数。"),
            "min_value": _("不能是负数。"),
        },
    )
    unit = forms.ChoiceField(
        label=_("单位"),
        choices=UNIT_CHOICES,
        initial=DAYS,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("请选择“个工作日”或“个月”。")},
    )

    def clean(self):
        super().clean()
        data = self.cleaned_data
        n, unit = data.get("n"), data.get("unit")
        if n is not None and unit in self.LIMITS and n > self.LIMITS[unit]:
            self.add_error(
                "n",
                _("最多 %(limit)s%(unit)s。")
                % {"limit": self.LIMITS[unit], "unit": dict(self.UNIT_CHOICES)[unit]},
            )
        return data


class CompleteYearForm(_Form):
    notice = forms.CharField(
        label=_("依据的通知"),
        max_length=200,
        widget=forms.TextInput(
            attrs={"class": "form-control", "placeholder": _("如：国办发明电〔2026〕7号")}
        ),
        error_messages={"required": _("请填写所依据的通知，如“国办发明电〔2026〕7号”。")},
        help_text=_("国务院办公厅关于该年部分节假日安排的通知的文号或标题。"),
    )


class RecomputeForm(_Form):
    reason = forms.CharField(
        label=_("原因"),
        max_length=500,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": _("请写明重新计算的原因（如“国务院公布了新的放假安排”）。")},
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)


class LocalClosureForm(_Form):
    date = _DateField(label=_("日期"))
    name = forms.CharField(
        label=_("原因"),
        max_length=50,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("如：台风停工")}),
        error_messages={"required": _("请填写停止办公的原因，如“台风停工”。")},
    )

    ERROR_FIELDS = {"bad_date": "date", "already_closed": "date", "not_a_workday": "date", "bad_name": "name"}
