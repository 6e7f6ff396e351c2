"""Out-of-range numbers in list filters and paths are bad input (422, or 404 for an id in the path),
never a 500 from an integer the database cannot hold (a 23-digit page overflowed SQLite's INTEGER and
PostgreSQL's bigint)."""

import pytest

from .conftest import A

HUGE = "9" * 23

pytestmark = pytest.mark.django_db

FILTERS = [
    ("/suggestions", "page"),
    ("/suggestions", "page_size"),
    ("/suggestions", "year"),
    ("/suggestions", "category"),
    ("/suggestions", "unit"),
    ("/deputies", "page"),
    ("/deputies", "page_size"),
    ("/deputies", "group"),
]


def test_list_filters_out_of_range_are_422(api, world):
    wrong = {}
    for path, param in FILTERS:
        for value in ["-1", "0", HUGE, "abc"]:
            status = api.get(world.admin, A + path, {param: value}).status_code
            if status != 422:
                wrong[(path, param, value)] = status
    for value in ["1948", "2101"]:
        status = api.get(world.admin, A + "/suggestions", {"year": value}).status_code
        if status != 422:
            wrong[("/suggestions", "year", value)] = status
    assert wrong == {}


def test_in_range_values_still_work(api, world):
    response = api.get(
        world.admin, A + "/suggestions", {"year": "2026", "page": "1000000", "page_size": "100"}
    )
    assert response.status_code == 200
    assert response.json()["items"] == []
    assert api.get(world.admin, A + "/deputies", {"page": "2", "group": "1"}).status_code == 200


def test_numbers_in_the_path_out_of_range_are_not_a_500(api, world):
    wrong = {}
    for path in ["/suggestions/{}", "/suggestions/{}/timeline", "/assignments/{}"]:
        for value in ["-1", "0", HUGE]:
            status = api.get(world.admin, A + path.format(value)).status_code
            if status not in (404, 422):
                wrong[(path, value)] = status
    for value in ["-1", "0", HUGE]:
        status = api.get(world.admin, "/calendar/" + value).status_code
        if status not in (404, 422):
            wrong[("/calendar/", value)] = status
        if value != "0":
            response = api.get(world.admin, "/calendar/add-working-days", {"start": "2026-01-05", "n": value})
            if response.status_code != 422:
                wrong[("add-working-days", value)] = response.status_code
    assert wrong == {}
