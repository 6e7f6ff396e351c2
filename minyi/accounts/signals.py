"""Sign-ins and failed sign-ins go into the audit trail.

They are platform rows (no congress): a sign-in belongs to the person, not to one of the congresses
they may hold roles in, and a failed sign-in may name no account at all. The row keeps the username
and the client address only — never the attempted password, nor anything else from the request.
Platform rows do not move any congress's data version (see `reports.dashboard.data_version`), so
sign-ins do not make the dashboards recount.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from django.contrib.auth import get_user_model
from django.db import transaction

from minyi import audit

SIGNED_IN = "account.signed_in"
SIGN_IN_FAILED = "account.sign_in_failed"
#: The audit codes written here (for readers that must leave them out).
CODES = (SIGNED_IN, SIGN_IN_FAILED)


def _address(request) -> str:
    if request is None:
        return ""
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return (address or "")[:64]


def on_signed_in(sender, request, user, **kwargs) -> None:
    with transaction.atomic():
        audit.record(SIGNED_IN, actor=user, obj=user, target_user=user, new={"ip": _address(request)})


def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    field = get_user_model().USERNAME_FIELD
    username = str((credentials or {}).get(field) or "")[:150]
    new: dict[str, object] = {"username": username, "ip": _address(request)}
    if getattr(request, "axes_locked_out", False):
        new["locked"] = True
    with transaction.atomic():
        audit.record(SIGN_IN_FAILED, actor=None, new=new)
