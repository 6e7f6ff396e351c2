"""The scope form shared by the figures pages: one period (a year, a date range, a term or a session)
and the filters. It reads GET parameters and gives a `Scope` and the query string that reproduces it
(for the drill-down links)."""

from __future__ import annotations

from django import forms
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from minyi.congress.models import Category, Channel, Congress, Session, Term, ThemeTag, Unit
from minyi.core.forms import choice_field, cleaned, model_choice
from minyi.suggestions.models import SuggestionKind
from minyi.supervision.models import KeyTheme

from .figures import Scope
from .league import DEFAULT_MIN_COUNT, RATES

FIRST_YEAR = 2004


class ScopeForm(forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)
    start = forms.DateField(
        label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    term = forms.ModelChoiceField(label=_("届"), queryset=Term.objects.none(), required=False)
    session = forms.ModelChoiceField(
        label=_("次会议（至下次会议前）"), queryset=Session.objects.none(), required=False
    )
    body = forms.ModelChoiceField(label=_("机关"), queryset=Unit.objects.none(), required=False)
    unit = forms.ModelChoiceField(label=_("承办单位"), queryset=Unit.objects.none(), required=False)
    category = forms.ModelChoiceField(label=_("分类"), queryset=Category.objects.none(), required=False)
    theme = forms.ModelChoiceField(label=_("主题标签"), queryset=ThemeTag.objects.none(), required=False)
    channel = forms.ModelChoiceField(label=_("收集渠道"), queryset=Channel.objects.none(), required=False)
    kind = forms.ChoiceField(
        label=_("提出时间"), choices=[("", _("全部"))] + list(SuggestionKind.choices), required=False
    )
    key = forms.TypedChoiceField(
        label=_("重点督办"),
        choices=[("", _("全部")), ("1", _("重点督办建议")), ("0", _("非重点督办建议"))],
        coerce=lambda value: value == "1",
        empty_value=None,
        required=False,
    )
    key_theme = forms.ModelChoiceField(label=_("督办主题"), queryset=KeyTheme.objects.none(), required=False)

    #: Fields that go into the query string, in order.
    KEYS = (
        "year",
        "start",
        "end",
        "term",
        "session",
        "body",
        "unit",
        "category",
        "theme",
        "channel",
        "kind",
        "key",
        "key_theme",
    )

    def __init__(self, congress: Congress, data: QueryDict | None = None, *, fixed_unit: Unit | None = None):
        super().__init__(data=data)
        self.congress, self.fixed_unit = congress, fixed_unit
        this_year = timezone.localdate().year
        choice_field(self, "year").choices = [("", _("本年度"))] + [
            (y, _("%(y)s年") % {"y": y}) for y in range(this_year + 1, FIRST_YEAR - 1, -1)
        ]
        model_choice(self, "term").queryset = Term.objects.filter(congress=congress)
        model_choice(self, "session").queryset = Session.objects.filter(
            term__congress=congress
        ).select_related("term")
        units = Unit.objects.filter(congress=congress)
        model_choice(self, "body").queryset = units.filter(kind=Unit.Kind.BODY)
        model_choice(self, "unit").queryset = units.exclude(kind=Unit.Kind.BODY)
        model_choice(self, "category").queryset = Category.objects.filter(congress=congress)
        model_choice(self, "theme").queryset = ThemeTag.objects.filter(congress=congress)
        model_choice(self, "channel").queryset = Channel.objects.filter(congress=congress)
        model_choice(self, "key_theme").queryset = KeyTheme.objects.filter(congress=congress)
        if fixed_unit is not None:
            for name in ("body", "unit"):
                del self.fields[name]
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field.widget, forms.Select)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = cleaned(super().clean())
        start, end = data.get("start"), data.get("end")
        chosen = [
            name
            for name, given in (
                ("year", data.get("year")),
                ("range", start or end),
                ("term", data.get("term")),
                ("session", data.get("session")),
            )
            if given
        ]
        if len(chosen) > 1:
            raise forms.ValidationError(
                _("请只选择一种统计范围：年度、起止日期、届或次会议。"), code="two_periods"
            )
        if (start or end) and not (start and end):
            raise forms.ValidationError(_("按时间段统计，请同时填写起始日期和截止日期。"), code="half_range")
        if start and end and start > end:
            raise forms.ValidationError(_("起始日期不能晚于截止日期。"), code="range_backwards")
        return data

    def scope(self) -> Scope:
        data = self.cleaned_data
        filters = {
            name: (data[name].pk if hasattr(data.get(name), "pk") else data.get(name))
            for name in ("body", "unit", "category", "theme", "channel", "kind", "key_theme")
            if data.get(name)
        }
        if data.get("key") is not None:
            filters["key"] = data["key"]
        if self.fixed_unit is not None:
            filters["unit"] = self.fixed_unit.pk
        if data.get("start"):
            return Scope.between(data["start"], data["end"], **filters)
        if data.get("session"):
            return Scope.for_session(data["session"], **filters)
        if data.get("term"):
            return Scope.for_term(data["term"], **filters)
        return Scope.year(data.get("year") or timezone.localdate().year, **filters)

    def querystring(self, **extra) -> str:
        """The scope as GET parameters (what the user chose), plus `extra`."""
        params = QueryDict(mutable=True)
        for name in self.KEYS:
            value = self.cleaned_data.get(name) if name in self.fields else None
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                value = int(value)
            params[name] = str(value.pk) if hasattr(value, "pk") else str(value)
        if self.fixed_unit is not None:
            params["unit"] = str(self.fixed_unit.pk)
        for key, value in extra.items():
            params[key] = value
        return params.urlencode()


class LeagueForm(forms.Form):
    DEFAULTS = {"rank_by": "satisfaction", "min_count": str(DEFAULT_MIN_COUNT)}

    rank_by = forms.ChoiceField(label=_("排名依据"), choices=[(spec.key, spec.label) for spec in RATES])
    min_count = forms.IntegerField(label=_("最少交办件数"), min_value=1, max_value=1000)

    @classmethod
    def for_request(cls, params: QueryDict) -> LeagueForm:
        """Always bound: the defaults (满意率, 5) fill in what the query string leaves out, so the
        page shows the options it used."""
        data = params.copy()
        for key, value in cls.DEFAULTS.items():
            if not data.get(key):
                data[key] = value
        return cls(data)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rank_by"].widget.attrs["class"] = "form-select form-select-sm"
        self.fields["min_count"].widget.attrs["class"] = "form-control form-control-sm"
