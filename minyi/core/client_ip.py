"""The client's address of a request, the one every per-address limit counts: sign-in lockouts
(django-axes, `AXES_CLIENT_IP_CALLABLE`), the public site's search and download limits and the
residents' tracking-code throttle.

Without a reverse proxy (`TRUSTED_PROXY_COUNT=0`) it is `REMOTE_ADDR`. Behind N trusted proxies it is
the N-th address from the right of X-Forwarded-For: the shipped nginx site *overwrites* the header
with the address it saw (one entry: the client; N=1), and a proxy that appends adds its peer's
address on the right, so whatever a client writes into the header itself stays to the left and is
never taken. A header shorter than N, or an entry that is not an IP address, falls back to
`REMOTE_ADDR` (the proxy's: every such request shares one limit, which fails closed)."""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    remote = request.META.get("REMOTE_ADDR")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    entries = [entry.strip() for entry in forwarded.split(",") if entry.strip()]
    if len(entries) < count:
        return remote
    candidate = entries[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
