from django import forms
from django.utils.translation import gettext_lazy as _

from .actions import MESSAGE_MAX


class UrgeForm(forms.Form):
    message = forms.CharField(
        label=_("催办意见"),
        max_length=MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_("将以站内通知、电子邮件和短信发给承办单位的联络员、承办人和负责人。"),
        error_messages={
            "required": _("请填写催办意见。"),
            "max_length": _("催办意见不能超过%(limit_value)d个字（现有%(show_value)d个）。"),
        },
    )
