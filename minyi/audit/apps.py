from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "minyi.audit"
    label = "audit"
    verbose_name = _("审计日志")

    def ready(self) -> None:
        from .triggers import ensure_after_migrate

        post_migrate.connect(ensure_after_migrate, sender=self, dispatch_uid="minyi.audit.triggers")
