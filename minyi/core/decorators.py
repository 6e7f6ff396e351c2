"""View decorators for pages below /c/<code>/."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import rules
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest

from minyi.core.tenancy import congress_for

if TYPE_CHECKING:
    from minyi.accounts.models import User
    from minyi.congress.models import Congress


class SignedInRequest(HttpRequest):
    """What a `login_required` view receives, for the type checker: a signed-in user. Nothing is
    ever an instance of this class (nor of `CongressRequest`): at run time it is Django's request."""

    user: User


class CongressRequest(SignedInRequest):
    """What a `congress_view` receives, for the type checker: a signed-in user and the congress of
    the URL (`congress` set by the decorator)."""

    congress: Congress


def congress_view(perm: str | None = None, *, platform: bool = False):
    """Sign-in required; resolves `code` to `request.congress` (404 without a membership) and, if
    `perm` is given, checks it against the congress (404 too, so a page's existence is not leaked).

    The check is `rules.has_perm`, never `request.user.has_perm`: Django's ModelBackend lets an
    active superuser pass every `user.has_perm`, whereas a platform admin has, inside a congress,
    only the rights of their memberships (decision 0009). `platform=True` marks a platform page
    (a congress's members and roles) that a platform admin opens without a membership; `perm` must
    then allow them too."""

    def decorator(view):
        @login_required
        @functools.wraps(view)
        def wrapper(request, code, *args, **kwargs):
            congress = congress_for(request.user, code, platform=platform)
            if perm and not rules.has_perm(perm, request.user, congress):
                raise Http404("not permitted")
            request.congress = congress
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
