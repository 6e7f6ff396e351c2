"""Forms of the suggestion pages. They validate input only and offer choices limited to the current
congress (and, for coordinators, to their body); the rules that need the database, the state or
several rows live in the `do_*` actions, whose errors the views put back next to the fields."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from minyi.congress.forms import BootstrapMixin, DateInput, FilterForm
from minyi.congress.models import (
    Category,
    Channel,
    Congress,
    Deputy,
    ExclusionReason,
    Policy,
    ResultClass,
    Session,
    ThemeTag,
    Unit,
)
from minyi.congress.selectors import unit_choices
from minyi.core.forms import choice_field, choices_of, cleaned, label_choices, model_choice

from .actions import CommitmentInput, SuggestionContent
from .letter import read_body
from .models import ContactMethod, ContactPhase, Disposition, Rating, Suggestion, SuggestionKind
from .states import SuggestionState

TEXTAREA = {"rows": 5}
SHORT_TEXTAREA = {"rows": 3}


def _active(model, congress: Congress) -> QuerySet:
    return model.objects.filter(congress=congress, active=True).order_by("order", "pk")


# --- uploads ---------------------------------------------------------------------------------------


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern); cleans to a list."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list:
        single = super().clean
        if isinstance(data, (list, tuple)):
            files = [single(item, initial) for item in data if item]
        else:
            files = [single(data, initial)] if data else []
        limit = settings.MINYI_MAX_UPLOAD_BYTES
        for upload in files:
            if upload.size > limit:
                raise forms.ValidationError(
                    _("“%(name)s”过大：每个文件最大%(mb)sMB。"),
                    params={"name": upload.name, "mb": round(limit / 1024 / 1024, 1)},
                    code="file_too_large",
                )
        return files


def attachments_field(label: Any = None) -> MultipleFileField:
    return MultipleFileField(
        label=label or _("附件"),
        help_text=_("可选择多个文件：PDF、Word、Excel、PowerPoint 文档或图片（JPG、PNG 等）。"),
    )


# --- filters ---------------------------------------------------------------------------------------


class SuggestionFilterForm(FilterForm):
    q = forms.CharField(
        label=_("关键词"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"placeholder": _("案由、编号、内容或领衔代表"), "type": "search"}),
    )
    state = forms.ChoiceField(label=_("状态"), required=False)
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    category = forms.ModelChoiceField(
        label=_("分类"), queryset=Category.objects.none(), required=False, empty_label=_("全部分类")
    )
    unit = forms.TypedChoiceField(label=_("承办单位"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, congress: Congress, years: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice_field(self, "state").choices = [("", _("全部状态")), *SuggestionState.choices]
        choice_field(self, "year").choices = [("", _("全部年度")), *[(y, str(y)) for y in years]]
        model_choice(self, "category").queryset = Category.objects.filter(congress=congress).order_by(
            "order", "pk"
        )
        choice_field(self, "unit").choices = [("", _("全部单位")), *unit_choices(congress, active_only=False)]


# --- drafting --------------------------------------------------------------------------------------


class SuggestionForm(BootstrapMixin, forms.Form):
    """Create or edit a draft (or a returned suggestion). Only the title is needed to save a draft;
    submitting needs the rest, and the detail page says what is still missing."""

    lead = forms.ModelChoiceField(
        label=_("领衔代表"),
        queryset=Deputy.objects.none(),
        help_text=_("联络站工作人员代代表录入草稿；草稿须由代表本人登录后提交。"),
    )
    title = forms.CharField(
        label=_("案由"),
        max_length=200,
        help_text=_("一句话概括建议，如“关于加强老旧小区物业管理的建议”。"),
    )
    kind = forms.ChoiceField(
        label=_("建议类别"), choices=SuggestionKind.choices, initial=SuggestionKind.INTERIM
    )
    session = forms.ModelChoiceField(
        label=_("会议"),
        queryset=Session.objects.none(),
        required=False,
        empty_label=_("（闭会期间）"),
        help_text=_("大会期间提出的建议请选择所在的会议。"),
    )
    facts = forms.CharField(label=_("情况与问题"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    proposals = forms.CharField(label=_("具体建议"), required=False, widget=forms.Textarea(attrs=TEXTAREA))
    category = forms.ModelChoiceField(
        label=_("分类"), queryset=Category.objects.none(), required=False, empty_label=_("（请选择）")
    )
    theme_tags = forms.ModelMultipleChoiceField(
        label=_("主题标签"),
        queryset=ThemeTag.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    channel = forms.ModelChoiceField(
        label=_("收集渠道"), queryset=Channel.objects.none(), required=False, empty_label=_("（请选择）")
    )
    collected_on = forms.DateField(
        label=_("民意收集日期"), required=False, widget=DateInput(), help_text=_("群众反映这一问题的日期。")
    )
    suggested_units = forms.TypedMultipleChoiceField(
        label=_("建议承办单位"),
        required=False,
        coerce=int,
        help_text=_("可不选，也可选择多个。最终由代表工委交办。"),
        widget=forms.CheckboxSelectMultiple,
    )
    attachments = attachments_field()

    def __init__(
        self,
        *args: Any,
        congress: Congress,
        choose_lead: bool = False,
        instance: Suggestion | None = None,
        **kwargs: Any,
    ) -> None:
        if instance is not None and "initial" not in kwargs:
            kwargs["initial"] = {
                "title": instance.title,
                "kind": instance.kind,
                "session": instance.session_id,
                "facts": instance.facts,
                "proposals": instance.proposals,
                "category": instance.category_id,
                "theme_tags": [t.pk for t in instance.theme_tags.all()],
                "channel": instance.channel_id,
                "collected_on": instance.collected_on,
                "suggested_units": [u.pk for u in instance.suggested_units.all()],
            }
        super().__init__(*args, **kwargs)
        self.congress = congress
        self.units = {u.pk: u for u in Unit.objects.filter(congress=congress, active=True)}
        if choose_lead:
            today = timezone.localdate()
            model_choice(self, "lead").queryset = (
                Deputy.objects.filter(congress=congress, in_office_from__lte=today)
                .filter(Q(in_office_to__isnull=True) | Q(in_office_to__gte=today))
                .order_by("number")
            )
            label_choices(model_choice(self, "lead"), lambda d: f"{d.name}（{d.number}）")
        else:
            del self.fields["lead"]
        model_choice(self, "session").queryset = Session.objects.filter(
            term__congress=congress
        ).select_related("term")
        model_choice(self, "category").queryset = _active(Category, congress)
        theme_tags = _active(ThemeTag, congress)
        model_choice(self, "theme_tags").queryset = theme_tags
        model_choice(self, "channel").queryset = _active(Channel, congress)
        choice_field(self, "suggested_units").choices = [
            (pk, name) for pk, name in unit_choices(congress) if pk in self.units
        ]
        if not theme_tags.exists():
            del self.fields["theme_tags"]

    def clean_collected_on(self) -> datetime.date | None:
        day = self.cleaned_data.get("collected_on")
        if day and day > timezone.localdate():
            raise forms.ValidationError(_("民意收集日期不能晚于今天。"), code="collected_in_future")
        return day

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        if (
            data.get("kind") == SuggestionKind.SESSION
            and not data.get("session")
            and Session.objects.filter(term__congress=self.congress).exists()
        ):
            self.add_error("session", _("大会期间建议请选择会议。"))
        return data

    def content(self) -> SuggestionContent:
        d = self.cleaned_data
        return SuggestionContent(
            title=d["title"],
            facts=d.get("facts") or "",
            proposals=d.get("proposals") or "",
            category=d.get("category"),
            theme_tags=list(d.get("theme_tags") or []),
            channel=d.get("channel"),
            collected_on=d.get("collected_on"),
            suggested_units=[self.units[pk] for pk in d.get("suggested_units") or [] if pk in self.units],
            kind=d.get("kind") or SuggestionKind.INTERIM,
            session=d.get("session"),
        )


class AttachmentsForm(BootstrapMixin, forms.Form):
    attachments = attachments_field(_("添加附件"))

    def clean_attachments(self) -> list:
        files = self.cleaned_data.get("attachments") or []
        if not files:
            raise forms.ValidationError(_("请选择要上传的文件。"), code="required")
        return files


class InviteCosignerForm(BootstrapMixin, forms.Form):
    deputy = forms.ModelChoiceField(
        label=_("联名代表"),
        queryset=Deputy.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择要邀请的代表。"),
            "invalid_choice": _("该代表不能被邀请（可能已邀请过、不在任或未开通账号），请重新选择。"),
        },
    )

    def __init__(self, *args: Any, suggestion: Suggestion, q: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "deputy").queryset = invitable_deputies(suggestion)
        self.q = q.strip()
        label_choices(
            model_choice(self, "deputy"),
            lambda d: f"{d.name}（{d.number}）" + (f" · {d.group.name}" if d.group_id else ""),
        )

    def shown_choices(self, limit: int = 30) -> list[Deputy]:
        """The deputies the search box matches (all eligible ones without a search), at most `limit`."""
        qs = choices_of(self, "deputy").select_related("group")
        if self.q:
            qs = qs.filter(
                Q(name__icontains=self.q)
                | Q(number__icontains=self.q)
                | Q(group__name__icontains=self.q)
                | Q(organisation__icontains=self.q)
            )
        return list(qs[:limit])


def invitable_deputies(suggestion: Suggestion) -> QuerySet[Deputy]:
    """Deputies of the congress, in office, with an account, not the lead and not already invited or
    co-signing."""
    today = timezone.localdate()
    taken = suggestion.cosigners.filter(state__in=["invited", "confirmed"]).values("deputy_id")
    return (
        Deputy.objects.filter(
            congress_id=suggestion.congress_id, user__isnull=False, in_office_from__lte=today
        )
        .filter(Q(in_office_to__isnull=True) | Q(in_office_to__gte=today))
        .exclude(pk=suggestion.lead_id)
        .exclude(pk__in=taken)
        .order_by("number")
    )


class ReasonForm(BootstrapMixin, forms.Form):
    """One required text: a reason, a note or an opinion (the label says which)."""

    text = forms.CharField(widget=forms.Textarea(attrs=SHORT_TEXTAREA))

    def __init__(self, *args: Any, label: Any = None, required: bool = True, help_text: Any = "", **kwargs):
        super().__init__(*args, **kwargs)
        label = label or _("理由")
        self.fields["text"].label = label
        self.fields["text"].required = required
        self.fields["text"].help_text = help_text
        self.fields["text"].error_messages["required"] = _("请填写%(what)s。") % {"what": label}


# --- review and assignment -------------------------------------------------------------------------


class DeclineForm(BootstrapMixin, forms.Form):
    reason = forms.ModelChoiceField(
        label=_("不予立案情形"),
        queryset=ExclusionReason.objects.none(),
        empty_label=_("（请选择）"),
        error_messages={"required": _("请选择不予立案的情形。")},
    )
    disposition = forms.ChoiceField(
        label=_("处理方式"),
        choices=Disposition.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择处理方式。")},
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs=SHORT_TEXTAREA))

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "reason").queryset = _active(ExclusionReason, congress)


class MergeForm(BootstrapMixin, forms.Form):
    into = forms.ModelChoiceField(
        label=_("并入的主建议"),
        queryset=Suggestion.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择并入的主建议。"), "invalid_choice": _("该建议不能作为主建议。")},
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs=SHORT_TEXTAREA))

    def __init__(self, *args: Any, suggestion: Suggestion, q: str = "", **kwargs: Any) -> None:
        from .actions.review import MERGE_TARGET_STATES

        super().__init__(*args, **kwargs)
        model_choice(self, "into").queryset = (
            Suggestion.objects.filter(congress_id=suggestion.congress_id, state__in=MERGE_TARGET_STATES)
            .exclude(pk=suggestion.pk)
            .select_related("lead")
            .order_by("-year", "-seq")
        )
        label_choices(model_choice(self, "into"), lambda s: f"{s.number} {s.title}（{s.lead.name}）")
        self.q = q.strip()

    def shown_choices(self, limit: int = 30) -> list[Suggestion]:
        qs = choices_of(self, "into")
        if self.q:
            qs = qs.filter(
                Q(title__icontains=self.q) | Q(number__icontains=self.q) | Q(lead__name__icontains=self.q)
            )
        return list(qs[:limit])


class ForwardForm(BootstrapMixin, forms.Form):
    body = forms.ModelChoiceField(
        label=_("转交机关"),
        queryset=Unit.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择“一府一委两院”之一。")},
    )
    note = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs=SHORT_TEXTAREA))

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "body").queryset = Unit.objects.filter(
            congress=congress, kind=Unit.Kind.BODY, active=True
        )


class AssignForm(BootstrapMixin, forms.Form):
    """交办: one lead unit with co-units, or a split between several units that each answer."""

    MODES = [("lead", _("主办（可加协办单位）")), ("split", _("分办（各单位分别答复）"))]

    mode = forms.ChoiceField(label=_("交办方式"), choices=MODES, initial="lead", widget=forms.RadioSelect)
    lead_unit = forms.TypedChoiceField(label=_("主办单位"), required=False, coerce=int, empty_value=None)
    co_units = forms.TypedMultipleChoiceField(
        label=_("协办单位"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("可不选，也可选择多个。"),
    )
    split_units = forms.TypedMultipleChoiceField(
        label=_("分办单位"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("分办时选择两个或以上单位（接替被调整的分办单位时选一个）。"),
    )
    note = forms.CharField(label=_("交办说明"), required=False, widget=forms.Textarea(attrs=SHORT_TEXTAREA))

    def __init__(self, *args: Any, congress: Congress, bodies: set[int] | None, **kwargs: Any) -> None:
        """`bodies`: limit the units to these bodies' trees (a coordinator); None: every unit."""
        super().__init__(*args, **kwargs)
        units = Unit.objects.filter(congress=congress, active=True)
        if bodies is not None:
            units = units.filter(body_id__in=bodies)
        self.units = {u.pk: u for u in units}
        choices = [(pk, name) for pk, name in unit_choices(congress) if pk in self.units]
        choice_field(self, "lead_unit").choices = [("", _("（请选择）")), *choices]
        choice_field(self, "co_units").choices = choices
        choice_field(self, "split_units").choices = choices

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        mode = data.get("mode")
        if mode == "split":
            # the lead-mode fields are hidden in split mode: what they still hold is ignored
            if not data.get("split_units"):
                self.add_error("split_units", _("请选择分办单位。"))
        elif mode == "lead":
            lead = data.get("lead_unit")
            if lead and lead in (data.get("co_units") or []):
                self.add_error("co_units", _("主办单位不能同时是协办单位。"))
            if not lead and not data.get("co_units"):
                self.add_error("lead_unit", _("请选择主办单位（已有主办单位时，请选择要增加的协办单位）。"))
        return data

    def chosen_lead_units(self) -> list[Unit]:
        d = self.cleaned_data
        if d.get("mode") == "split":
            ids = d.get("split_units") or []
        else:
            ids = [d["lead_unit"]] if d.get("lead_unit") else []
        return [self.units[pk] for pk in ids]

    def chosen_co_units(self) -> list[Unit]:
        if self.cleaned_data.get("mode") == "split":
            return []
        return [self.units[pk] for pk in self.cleaned_data.get("co_units") or []]


# --- handling --------------------------------------------------------------------------------------


class ReassignRequestForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("申请调整的理由"),
        widget=forms.Textarea(attrs=SHORT_TEXTAREA),
        error_messages={"required": _("请写明申请调整的理由。")},
    )
    suggested_unit = forms.TypedChoiceField(
        label=_("建议改由"), required=False, coerce=int, empty_value=None, help_text=_("可不选。")
    )

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.pk: u for u in Unit.objects.filter(congress=congress, active=True)}
        choice_field(self, "suggested_unit").choices = [
            ("", _("（不指定）")),
            *[(pk, name) for pk, name in unit_choices(congress) if pk in self.units],
        ]

    def unit(self) -> Unit | None:
        pk = self.cleaned_data.get("suggested_unit")
        return self.units.get(pk) if pk else None


class ContactForm(BootstrapMixin, forms.Form):
    phase = forms.ChoiceField(label=_("联系阶段"), choices=ContactPhase.choices, widget=forms.RadioSelect)
    method = forms.ChoiceField(label=_("联系方式"), choices=[("", _("（请选择）")), *ContactMethod.choices])
    contacted_on = forms.DateField(label=_("联系日期"), widget=DateInput())
    people = forms.CharField(label=_("参加人员"), max_length=500, help_text=_("如：承办单位王科长、李代表。"))
    summary = forms.CharField(label=_("情况摘要"), widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(
        self, *args: Any, assigned_on: datetime.date, others: QuerySet | None = None, **kwargs: Any
    ) -> None:
        kwargs.setdefault("initial", {"contacted_on": timezone.localdate(), "phase": ContactPhase.BEFORE})
        super().__init__(*args, **kwargs)
        self.assigned_on = assigned_on
        #: The contacts already logged for this assignment: a second one of the same method on the
        #: same day is held back once with a warning (issue #12), and saved when the user confirms.
        self.others = others
        self.fields["method"].error_messages["required"] = _("请选择联系方式。")
        self.fields["phase"].error_messages["required"] = _("请选择联系阶段（办前、办中或办后）。")

    def clean_contacted_on(self) -> datetime.date:
        day = self.cleaned_data["contacted_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("联系日期不能晚于今天。"), code="contacted_in_future")
        if day < self.assigned_on:
            raise forms.ValidationError(
                _("联系日期不能早于交办日期（%(d)s）。"),
                params={"d": self.assigned_on},
                code="before_assignment",
            )
        return day

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        method, day = data.get("method"), data.get("contacted_on")
        if self.others is None or not method or day is None or self.data.get("confirm_duplicate"):
            return data
        same = self.others.filter(method=method, contacted_on=day).select_related("logged_by").first()
        if same is not None:
            self.fields["confirm_duplicate"] = forms.BooleanField(
                label=_("确是另一次联系，仍要登记"), required=False
            )
            self.add_error(
                "confirm_duplicate",
                forms.ValidationError(
                    _(
                        "%(d)s已有一条%(m)s的联系记录（%(who)s登记：%(s)s）。请不要重复登记；"
                        "如确是另一次联系，请勾选下面一项后再提交。"
                    ),
                    params={
                        "d": date_format(day, "SHORT_DATE_FORMAT"),
                        "m": same.get_method_display(),
                        "who": same.logged_by.display_name,
                        "s": Truncator(same.summary).chars(40),
                    },
                    code="duplicate_contact",
                ),
            )
        return data


class ReplyForm(BootstrapMixin, forms.Form):
    result_class = forms.ModelChoiceField(
        label=_("答复类别"),
        queryset=ResultClass.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": _("请选择答复类别。")},
    )
    body = forms.CharField(
        label=_("答复内容"),
        widget=forms.Textarea(attrs={"rows": 12}),
        error_messages={"required": _("请填写答复内容。")},
    )
    attachments = attachments_field(_("添加附件"))

    def __init__(self, *args: Any, congress: Congress, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice(self, "result_class").queryset = _active(ResultClass, congress)
        label_choices(
            model_choice(self, "result_class"),
            lambda r: f"{r.code} {r.name}" + (f" — {r.description}" if r.description else ""),
        )


class CommitmentForm(BootstrapMixin, forms.Form):
    text = forms.CharField(label=_("承诺事项"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("承诺完成时间"), required=False, widget=DateInput())

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        text, due = (data.get("text") or "").strip(), data.get("due_on")
        if text and not due and "due_on" not in self.errors:
            self.add_error("due_on", _("请填写承诺完成时间。"))
        if due and not text:
            self.add_error("text", _("请填写承诺事项的内容。"))
        if due and due < timezone.localdate():
            self.add_error("due_on", _("承诺完成时间不能早于今天。"))
        return data


class BaseCommitmentFormSet(forms.BaseFormSet):
    def commitments(self) -> list[CommitmentInput]:
        out = []
        for form in self.forms:
            data = getattr(form, "cleaned_data", None) or {}
            text = (data.get("text") or "").strip()
            if text and data.get("due_on"):
                out.append(CommitmentInput(text=text, due_on=data["due_on"]))
        return out


# formset_factory returns a subclass of `formset`; the stubs only say BaseFormSet.
CommitmentFormSet = cast(
    type[BaseCommitmentFormSet],
    forms.formset_factory(CommitmentForm, formset=BaseCommitmentFormSet, extra=2, max_num=20),
)


class ExtensionRequestForm(BootstrapMixin, forms.Form):
    until = forms.DateField(
        label=_("申请延至"), widget=DateInput(), error_messages={"required": _("请填写延期后的答复日期。")}
    )
    reason = forms.CharField(
        label=_("延期理由"),
        widget=forms.Textarea(attrs=SHORT_TEXTAREA),
        error_messages={"required": _("请写明延期理由。")},
    )


class ApproveExtensionForm(BootstrapMixin, forms.Form):
    until = forms.DateField(
        label=_("批准延至"), required=False, widget=DateInput(), help_text=_("不填则按申请的日期批准。")
    )
    note = forms.CharField(label=_("审批意见"), required=False, widget=forms.Textarea(attrs=SHORT_TEXTAREA))


# --- evaluation and closing ------------------------------------------------------------------------


class EvaluationForm(BootstrapMixin, forms.Form):
    YES_NO = [("yes", _("是，确曾联系")), ("no", _("否，没有联系"))]

    attitude = forms.ChoiceField(label=_("办理态度"), choices=Rating.choices, widget=forms.RadioSelect)
    result = forms.ChoiceField(label=_("办理结果"), choices=Rating.choices, widget=forms.RadioSelect)
    overall = forms.ChoiceField(label=_("总体评价"), choices=Rating.choices, widget=forms.RadioSelect)
    contact_happened = forms.ChoiceField(
        label=_("承办单位是否与您联系过"), choices=YES_NO, widget=forms.RadioSelect
    )
    opinion = forms.CharField(label=_("意见和建议"), required=False, widget=forms.Textarea(attrs=TEXTAREA))

    def __init__(self, *args: Any, policy: Policy, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.opinion_required = policy.opinion_required_if_unsatisfied
        if self.opinion_required:
            self.fields["opinion"].help_text = _("任何一项评价为“不满意”时必须填写。")
        for name, label in (
            ("attitude", _("办理态度")),
            ("result", _("办理结果")),
            ("overall", _("总体评价")),
        ):
            self.fields[name].error_messages["required"] = _("请选择%(what)s（满意、基本满意或不满意）。") % {
                "what": label
            }
        self.fields["contact_happened"].error_messages["required"] = _("请说明承办单位是否确曾与您联系。")

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        ratings = [data.get(n) for n in ("attitude", "result", "overall")]
        if (
            self.opinion_required
            and Rating.UNSATISFIED in ratings
            and not (data.get("opinion") or "").strip()
        ):
            self.add_error("opinion", _("评价为“不满意”时，请填写意见和建议。"))
        return data


class CoordinationForm(BootstrapMixin, forms.Form):
    held_on = forms.DateField(label=_("召开日期"), widget=DateInput())
    participants = forms.CharField(label=_("参加人员"), max_length=500)
    outcome = forms.CharField(label=_("协调结果"), widget=forms.Textarea(attrs=TEXTAREA))

    def clean_held_on(self) -> datetime.date:
        day = self.cleaned_data["held_on"]
        if day > timezone.localdate():
            raise forms.ValidationError(_("协调会日期不能晚于今天。"), code="held_in_future")
        return day


class ReplyDraftForm(ReplyForm):
    """The reply and its commitments (a formset under the prefix ``c``), validated together, with
    the letter's foot (contact person, phone, 抄送). A body that starts with the salutation or the
    stock opening is accepted — the letter then does not add its own — and ``duplicates`` says so,
    for the page to warn."""

    contact_name = forms.CharField(label=_("联系人"), max_length=40, required=False)
    contact_phone = forms.CharField(label=_("联系电话"), max_length=40, required=False)
    cc = forms.CharField(
        label=_("抄送"),
        max_length=200,
        required=False,
        help_text=_("抄送单位，用顿号分隔，例如：县人大常委会代表工委、县政府办公室。"),
    )

    def __init__(
        self, *args: Any, congress: Congress, commitments_initial: list[dict] | None = None, **kwargs
    ):
        super().__init__(*args, congress=congress, **kwargs)
        data = args[0] if args else kwargs.get("data")
        self.commitment_formset = CommitmentFormSet(data, prefix="c", initial=commitments_initial or None)
        self.fields["body"].help_text = _(
            "答复函会自动加上称呼（“某某代表：”）、开头语（“您提出的《……》收悉，现答复如下：”）和结束语，"
            "正文请直接从答复内容写起，每段一行；段首不必空格。"
        )

    @property
    def duplicates(self) -> bool:
        """The drafted body starts with its own salutation or stock opening."""
        body = (getattr(self, "cleaned_data", None) or {}).get("body") or ""
        return read_body(body).duplicates

    def is_valid(self) -> bool:
        valid = super().is_valid()
        formset_valid = self.commitment_formset.is_valid()
        return valid and formset_valid

    def clean(self) -> dict[str, Any]:
        data = cleaned(super().clean())
        result_class = data.get("result_class")
        if (
            result_class is not None
            and result_class.requires_commitments
            and self.commitment_formset.is_valid()
            and not self.commitment_formset.commitments()
        ):
            self.add_error(
                None,
                _("答复类别为“%(c)s”，须写明承诺事项及完成时间。") % {"c": result_class},
            )
        return data

    def commitments(self) -> list[CommitmentInput]:
        return self.commitment_formset.commitments()
