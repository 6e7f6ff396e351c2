"""Forms of the awards pages: input validation only (the actions decide the rest)."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.congress.models import Congress, Unit

from .models import AwardRound, Criterion
from .selectors import judges_available
from .states import Track

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kw: Any) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M", **kw)


def _deadline_field(label: Any = None) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label or _("评分截止时间"),
        input_formats=DATETIME_FORMATS,
        widget=DateTimeLocalInput(attrs={"class": "form-control"}),
        error_messages={
            "required": _("请填写评分截止时间。"),
            "invalid": _("请按“年-月-日 时:分”填写时间。"),
        },
    )


def _int(label, low, high, help_text="") -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=low,
        max_value=high,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        error_messages={
            "required": _("请填写%(f)s。") % {"f": label},
            "invalid": _("请填写整数。"),
            "min_value": _("不能小于%(limit_value)s。"),
            "max_value": _("不能大于%(limit_value)s。"),
        },
    )


class RoundSettingsForm(forms.Form):
    title = forms.CharField(
        label=_("评选名称"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        help_text=_("不填则自动生成，如“2026年第三季度优秀建议和先进承办单位评选”。"),
    )
    scoring_deadline = _deadline_field()
    min_scores = _int(
        AwardRound._meta.get_field("min_scores").verbose_name,
        1,
        50,
        AwardRound._meta.get_field("min_scores").help_text,
    )
    suggestion_quota = _int(AwardRound._meta.get_field("suggestion_quota").verbose_name, 1, 100)
    unit_quota = _int(AwardRound._meta.get_field("unit_quota").verbose_name, 1, 100)
    unit_min_count = _int(
        AwardRound._meta.get_field("unit_min_count").verbose_name,
        1,
        1000,
        AwardRound._meta.get_field("unit_min_count").help_text,
    )

    def clean_title(self) -> str:
        return (self.cleaned_data.get("title") or "").strip()


class RoundForm(RoundSettingsForm):
    year = _int(_("年度"), 2000, 2100)
    quarter = forms.TypedChoiceField(
        label=_("季度"),
        coerce=int,
        choices=[(1, _("第一季度")), (2, _("第二季度")), (3, _("第三季度")), (4, _("第四季度"))],
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("请选择季度。"), "invalid_choice": _("请选择第一至第四季度。")},
    )
    field_order = [
        "year",
        "quarter",
        "title",
        "scoring_deadline",
        "min_scores",
        "suggestion_quota",
        "unit_quota",
        "unit_min_count",
    ]


class CriterionForm(forms.Form):
    track = forms.ChoiceField(
        label=_("评选类别"), choices=Track.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    name = forms.CharField(
        label=_("评分项"),
        max_length=60,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={"required": _("请填写评分项名称。")},
    )
    description = forms.CharField(
        label=_("说明"),
        max_length=200,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    weight = _int(_("权重"), 1, 100, _("各评分项按权重加权平均，权重之和不必等于100。"))


class CriterionEditForm(CriterionForm):
    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        del self.fields["track"]


class JudgeForm(forms.Form):
    judge: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("评审专家"),
        queryset=None,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"required": _("请选择评审。"), "invalid_choice": _("请选择本人大的评审专家。")},
    )

    def __init__(self, congress: Congress, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = cast(forms.ModelChoiceField, self.fields["judge"])
        field.queryset = judges_available(congress)
        field.label_from_instance = lambda u: u.display_name  # type: ignore[method-assign,assignment]


class NomineeForm(forms.Form):
    track = forms.ChoiceField(
        label=_("评选类别"),
        choices=Track.choices,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
    )
    suggestion: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("建议"),
        queryset=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("请选择本人大已立案的建议。")},
    )
    unit: forms.ModelChoiceField[Any] = forms.ModelChoiceField(
        label=_("承办单位"),
        queryset=None,
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        error_messages={"invalid_choice": _("请选择本人大的承办单位。")},
    )
    reason = forms.CharField(
        label=_("增补理由"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        error_messages={"required": _("请写明增补理由。")},
    )

    def __init__(self, award_round: AwardRound, *args: Any, **kw: Any) -> None:
        from minyi.suggestions.selectors import nominable_suggestions

        super().__init__(*args, **kw)
        cast(forms.ModelChoiceField, self.fields["suggestion"]).queryset = nominable_suggestions(
            award_round.congress
        ).order_by("-year", "-seq")
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = Unit.objects.filter(
            congress=award_round.congress, active=True
        ).order_by("order", "name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        track = data.get("track")
        if track == Track.SUGGESTION and not data.get("suggestion"):
            self.add_error("suggestion", _("请选择建议。"))
        if track == Track.UNIT and not data.get("unit"):
            self.add_error("unit", _("请选择承办单位。"))
        if track == Track.SUGGESTION:
            data["unit"] = None
        elif track == Track.UNIT:
            data["suggestion"] = None
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("理由"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        error_messages={"required": _("请写明理由。")},
    )


class ApproveForm(forms.Form):
    note = forms.CharField(
        label=_("审定意见"),
        required=False,
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
        help_text=_("如“经第十二次主任会议审定”。"),
    )


class ReopenForm(forms.Form):
    scoring_deadline = _deadline_field(_("新的评分截止时间"))
    reason = forms.CharField(
        label=_("理由"),
        widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
        error_messages={"required": _("请写明重新开放评分的理由。")},
    )

    def clean_scoring_deadline(self):
        value = self.cleaned_data["scoring_deadline"]
        if value <= timezone.now():
            raise forms.ValidationError(_("新的评分截止时间须晚于现在。"))
        return value


class ScoreForm(forms.Form):
    """One number field (0–100) per criterion of the nominee's track, named ``c<id>``."""

    def __init__(
        self, criteria: list[Criterion], *args: Any, initial_values: dict[int, int] | None = None, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        self.criteria = criteria
        for c in criteria:
            field = _int(c.name, 0, 100, c.description)
            field.widget.attrs.update(
                {"min": 0, "max": 100, "step": 1, "class": "form-control form-control-lg score-input"}
            )
            field.error_messages["required"] = _("请为“%(c)s”打分。") % {"c": c.name}
            field.weight = c.weight  # type: ignore[attr-defined]
            if initial_values and c.pk in initial_values:
                field.initial = initial_values[c.pk]
            self.fields[f"c{c.pk}"] = field

    def values(self) -> dict[int, int]:
        return {c.pk: self.cleaned_data[f"c{c.pk}"] for c in self.criteria}
