"""The form renderer writes selects and inputs in Python (issue #13): the HTML must be exactly what
Django's templates give, for every kind of value, attribute, option group and text to escape."""

import datetime
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.safestring import mark_safe

from minyi.core.renderers import FastWidgetRenderer
from minyi.suggestions.forms import SuggestionFilterForm

CHOICES = [
    ("", "---------"),
    (1, "一"),
    ("2", 'Quote " & <b>'),
    ("Group <g>", [("a", "A & a"), ("b", mark_safe("<i>b</i>"))]),
    (Decimal("1.5"), 2025),
    (None, datetime.date(2026, 3, 17)),
]


class Everything(forms.Form):
    text = forms.CharField(
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": 'a "b" <c>'})
    )
    number = forms.IntegerField(widget=forms.NumberInput(attrs={"min": 0, "step": 1}))
    email = forms.EmailField()
    url = forms.URLField(required=False, assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    datetime = forms.DateTimeField(required=False)
    time = forms.TimeField(required=False)
    flag = forms.BooleanField(
        required=False, widget=forms.CheckboxInput(attrs={"disabled": True, "x": False})
    )
    choice = forms.ChoiceField(
        choices=CHOICES, required=False, widget=forms.Select(attrs={"class": "form-select"})
    )
    multi = forms.MultipleChoiceField(choices=CHOICES[1:3], required=False)
    typed = forms.TypedChoiceField(choices=[(1, "1"), (2, "2")], coerce=int, required=False)
    area = forms.CharField(widget=forms.Textarea, required=False)  # not fast-pathed: Django's template
    radio = forms.ChoiceField(choices=CHOICES[1:3], widget=forms.RadioSelect, required=False)


DATA = [
    {},
    {
        "text": '<script>"x"</script> & 中文',
        "number": "12",
        "email": "a@b.cn",
        "password": "p&w",
        "hidden": "h<>",
        "date": "2026-03-17",
        "flag": "on",
        "choice": "2",
        "multi": ["1", "2"],
        "typed": "2",
        "area": "a<b",
        "radio": "1",
    },
    {"choice": "a", "number": "not a number", "date": "bad", "multi": ["2"]},
    {"choice": "1.5"},
]


@pytest.mark.parametrize("data", DATA)
def test_every_widget_renders_as_django_templates_do(data):
    fast, slow = FastWidgetRenderer(), DjangoTemplates()
    for initial in (None, {"text": mark_safe("<b>safe</b>"), "choice": 1, "number": 7}):
        form_fast = Everything(data or None, initial=initial, renderer=fast)
        form_slow = Everything(data or None, initial=initial, renderer=slow)
        for name in form_fast.fields:
            assert str(form_fast[name]) == str(form_slow[name]), name


def test_a_real_filter_form_renders_the_same(world):
    alpha = world.congress
    years = [2026, 2025, 2024]
    for data in (None, {"year": "2025", "state": "assigned", "q": "路灯 & <x>"}):
        fast = SuggestionFilterForm(data, congress=alpha, years=years, renderer=FastWidgetRenderer())
        slow = SuggestionFilterForm(data, congress=alpha, years=years, renderer=DjangoTemplates())
        for name in fast.fields:
            assert str(fast[name]) == str(slow[name]), name


def test_the_project_uses_it():
    assert settings.FORM_RENDERER == "minyi.core.renderers.FastWidgetRenderer"
