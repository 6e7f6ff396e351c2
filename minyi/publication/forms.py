from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from minyi.congress.forms import BootstrapMixin

from .models import WithholdGround


class ReasonForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class WithholdRequestForm(BootstrapMixin, forms.Form):
    ground = forms.ChoiceField(label=_("理由类别"), choices=WithholdGround.choices)
    reason = forms.CharField(
        label=_("具体理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("请写明不宜公开的具体内容和依据，代表工委审定后告知本单位。"),
    )


class DecideRequestForm(BootstrapMixin, forms.Form):
    grant = forms.TypedChoiceField(
        label=_("审定"),
        choices=[("1", _("同意不予公开")), ("0", _("不同意，予以公开"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("审定意见"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
        help_text=_("不同意时必填，承办单位将看到。"),
    )


class FiguresForm(BootstrapMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("年度"), coerce=int)

    def __init__(self, *args, years: list[int], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]  # type: ignore[attr-defined]
