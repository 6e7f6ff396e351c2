from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "minyi.intake"
    label = "intake"
    verbose_name = _("基层民意")
