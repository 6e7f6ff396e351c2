"""Input validation only: every rule about the records themselves is in `actions.py`, whose errors
the views put next to the fields."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from minyi.accounts.models import User
from minyi.congress.forms import BootstrapMixin, DateInput
from minyi.congress.models import Congress, Deputy, Unit
from minyi.core.forms import PickerWidget
from minyi.suggestions.models import Assignment
from minyi.workdays.services import MAX_YEAR, MIN_YEAR

from .models import ATTACHMENT_KINDS, Check, DeputyView, Inspection, SupervisionRecord

TEXTAREA = {"rows": 4}
SHORT = {"rows": 2}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; cleans to a list (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        files = [single(item, initial) for item in data if item] if isinstance(data, (list, tuple)) else []
        if not isinstance(data, (list, tuple)) and data:
            files = [single(data, initial)]
        limit = settings.MINYI_MAX_UPLOAD_BYTES
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("“%(name)s”过大：每个文件最大%(mb)sMB。"),
                    params={"name": upload.name, "mb": round(limit / 1024 / 1024, 1)},
                    code="file_too_large",
                )
        return files


def _units(congress: Congress):
    return Unit.objects.filter(congress=congress, active=True).order_by("order", "name")


def _members(congress: Congress):
    return (
        User.objects.filter(memberships__congress=congress, memberships__active=True, is_active=True)
        .distinct()
        .order_by("username")
    )


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.display_name}（{obj.username}）"


# --- themes ----------------------------------------------------------------------------------------


class ThemeForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    name = forms.CharField(
        label=_("督办主题"), max_length=100, help_text=_("如“物业管理”“居家养老”“乡村振兴”。")
    )
    supervising_leader_name = forms.CharField(
        label=_("领衔督办领导"),
        max_length=100,
        required=False,
        help_text=_("姓名和职务，如“王某某 常委会副主任”。有平台账号的，也可在下面选择。"),
    )
    supervising_leader = UserChoiceField(
        label=_("领衔督办领导的账号"), queryset=User.objects.none(), required=False
    )
    lead_unit = forms.ModelChoiceField(label=_("牵头办理单位"), queryset=Unit.objects.none(), required=False)
    plan = forms.CharField(label=_("督办方案"), required=False, widget=forms.Textarea(attrs={"rows": 6}))

    def __init__(self, *args: Any, congress: Congress, edit: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["supervising_leader"]).queryset = _members(congress)
        cast(forms.ModelChoiceField, self.fields["lead_unit"]).queryset = _units(congress)
        if edit:
            self.fields["active"] = forms.BooleanField(
                label=_("督办中"), required=False, help_text=_("取消勾选即结束该主题的督办（记录保留）。")
            )
            self.fields["active"].widget.attrs["class"] = "form-check-input"


class SuggestionSearchForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("查找建议"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("案由或编号"), "type": "search"}),
    )


class RemoveForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("原因"), required=False, max_length=500)


# --- supervision records ---------------------------------------------------------------------------


class RecordForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("督办方式"), choices=SupervisionRecord.Kind.choices)
    held_on = forms.DateField(label=_("日期"), widget=DateInput())
    place = forms.CharField(label=_("地点"), required=False, max_length=200)
    participants = forms.CharField(
        label=_("参加人员"),
        widget=forms.Textarea(attrs=SHORT),
        help_text=_("领导、委员、承办单位人员等；参加的代表请在下面选择。"),
    )
    deputies = forms.ModelMultipleChoiceField(
        label=_("参加的代表"),
        queryset=Deputy.objects.none(),
        required=False,
        widget=PickerWidget,
        help_text=_("输入姓名筛选，勾选参加的代表。"),
    )
    findings = forms.CharField(label=_("发现的问题"), widget=forms.Textarea(attrs=TEXTAREA))
    requirements = forms.CharField(label=_("督办要求"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    unit = forms.ModelChoiceField(
        label=_("被督办单位"),
        queryset=Unit.objects.none(),
        required=False,
        help_text=_("需要单位反馈时选择；督办主题默认为牵头单位。"),
    )
    respond_by = forms.DateField(label=_("反馈时限"), required=False, widget=DateInput())
    uploads = MultipleFileField(
        label=_("照片和纪要"),
        help_text=_("可选择多个文件：照片（JPG、PNG 等）、PDF 或 Word 文档。"),
    )
    file_kind = forms.ChoiceField(label=_("材料类型"), choices=ATTACHMENT_KINDS, initial="photo")

    def __init__(
        self,
        *args: Any,
        congress: Congress,
        kinds: list[str] | None = None,
        others: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        #: The records already kept for the same theme, suggestion or instruction: a second one of
        #: the same kind on the same day is held back once with a warning (issue #12).
        self.others = others
        cast(forms.ModelMultipleChoiceField, self.fields["deputies"]).queryset = Deputy.objects.filter(
            congress=congress
        ).order_by("number")
        cast(forms.ModelChoiceField, self.fields["unit"]).queryset = _units(congress)
        if kinds is not None:
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                c for c in SupervisionRecord.Kind.choices if c[0] in kinds
            ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind, day = data.get("kind"), data.get("held_on")
        if self.others is None or not kind or day is None or self.data.get("confirm_duplicate"):
            return data
        same = self.others.filter(kind=kind, held_on=day).select_related("recorded_by").first()
        if same is not None:
            self.fields["confirm_duplicate"] = forms.BooleanField(
                label=_("确是另一次督办，仍要登记"), required=False
            )
            self.add_error(
                "confirm_duplicate",
                forms.ValidationError(
                    _(
                        "%(d)s已有一条%(k)s记录（%(who)s登记：%(s)s）。请不要重复登记；"
                        "如确是另一次督办，请勾选下面一项后再提交。"
                    ),
                    params={
                        "d": date_format(day, "SHORT_DATE_FORMAT"),
                        "k": same.get_kind_display(),
                        "who": same.recorded_by.display_name,
                        "s": Truncator(same.findings).chars(40),
                    },
                    code="duplicate_record",
                ),
            )
        return data


class ResponseForm(BootstrapMixin, forms.Form):
    response = forms.CharField(label=_("反馈内容"), widget=forms.Textarea(attrs=TEXTAREA))


class AttachmentForm(BootstrapMixin, forms.Form):
    uploads = MultipleFileField(label=_("文件"))
    file_kind = forms.ChoiceField(label=_("材料类型"), choices=ATTACHMENT_KINDS, initial="photo")

    def clean_uploads(self) -> list:
        files = self.cleaned_data["uploads"]
        if not files:
            raise forms.ValidationError(_("请选择要上传的文件。"), code="required")
        return files


# --- task force and inspections --------------------------------------------------------------------


class TaskForceForm(BootstrapMixin, forms.Form):
    user = UserChoiceField(label=_("成员"), queryset=User.objects.none())
    note = forms.CharField(
        label=_("说明"), required=False, max_length=200, help_text=_("如“区人大代表”“代表工委副主任”。")
    )

    def __init__(self, *args: Any, candidates, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = candidates


def _check_field(label: Any) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=Check.choices, widget=forms.RadioSelect)


class AssignmentChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Assignment) -> str:
        return f"{obj.unit}（{obj.get_role_display()}，{obj.get_state_display()}）"


class InspectionForm(BootstrapMixin, forms.Form):
    assignment = AssignmentChoiceField(
        label=_("检查的承办单位"), queryset=Assignment.objects.none(), widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(label=_("检查方式"), choices=Inspection.Kind.choices, widget=forms.RadioSelect)
    inspected_on = forms.DateField(label=_("检查日期"), widget=DateInput())
    contacted = _check_field(_("是否真正联系了代表"))
    reply_real = _check_field(_("答复内容是否属实"))
    solved = _check_field(_("问题是否解决"))
    findings = forms.CharField(label=_("检查发现"), widget=forms.Textarea(attrs=TEXTAREA))
    required_action = forms.CharField(label=_("整改要求"), required=False, widget=forms.Textarea(attrs=SHORT))
    due_on = forms.DateField(label=_("整改反馈时限"), required=False, widget=DateInput())
    deputy_view = forms.ChoiceField(
        label=_("代表是否认可"),
        choices=DeputyView.choices,
        initial=DeputyView.UNKNOWN,
        widget=forms.RadioSelect,
    )
    deputy_opinion = forms.CharField(label=_("代表意见"), required=False, widget=forms.Textarea(attrs=SHORT))

    def __init__(self, *args: Any, assignments, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["assignment"]).queryset = assignments


class AnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs=TEXTAREA))


class DeputyViewForm(BootstrapMixin, forms.Form):
    view = forms.ChoiceField(
        label=_("代表是否认可"),
        choices=[c for c in DeputyView.choices if c[0] != DeputyView.UNKNOWN],
        widget=forms.RadioSelect,
    )
    opinion = forms.CharField(label=_("代表意见"), required=False, widget=forms.Textarea(attrs=SHORT))


# --- instructions ----------------------------------------------------------------------------------


class InstructionForm(BootstrapMixin, forms.Form):
    leader_name = forms.CharField(label=_("批示领导"), max_length=64)
    leader_title = forms.CharField(label=_("职务"), required=False, max_length=100)
    instructed_on = forms.DateField(label=_("批示日期"), widget=DateInput())
    text = forms.CharField(label=_("批示内容"), widget=forms.Textarea(attrs=TEXTAREA))
    due_on = forms.DateField(
        label=_("专项督查办结时限"),
        required=False,
        widget=DateInput(),
        help_text=_("督查考核室要求承办单位报告落实情况的日期。"),
    )


class ConcludeForm(BootstrapMixin, forms.Form):
    conclusion = forms.CharField(label=_("督查结论"), widget=forms.Textarea(attrs=TEXTAREA))


# --- deadlines and decisions -----------------------------------------------------------------------


class RecalculateForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("重新计算的原因"),
        max_length=500,
        widget=forms.Textarea(attrs=SHORT),
        help_text=_("如“国务院办公厅公布了2027年放假安排”“常委会调整了答复时限”。"),
    )
    token = forms.CharField(widget=forms.HiddenInput)


class DecisionForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        choices=[("approve", _("同意")), ("refuse", _("不同意"))], widget=forms.HiddenInput
    )
    until = forms.DateField(label=_("批准延至"), required=False, widget=DateInput())
    note = forms.CharField(label=_("意见"), required=False, max_length=1000)


class BoardFilterForm(forms.Form):
    unit = forms.IntegerField(required=False, min_value=1)
    body = forms.IntegerField(required=False, min_value=1)
    staff = forms.BooleanField(required=False)
