from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "minyi.intake"
    label = "intake"
    verbose_name = _("基层民意")

    def ready(self) -> None:
        from minyi.suggestions import hooks

        from .selectors import opinion_for_suggestion

        # The suggestion page's 民意来源 (the suggestion app does not import intake).
        hooks.register_provenance(opinion_for_suggestion)

        from minyi.core import work as core_work

        from .work import work_sections

        core_work.register(work_sections, order=40)  # 待办: forwarded, open and answered opinions
