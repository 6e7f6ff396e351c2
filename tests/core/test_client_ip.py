"""The client's address that every per-address limit counts (sign-in lockouts, the public site's
search and download limits, the tracking-code throttle): REMOTE_ADDR without a proxy, the address
the trusted proxy saw behind one — never what the client writes into X-Forwarded-For itself."""

from __future__ import annotations

import pytest
from axes.helpers import get_client_ip_address
from django.test import RequestFactory, override_settings

from minyi.core.client_ip import client_ip
from minyi.publication.tracking import TRACK_IP_LIMIT

PROXY = "127.0.0.1"


def _request(forwarded: str | None = None, remote: str = PROXY):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, None, PROXY),
        (0, "203.0.113.7", PROXY),  # no trusted proxy: the header is the client's own words
        (1, "203.0.113.7", "203.0.113.7"),  # nginx overwrote it with the address it saw
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # a forged entry on the left is never taken
        (2, "6.6.6.6, 203.0.113.7, 10.0.0.2", "203.0.113.7"),  # two proxies that append
        (2, "203.0.113.7", PROXY),  # shorter than the proxies: fail closed (the proxy's address)
        (1, "not-an-address", PROXY),
        (1, "2001:db8::1", "2001:db8::1"),
        (1, "", PROXY),
    ],
)
def test_client_address(count, forwarded, expected):
    with override_settings(TRUSTED_PROXY_COUNT=count):
        request = _request(forwarded)
        assert client_ip(request) == expected
        assert get_client_ip_address(request) == expected  # sign-in lockouts count the same


@override_settings(TRUSTED_PROXY_COUNT=1)
def test_behind_the_proxy_each_resident_is_throttled_apart(world, client):
    letters = "ABCDEFGHJKMNPQRSTUVWXYZ"
    tries = iter(range(100))

    def guess(address: str):
        n = next(tries)  # a new code each time: the per-code limit is not what is tested here
        return client.post(
            "/p/alpha/track/",
            {"code": f"ABCD-{letters[n // 20]}{letters[n % 20]}XY", "last4": "0000"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=address,
        )

    for _ in range(TRACK_IP_LIMIT):
        assert guess("203.0.113.7").status_code == 404
    assert guess("203.0.113.7").status_code == 429
    assert guess("198.51.100.9").status_code == 404  # another resident behind the same proxy
