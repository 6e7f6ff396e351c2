"""Forms of the intake pages: input validation only, choices limited to the current congress (and to
the user's own stations); the rules that need the database or the state live in the actions, whose
errors the views put back next to the fields. The opinion form is made for a phone at a station:
big fields, the date defaults to today (or the event's day), contact data clearly optional."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.congress.forms import BootstrapMixin, DateInput, FilterForm
from minyi.congress.models import (
    Category,
    Channel,
    Congress,
    Deputy,
    LiaisonStation,
    ThemeTag,
    Unit,
    phone_validator,
)
from minyi.congress.selectors import unit_choices
from minyi.core.forms import PickerWidget, choice_field, model_choice

from .models import EventKind, Opinion, StationEvent
from .states import OpinionState

TEXTAREA = {"rows": 5}
SHORT_TEXTAREA = {"rows": 3}


def deputies_in_office(congress: Congress) -> QuerySet[Deputy]:
    today = timezone.localdate()
    return (
        Deputy.objects.filter(congress=congress, in_office_from__lte=today)
        .exclude(in_office_to__lt=today)
        .order_by("number")
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (Django's documented pattern); cleans to a list. The content type
    is checked by the action (`actions.inspect_photo`)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("照片"))
        kwargs.setdefault("help_text", _("可选择多张照片（JPG、PNG、GIF、WebP、HEIC）；手机上可直接拍照。"))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        files = (
            [single(item, initial) for item in data if item]
            if isinstance(data, (list, tuple))
            else ([single(data, initial)] if data else [])
        )
        limit = settings.MINYI_MAX_UPLOAD_BYTES
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("“%(name)s”过大：每张照片最大%(mb)sMB。"),
                    params={"name": upload.name, "mb": round(limit / 1024 / 1024, 1)},
                    code="file_too_large",
                )
        return files


class DeputiesField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Deputy) -> str:
        return f"{obj.name}（{obj.number}）"


class EventForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("活动类型"), choices=EventKind.choices)
    date = forms.DateField(label=_("活动日期"), widget=DateInput())
    title = forms.CharField(label=_("活动主题"), max_length=200)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    topics = forms.CharField(label=_("议题"), required=False, widget=forms.Textarea(attrs=SHORT_TEXTAREA))
    deputies = DeputiesField(
        label=_("参加代表"),
        queryset=Deputy.objects.none(),
        required=False,
        widget=PickerWidget,
        help_text=_("输入姓名筛选，勾选参加的代表。"),
    )
    officials = forms.CharField(
        label=_("出席的有关部门负责人"),
        max_length=500,
        required=False,
        help_text=_("如：区住建局局长 王某某；城关街道办事处主任 李某某"),
    )
    minutes = forms.CharField(label=_("活动纪要"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    photos = PhotosField()

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "deputies").queryset = deputies_in_office(congress)


class DutyDayForm(BootstrapMixin, forms.Form):
    date = forms.DateField(label=_("坐班日期"), widget=DateInput())
    deputies = DeputiesField(
        label=_("坐班代表"),
        queryset=Deputy.objects.none(),
        widget=PickerWidget,
        help_text=_("输入姓名筛选，勾选参加的代表。"),
    )
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs=SHORT_TEXTAREA))

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "deputies").queryset = deputies_in_office(congress)


class EventChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: StationEvent) -> str:
        return f"{obj.date:%Y-%m-%d} {obj.get_kind_display()}：{obj.title}（{obj.station.name}）"


class OpinionForm(BootstrapMixin, forms.Form):
    """社情民意登记: the big-field form a liaison clerk or a deputy fills in on a phone."""

    station = forms.ModelChoiceField(
        label=_("联络站"), queryset=LiaisonStation.objects.none(), required=False
    )
    event = EventChoiceField(
        label=_("活动"),
        queryset=StationEvent.objects.none(),
        required=False,
        empty_label=_("（不在活动中收集）"),
    )
    collected_on = forms.DateField(label=_("收集日期"), widget=DateInput())
    content = forms.CharField(
        label=_("意见内容"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": _("群众反映的问题和诉求")}),
    )
    category = forms.ModelChoiceField(label=_("分类"), queryset=Category.objects.none(), required=False)
    place = forms.CharField(label=_("地点"), max_length=200, required=False)
    constituent_name = forms.CharField(
        label=_("反映人姓名"),
        max_length=64,
        required=False,
        help_text=_("选填。不公开，只有本站联络站工作人员和负责代表可见。"),
    )
    constituent_phone = forms.CharField(
        label=_("反映人电话"),
        max_length=20,
        required=False,
        validators=[phone_validator],
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "off"}),
        help_text=_("选填。用于把办理结果短信告知反映人；不公开。"),
    )
    deputy = forms.ModelChoiceField(
        label=_("负责代表"),
        queryset=Deputy.objects.none(),
        required=False,
        empty_label=_("（暂不指定）"),
        help_text=_("指定后，该代表可以据此形成建议。"),
    )
    photos = PhotosField()

    def __init__(
        self,
        *args: Any,
        congress: Congress,
        stations: QuerySet[LiaisonStation],
        events: QuerySet[StationEvent],
        choose_deputy: bool,
        station_required: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "station").queryset = stations
        self.fields["station"].required = station_required
        if not station_required:
            model_choice(self, "station").empty_label = _("（不在联络站）")
        model_choice(self, "event").queryset = events
        model_choice(self, "category").queryset = Category.objects.filter(
            congress=congress, active=True
        ).order_by("order", "pk")
        if choose_deputy:
            model_choice(self, "deputy").queryset = deputies_in_office(congress)
        else:
            del self.fields["deputy"]
        for name in ("content", "constituent_name", "constituent_phone", "place", "collected_on"):
            widget = self.fields[name].widget
            widget.attrs["class"] = widget.attrs.get("class", "") + " form-control-lg"
        for name in ("station", "event", "category", "deputy"):
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = widget.attrs.get("class", "") + " form-select-lg"

    def clean_constituent_phone(self) -> str:
        return "".join((self.cleaned_data.get("constituent_phone") or "").split())


class OpinionFilterForm(FilterForm):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("意见内容")}),
    )
    state = forms.ChoiceField(label=_("处理状态"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "state").choices = [("", _("全部状态")), *OpinionState.choices]


# --- the disposition steps -------------------------------------------------------------------------


class ReferForm(BootstrapMixin, forms.Form):
    deputy = forms.ModelChoiceField(label=_("交给代表"), queryset=Deputy.objects.none())

    def __init__(self, *args: Any, opinion: Opinion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "deputy").queryset = deputies_in_office(opinion.congress)


class AnswerForm(BootstrapMixin, forms.Form):
    answer = forms.CharField(label=_("答复内容"), max_length=2000, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, opinion: Opinion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class ForwardForm(BootstrapMixin, forms.Form):
    unit = forms.TypedChoiceField(label=_("转办单位"), coerce=int)
    note = forms.CharField(label=_("转办说明"), required=False, widget=forms.Textarea(attrs=SHORT_TEXTAREA))

    def __init__(self, *args: Any, opinion: Opinion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.congress = opinion.congress
        choice_field(self, "unit").choices = [("", _("请选择")), *unit_choices(opinion.congress)]

    def clean_unit(self) -> Unit:
        try:
            return Unit.objects.get(pk=self.cleaned_data["unit"], congress=self.congress)
        except Unit.DoesNotExist:
            raise forms.ValidationError(_("请选择本人大的单位。")) from None


class ReturnForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("退回理由"), max_length=2000, widget=forms.Textarea(attrs=SHORT_TEXTAREA)
    )

    def __init__(self, *args: Any, opinion: Opinion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)


class OpinionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Opinion) -> str:
        text = " ".join(obj.content.split())
        return f"#{obj.pk} {obj.collected_on:%Y-%m-%d} {text[:40]}（{obj.get_state_display()}）"


class MergeForm(BootstrapMixin, forms.Form):
    into = OpinionChoiceField(label=_("合并到"), queryset=Opinion.objects.none())
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs=SHORT_TEXTAREA))

    def __init__(self, *args: Any, opinion: Opinion, targets: QuerySet[Opinion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "into").queryset = targets


class AdoptForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("案由"), max_length=200)
    facts = forms.CharField(label=_("情况与问题"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    proposals = forms.CharField(label=_("具体建议"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    category = forms.ModelChoiceField(label=_("分类"), queryset=Category.objects.none(), required=False)
    channel = forms.ModelChoiceField(
        label=_("收集渠道"),
        queryset=Channel.objects.none(),
        empty_label=None,
        help_text=_("由社情民意形成的建议计入基层渠道。"),
    )
    theme_tags = forms.ModelMultipleChoiceField(
        label=_("主题标签"),
        queryset=ThemeTag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    copy_photos = forms.BooleanField(
        label=_("把该意见的照片作为建议附件"),
        required=False,
        help_text=_("照片中如有反映人的个人信息，请勿勾选。"),
    )

    def __init__(self, *args: Any, opinion: Opinion, channels: QuerySet[Channel], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        congress = opinion.congress
        model_choice(self, "category").queryset = Category.objects.filter(
            congress=congress, active=True
        ).order_by("order", "pk")
        model_choice(self, "channel").queryset = channels
        model_choice(self, "theme_tags").queryset = ThemeTag.objects.filter(
            congress=congress, active=True
        ).order_by("order", "pk")


class NotifyForm(BootstrapMixin, forms.Form):
    text = forms.CharField(
        label=_("短信内容"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("发给反映人本人；每个结果只发送一次。"),
    )

    def __init__(self, *args: Any, opinion: Opinion, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
