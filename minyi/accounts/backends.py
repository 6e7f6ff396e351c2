"""Signing in with a username and password: Django's `ModelBackend`, with the one query every
signed-in request makes — reading the user of the session — compiled once (`core.prepared`,
issue #13). Same rule as Django's: an unknown or inactive user is nobody."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend as DjangoModelBackend
from django.core.exceptions import ValidationError

from minyi.core.prepared import Prepared

from .models import User

_USER = Prepared(lambda pk: User.objects.filter(pk=pk), -7_130_301)


class ModelBackend(DjangoModelBackend):
    def get_user(self, user_id: Any) -> Any:
        try:
            pk = User._meta.pk.to_python(user_id)  # type: ignore[union-attr]
        except ValidationError:
            return None
        found = _USER.objects(pk) if pk is not None else []
        if not found:
            return None
        user = found[0]
        return user if self.user_can_authenticate(user) else None
