from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AwardsConfig(AppConfig):
    name = "minyi.awards"
    label = "awards"
    verbose_name = _("季度评选")

    def ready(self) -> None:
        from minyi.core import work

        from .work import work_sections

        work.register(work_sections, order=50)  # 待办: candidates awaiting the judge's score
