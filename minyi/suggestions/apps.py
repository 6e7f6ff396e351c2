from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "minyi.suggestions"
    label = "suggestions"
    verbose_name = _("代表建议")

    def ready(self) -> None:
        from minyi.core import work

        from .selectors import work_sections

        work.register(work_sections, order=10)
