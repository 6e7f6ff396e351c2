"""Settings for the test suite: the real settings, with a fixed key, fast hashing and no HTTPS
redirect (the test client and the live server speak plain HTTP)."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")

from .settings import *  # noqa: E402,F403
from .settings import STORAGES  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = False
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
AXES_FAILURE_LIMIT = 5
# Factories write records without the audit rows every real change has, so a kept page would not
# see them: kept pages are off here and on in the tests that are about them (tests/core/test_kept_pages.py).
MINYI_KEEP_PAGES = env.bool("MINYI_KEEP_PAGES", default=False)  # noqa: F405

# SQLite tests use a file (not the shared-cache in-memory database) so that concurrent writers
# behave as in production: IMMEDIATE transactions wait on the busy timeout instead of failing at
# once. One file per test process (xdist workers, parallel runs), in the temporary directory.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    import tempfile

    DATABASES["default"]["TEST"] = {  # noqa: F405
        "NAME": os.path.join(tempfile.gettempdir(), f"minyi-test-{os.getpid()}.sqlite3")
    }
