from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "minyi.accounts"
    label = "accounts"
    verbose_name = _("账户与角色")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in, user_login_failed

        from . import signals

        user_logged_in.connect(signals.on_signed_in, dispatch_uid="minyi.accounts.signed_in")
        user_login_failed.connect(signals.on_sign_in_failed, dispatch_uid="minyi.accounts.sign_in_failed")
