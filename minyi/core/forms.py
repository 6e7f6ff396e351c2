"""Typed access to form fields. django-stubs types `form.fields` as `dict[str, Field]`, so setting a
choice field's `queryset`, `choices` or `empty_label` in a form's `__init__` needs the field's real
class; these helpers say it once (a `cast`, no check at run time: behaviour is Django's own)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.db.models import QuerySet


def model_choice(form: forms.BaseForm, name: str) -> forms.ModelChoiceField:
    """The `ModelChoiceField` (or `ModelMultipleChoiceField`) named `name` of `form`."""
    return cast(forms.ModelChoiceField, form.fields[name])


def choice_field(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    """The `ChoiceField` (or `MultipleChoiceField`, `TypedChoiceField`) named `name` of `form`."""
    return cast(forms.ChoiceField, form.fields[name])


def cleaned(data: dict[str, Any] | None) -> dict[str, Any]:
    """What `super().clean()` returned. django-stubs allows `None` (an override may return nothing),
    but every `clean()` in Minyi's forms returns the cleaned data."""
    return cast(dict[str, Any], data)


def choices_of(form: forms.BaseForm, name: str) -> QuerySet[Any]:
    """The queryset a `model_choice` field was given in the form's `__init__` (never `None` there)."""
    return cast("QuerySet[Any]", model_choice(form, name).queryset)


def label_choices(field: forms.ModelChoiceField, label: Callable[[Any], str]) -> None:
    """Show `label(obj)` for each choice of `field` instead of `str(obj)`. Django looks the method up
    on the field, so an attribute of this one instance overrides it; the stubs only see an assignment
    to a method, hence the ignore."""
    field.label_from_instance = label  # type: ignore[method-assign,assignment]


class PickerWidget(forms.CheckboxSelectMultiple):
    """A long list of people to tick (e.g. 120 deputies): rendered by core/_field.html as a
    scrolling list of checkboxes with a name filter above it and the count ticked
    (`static/js/picker.js`; without the script the list still works, just unfiltered)."""

    picker = True
