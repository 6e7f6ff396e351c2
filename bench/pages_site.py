"""Settings of the server that `bench/bench_pages.py` measures (benchmark only, never
production): the project's own settings and URLs, plus

- ``/__bench__/baseline/`` (bench/pages_urls.py): the bare Django view the pages are compared with — one trivial query
  (the congress by its code), a short text response, through the project's whole middleware stack;
- a middleware that, only when a request carries ``X-Bench-Queries: 1``, answers with the number of
  database queries the request made in the ``X-Bench-Queries`` header (one request per page, before
  the load; the measured requests do not carry it).

Used as ``DJANGO_SETTINGS_MODULE=pages_site`` with ``bench/`` on the Python path.
"""

from __future__ import annotations

from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse

from config.settings import *  # noqa: F403 - the project's settings, as served in production
from config.settings import MIDDLEWARE

ROOT_URLCONF = "pages_urls"


class QueryCounter:
    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.headers.get("X-Bench-Queries") != "1":
            return self.get_response(request)
        count = 0

        def counting(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counting):
            response = self.get_response(request)
            if hasattr(response, "render") and not response.is_rendered:  # pragma: no cover
                response.render()
        response["X-Bench-Queries"] = str(count)
        return response


MIDDLEWARE = ["pages_site.QueryCounter", *MIDDLEWARE]
