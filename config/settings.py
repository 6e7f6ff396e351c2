"""Minyi settings: every technical setting comes from the environment (see .env.example).

A congress's *policy* (time limits, taxonomies, numbering…) is never here: it lives in the database
(`minyi.congress.models.Policy`) and is edited by congress admins in the UI.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me" if DEBUG else "")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "django_htmx",
    "axes",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    "minyi.core",
    "minyi.accounts",
    "minyi.audit",
    "minyi.workdays",
    "minyi.congress",
    "minyi.suggestions",
    "minyi.reports",
    "minyi.notifications",
    "minyi.supervision",
    "minyi.intake",
    "minyi.textsearch",
    "minyi.awards",
    "minyi.points",
    "minyi.publication",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "minyi.core.middleware.NoStoreForSignedInMiddleware",  # after auth; static files never get here
    "django.contrib.messages.middleware.MessageMiddleware",
    "minyi.accounts.middleware.PasswordChangeRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
# Selects and inputs written in Python, the same HTML as Django's templates (issue #13)
FORM_RENDERER = "minyi.core.renderers.FastWidgetRenderer"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
                "minyi.core.context_processors.navigation",
                "minyi.notifications.context_processors.inbox",
            ],
        },
    }
]

# --- Database -------------------------------------------------------------------------------------
# Default: an embedded SQLite file under var/, in WAL mode with IMMEDIATE transactions so that
# concurrent writers wait for each other instead of failing with "database is locked".
# Production: DATABASE_URL=postgres://user:pass@host:5432/minyi
(BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'minyi.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                "PRAGMA busy_timeout=20000; PRAGMA cache_size=-20000;"
            ),
        }
    )
else:
    # PostgreSQL's JIT compiles the wide figure queries for seconds and saves nothing here.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("options", "-c jit=off")
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL: the few statements every kept page runs (minyi.core.prepared) are planned once per
# connection (PREPARE); 0 behind a pooler that does not keep a session's prepared statements
MINYI_PG_PREPARE = env.bool("MINYI_PG_PREPARE", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
# Whole signed-in pages kept under the congress's data version (minyi.core.kept_pages, issue #13)
MINYI_KEEP_PAGES = env.bool("MINYI_KEEP_PAGES", default=True)

# --- Auth -----------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "minyi.accounts.backends.ModelBackend",  # Django's, with the user read compiled once
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Django's own rule with a Chinese message (minyi/accounts/validators.py says why)
        "NAME": "minyi.accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("MINYI_PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# A set-password link issued by a congress admin (minyi.accounts) works once and for this long.
PASSWORD_RESET_TIMEOUT = int(env.float("MINYI_PASSWORD_LINK_DAYS", default=3) * 24 * 3600)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout after repeated failures (username + IP, so an attacker cannot lock out a deputy from
# everywhere), unlocking by itself after the cool-off period; and, with a higher limit, per IP over
# all usernames (minyi.accounts.lockout), so one address cannot try many usernames.
AXES_HANDLER = "minyi.accounts.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
MINYI_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False
# Behind a reverse proxy every client would look like the proxy: count the trusted proxies so the
# client address is read from X-Forwarded-For (the proxy must overwrite, not append to, that header).
# One definition for every per-address limit (sign-in lockouts, the public site's limits and the
# tracking-code throttle): minyi.core.client_ip.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "minyi.core.client_ip.client_ip"

# Database sessions with their read compiled once (minyi.core.sessions, issue #13)
SESSION_ENGINE = "minyi.core.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- i18n -----------------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# One date format per language (issue #12): config/formats/<lang>/formats.py.
FORMAT_MODULE_PATH = ["config.formats"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files ----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env.str("STATIC_ROOT", default=str(BASE_DIR / "var" / "static")))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise warns on every request otherwise
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded files live outside the web root and are only served through views that check access.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))},
    },
    "staticfiles": {
        "BACKEND": env.str(
            "STATICFILES_STORAGE",
            default="django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage",
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
MINYI_MAX_UPLOAD_BYTES = env.int("MINYI_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)

# --- Email and SMS --------------------------------------------------------------------------------
EMAIL_CONFIG = env.email("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Minyi <noreply@minyi.invalid>")
MINYI_SMS_BACKEND = env.str("MINYI_SMS_BACKEND", default="minyi.core.sms.LogSmsBackend")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# Notices (minyi.notifications): the site address for links in e-mail/SMS, and after how long an
# e-mail/SMS claimed by a worker that died is sent again. Periodic jobs (`run_periodic`, decision
# 0006): after how long the lock of a run that was killed mid-job is free again.
MINYI_SITE_URL = env.str("MINYI_SITE_URL", default="")
MINYI_PERIODIC_LEASE_SECONDS = env.int("MINYI_PERIODIC_LEASE_SECONDS", default=1800)
MINYI_DELIVERY_STALE_SECONDS = env.int("MINYI_DELIVERY_STALE_SECONDS", default=900)

# --- Background work ------------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env.str("TASKS_BACKEND", default="django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

# --- Security -------------------------------------------------------------------------------------
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_TLS_PROXY", default=False) else None
)
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SILENCED_SYSTEM_CHECKS = env.list(
    "SILENCED_SYSTEM_CHECKS", default=["security.W021"] if not SECURE_HSTS_PRELOAD else []
)

from csp.constants import NONCE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF, "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

MINYI_DEMO_PASSWORD = env.str("MINYI_DEMO_PASSWORD", default="demo12345")
