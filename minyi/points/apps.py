from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PointsConfig(AppConfig):
    name = "minyi.points"
    label = "points"
    verbose_name = _("履职积分")

    def ready(self) -> None:
        from minyi.core import work

        from .work import work_sections

        work.register(work_sections, order=60)  # 待办: objections, manual entries, monthly expectation
