"""The session store: Django's database sessions, with the one query every signed-in request runs
compiled once (`core.prepared`, issue #13). Same table, same rows, same expiry rule: a session is
read only while its `expire_date` is in the future; anything else is no session."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from minyi.core.prepared import Prepared

_SESSION = Prepared(lambda key: Session.objects.filter(session_key=key), "\x00minyi-session-key\x00")


class SessionStore(DatabaseStore):
    def _get_session_from_db(self) -> Any:
        found = _SESSION.objects(self.session_key) if self.session_key else []
        if found and found[0].expire_date > timezone.now():
            return found[0]
        self._session_key = None
        return None
