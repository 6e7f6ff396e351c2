"""Residents follow their opinion by its tracking code (being built: issue #14)."""

from django.http import Http404, HttpRequest, HttpResponse


def track(request: HttpRequest, code: str) -> HttpResponse:
    raise Http404
