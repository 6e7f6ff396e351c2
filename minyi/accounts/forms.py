from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm, SetPasswordForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("用户名"), widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("用户名或密码不正确。连续多次输错后账号将被暂时锁定。"),
        "inactive": _("该账号已停用，请联系人大管理员。"),
    }


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        field.widget.attrs.setdefault("class", "form-control")


class ChangePasswordForm(PasswordChangeForm):
    """Django's form (current password, new password twice, all password validators), styled."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)


class LinkSetPasswordForm(SetPasswordForm):
    """The form behind a set-password link: the new password twice, all password validators."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _styled(self)
