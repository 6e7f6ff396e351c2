from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkdaysConfig(AppConfig):
    name = "minyi.workdays"
    label = "workdays"
    verbose_name = _("工作日历")

    def ready(self) -> None:
        from minyi.core import kit

        from .services import get_calendar

        # The action kit's Ctx.calendar (core sits below workdays and cannot import it).
        kit.register_calendar(get_calendar)
