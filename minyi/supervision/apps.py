from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "minyi.supervision"
    label = "supervision"
    verbose_name = _("网上督办")

    def ready(self) -> None:
        # Task-force members (督导专班) see every suggestion of their congress like the oversight
        # roles do: register the check with the suggestion rules if they offer the hook.
        from minyi.suggestions import rules as suggestion_rules

        from .rules import in_task_force

        hooks = getattr(suggestion_rules, "OVERSIGHT_HOOKS", None)
        if hooks is not None and in_task_force not in hooks:
            hooks.append(in_task_force)
        # The suggestion page's 督办 box (issue #12): links and the 批示 form for those who supervise.
        from minyi.suggestions import hooks as suggestion_hooks

        suggestion_hooks.register_panel("supervision/_suggestion_card.html")

        from minyi.core import work

        from .work import work_sections

        work.register(work_sections, order=30)  # 待办: instructions under special supervision
