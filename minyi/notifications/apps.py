from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "minyi.notifications"
    label = "notifications"
    verbose_name = _("通知与催办")

    def ready(self) -> None:
        from minyi.core.kept_pages import register_key_part

        from .selectors import MARKER_PART

        # the unread badge is on every page and notices are not audited changes (issue #13)
        register_key_part("notices", MARKER_PART)
