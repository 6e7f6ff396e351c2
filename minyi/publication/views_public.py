"""The public site's pages (being built: issue #14)."""

from django.http import Http404, HttpRequest, HttpResponse


def _todo(request: HttpRequest, code: str, *args: object, **kwargs: object) -> HttpResponse:
    raise Http404


home = suggestion_list = suggestion_detail = figures = themes = awards = feed = data = _todo
data_download = language = _todo
