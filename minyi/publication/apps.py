from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "minyi.publication"
    label = "publication"
    verbose_name = _("公开")

    def ready(self) -> None:
        from minyi.core import work
        from minyi.textsearch import sources

        from . import rules  # noqa: F401 - registers the permissions
        from .public_search import reindex
        from .work import work_sections

        work.register(work_sections, order=80)
        sources.register("published copies (public search)", reindex)
