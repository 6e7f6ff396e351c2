"""Project middleware."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in user carries `Cache-Control: no-store` (and `private`).

    Pages and downloads for signed-in users show residents' names and phone numbers, deputies'
    suggestions and unit replies: neither a shared proxy nor the browser's disk cache (a shared
    office computer, the back button after signing out) may keep them. Static files never reach
    this middleware (WhiteNoise answers them earlier, with long cache lifetimes); anonymous
    responses keep whatever their view set.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: a login in this very request counts, a logout does not.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not _has_no_store(response):
            add_never_cache_headers(response)
        return response


def _has_no_store(response: HttpResponse) -> bool:
    """The view already said `no-store` (file downloads say `private, no-store`): leave it as it is."""
    directives = (d.strip().split("=", 1)[0].lower() for d in response.get("Cache-Control", "").split(","))
    return "no-store" in directives
