"""URLs of the server that `bench/bench_pages.py` measures: the project's, plus the baseline view
(bench only, never mounted in production)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def baseline(request: HttpRequest) -> HttpResponse:
    """The bare one-query view: what Django itself costs per request on this machine."""
    from minyi.congress.models import Congress

    name = Congress.objects.filter(code="demo").values_list("name", flat=True).first()
    return HttpResponse(f"ok {name}", content_type="text/plain; charset=utf-8")


urlpatterns = [
    path("__bench__/baseline/", baseline),
    path("", include("config.urls")),
]
