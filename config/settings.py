"""The one settings module. Everything that differs between machines comes from the environment.

Development needs no configuration: SQLite, the in-memory channel layer and a local-memory cache.
Set DATABASE_URL and REDIS_URL to switch to PostgreSQL and Redis. With DEBUG=false the site
runs in production mode and refuses to start without real secrets.
See docs/deployment.md for every variable.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_str, is_weak_secret

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", True)

_DEV_SECRET_KEY = "development-only-secret-key-never-use-this-in-production-0123456789"  # noqa: S105 - refused when DEBUG is false
_DEV_PSEUDONYM_KEY = "development-only-pseudonym-key-never-use-this-in-production"


def _secret(name: str, dev_default: str) -> str:
    value = env_str(name)
    if DEBUG:
        return value or dev_default
    if not value or value == dev_default or is_weak_secret(value):
        raise ImproperlyConfigured(
            f"{name} must be set to a long random value when DEBUG is false "
            f'(at least 50 characters; generate one with: python -c "import secrets; '
            f'print(secrets.token_urlsafe(64))").'
        )
    return value


SECRET_KEY = _secret("SECRET_KEY", _DEV_SECRET_KEY)
# Old keys still accepted for signatures (sessions, reset links) while a new SECRET_KEY rolls out.
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])
# Officer identifiers in force extracts are stored only as HMAC-SHA256 pseudonyms under this key.
PSEUDONYM_KEY = _secret("PSEUDONYM_KEY", _DEV_PSEUDONYM_KEY)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
SITE_NAME = env_str("SITE_NAME", "Community Scrutiny")
# Flood protection for public surveys: responses a minute to one survey, counted in the shared cache.
SURVEY_RESPONSES_PER_MINUTE = env_int("SURVEY_RESPONSES_PER_MINUTE", 120)
# The site's public address, for links in emails sent outside a request (e.g. `manage.py sendreminders`).
SITE_URL = env_str("SITE_URL", "").rstrip("/")
# Open self-sign-up is off: people join panels by invitation.
OPEN_SIGNUP = env_bool("OPEN_SIGNUP", False)
INVITATION_DAYS = env_int("INVITATION_DAYS", 14)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before django.forms and allauth, so its templates restyle theirs: GOV.UK widgets
    # (frontend/templates/django/forms/widgets/) and allauth's pages (frontend/templates/allauth/).
    "frontend",
    "django.forms",
    "channels",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_tasks_db",
    "panels",
    "scrutiny",
    "surveys",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "panels.middleware.RequireMfaMiddleware",
]

ROOT_URLCONF = "config.urls"
FORM_RENDERER = "frontend.forms.GovukFormRenderer"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("CONN_MAX_AGE", 0))}
    # Under ASGI each request runs its synchronous code in a thread of its own, so a connection kept for reuse
    # (CONN_MAX_AGE) is never reused: every request would open a new PostgreSQL connection. psycopg's pool, shared
    # by the threads of one process, hands each request a connection already open and takes it back when the
    # request ends. On by default with PostgreSQL; DATABASE_POOL=false goes back to one connection per request.
    _postgres = DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    DATABASE_POOL = env_bool("DATABASE_POOL", _postgres)
    if DATABASE_POOL:
        if not _postgres:
            raise ImproperlyConfigured("DATABASE_POOL needs PostgreSQL: set it to false for this DATABASE_URL.")
        if DATABASES["default"]["CONN_MAX_AGE"]:
            raise ImproperlyConfigured(
                "CONN_MAX_AGE and DATABASE_POOL cannot be used together: the pool already keeps connections open. "
                "Unset CONN_MAX_AGE, or set DATABASE_POOL=false."
            )
        DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
            # Connections one process keeps open at most; a request that finds them all busy waits for one, up
            # to DATABASE_POOL_TIMEOUT seconds, then fails. Mind PostgreSQL's max_connections (100 by default):
            # processes (uvicorn workers, db_worker) x DATABASE_POOL_MAX_SIZE must stay below it.
            "min_size": env_int("DATABASE_POOL_MIN_SIZE", 2),
            "max_size": env_int("DATABASE_POOL_MAX_SIZE", 8),
            "timeout": env_int("DATABASE_POOL_TIMEOUT", 10),
        }
else:
    DATABASE_POOL = False
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / "db.sqlite3"),
            "OPTIONS": {
                # WAL lets readers run while a writer works; IMMEDIATE avoids "database is locked"
                # upgrades when several ASGI threads write at once.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
            # A file, not :memory:, so the browser tests' server thread sees the same database.
            "TEST": {"NAME": str(BASE_DIR / ".test-db.sqlite3")},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background tasks (scrutiny imports) ---------------------------------------------------
# django-tasks-db keeps queued tasks in the database; run `manage.py db_worker` beside the web process.
# TASKS_BACKEND=immediate runs each task inside the request instead: the default with DEBUG, so that
# `runserver` needs no worker.
_TASKS_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django.tasks.backends.immediate.ImmediateBackend",
}
_tasks_backend = env_str("TASKS_BACKEND", "immediate" if DEBUG else "database")
if _tasks_backend not in _TASKS_BACKENDS:
    raise ImproperlyConfigured(f"TASKS_BACKEND must be one of {', '.join(_TASKS_BACKENDS)}, not {_tasks_backend!r}.")
TASKS = {"default": {"BACKEND": _TASKS_BACKENDS[_tasks_backend], "QUEUES": ["default"]}}

# --- data.police.uk sync (scrutiny/sync/, docs/sync.md) -------------------------------------
# The API the sync and `importrecords --fetch` read. Point it at `manage.py replaypoliceuk` to work offline.
POLICE_UK_API_URL = env_str("POLICE_UK_API_URL", "https://data.police.uk/api")
# How many of the newest months every run fetches again: forces re-submit, and data.police.uk re-publishes them.
SYNC_RECENT_MONTHS = env_int("SYNC_RECENT_MONTHS", 3)
# Seconds to wait for data.police.uk (to connect, and between bytes), and tries per request before giving up.
POLICE_UK_TIMEOUT = env_int("POLICE_UK_TIMEOUT", 60)
POLICE_UK_ATTEMPTS = env_int("POLICE_UK_ATTEMPTS", 5)
# Fetches in flight at once (all within the API's 15 requests a second).
SYNC_FETCH_WORKERS = env_int("SYNC_FETCH_WORKERS", 4)

# --- Channels and cache ---------------------------------------------------------------------
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    # channels-redis waits for messages with BZPOPMIN for 5 s; redis-py 8 also gives up reading a socket after 5 s
    # by default, so under load the read could time out first and kill the consumer (its socket closes, and live
    # events are lost). A longer read timeout keeps the server's answer in time while still noticing a dead Redis.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": REDIS_URL, "socket_timeout": 30}]},
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Accounts (django-allauth) --------------------------------------------------------------
AUTH_USER_MODEL = "panels.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
ACCOUNT_ADAPTER = "panels.adapters.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# allauth's own rate limits (login failures, password resets, ...) stay at their defaults.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

# --- Email ----------------------------------------------------------------------------------
# Django 6.1's MAILERS; development prints emails to the console (the invitation links among them).
EMAIL_BACKEND_PATH = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
_SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25),
    "username": env_str("EMAIL_HOST_USER"),
    "password": env_str("EMAIL_HOST_PASSWORD"),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
    "use_ssl": env_bool("EMAIL_USE_SSL", False),
}
MAILERS = {
    "default": {
        "BACKEND": EMAIL_BACKEND_PATH,
        "OPTIONS": _SMTP_OPTIONS if EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "scrutiny@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first, so an unauthenticated request gets 401 with a WWW-Authenticate header rather than 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 100,
    # A service's refusal (common.errors.DomainError) becomes a 400 with its messages, in one place.
    "EXCEPTION_HANDLER": "common.api.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": f"{SITE_NAME} API",
    "DESCRIPTION": "Everything a page can do. Session or token authentication; every list is scoped to you.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
}

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------------------
# Uploaded import files wait here for the background worker (deleted once imported). With several workers on
# several machines, point MEDIA_ROOT at storage they share.
MEDIA_ROOT = env_str("MEDIA_ROOT", str(BASE_DIR / "media"))
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# In development WhiteNoise serves straight from the apps' static folders, no collectstatic needed.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
# Messages live in the session, not a readable cookie: one of them carries a newly created API token.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    if env_bool("BEHIND_TLS_PROXY", True):
        # The proxy in front terminates TLS and says so in this header (docs/deployment.md).
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
