from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TextsearchConfig(AppConfig):
    name = "minyi.textsearch"
    label = "textsearch"
    verbose_name = _("检索")

    def ready(self) -> None:
        from minyi.audit.services import register_listener
        from minyi.suggestions import hooks

        from . import index, listing

        # The index is kept current by the actions: each audit row of a change of text (or of what
        # a hit shows: the number and year given on acceptance) re-indexes what it is about, in the
        # action's transaction (minyi/audit's hook; audit imports no app).
        register_listener(index.SUGGESTION_CODES, index.on_suggestion_event)
        register_listener(index.OPINION_CODES, index.on_opinion_event)
        # The clerk's review: similar suggestions in the suggestion page's side column.
        hooks.register_panel("textsearch/_review_panel.html")
        # The suggestion lists' `q` (page, Excel export, API) finds words by the index too.
        hooks.register_text_matcher(listing.suggestions_matching)
