"""Tongxing's one settings module, configured by environment variables (see the README).

The defaults let a fresh clone run at once on SQLite; production sets DATABASE_URL,
SECRET_KEY, ALLOWED_HOSTS, TONGXING_DATA_KEY, TONGXING_INDEX_KEY and TONGXING_HTTPS.
"""

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


DEBUG = env_bool("DEBUG", False)
# The default key is for a local demo only; `tongxing check --deploy` rejects it.
SECRET_KEY = os.environ.get("SECRET_KEY", "django-insecure-tongxing-local-demo-key-change-me")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
# Key for personal data at rest (ID and phone numbers): see tongxing/personal_data.py.
TONGXING_DATA_KEY = os.environ.get("TONGXING_DATA_KEY", "")
TONGXING_DATA_OLD_KEYS = os.environ.get("TONGXING_DATA_OLD_KEYS", "")
# Key of the keyed hashes that find an ID or phone number and keep an ID unique: it outlives
# every data key (rotating the data key never changes a hash).
TONGXING_INDEX_KEY = os.environ.get("TONGXING_INDEX_KEY", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "tongxing",
    "tongxing.audit",
    "tongxing.regions",
    "tongxing.accounts",
    "tongxing.jobs",
    "tongxing.registry",
    "tongxing.notifications",
    "tongxing.needs",
    "tongxing.programs",
    "tongxing.visits",
    "tongxing.events",
    "tongxing.commerce",
    "tongxing.indicators",
    "tongxing.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tongxing.middleware.ContentSecurityPolicy",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Below the locale, so the API's errors are in the request's language.
    "tongxing.middleware.ApiErrorsAsJson",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the user and messages are known: its 400 page is drawn in the site's frame.
    "tongxing.middleware.RefuseControlCharacters",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "tongxing.urls"
WSGI_APPLICATION = "tongxing.wsgi.application"

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
                "django.template.context_processors.i18n",
                "tongxing.navigation.navigation",
                # After Django's own CSRF processor: see tongxing.public_cache.
                "tongxing.public_cache.csrf_placeholder",
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------------------
DEFAULT_SQLITE = BASE_DIR / "var" / "tongxing.sqlite3"
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_SQLITE}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the one writer; IMMEDIATE takes the write lock at BEGIN,
    # so concurrent writers queue on the busy timeout instead of failing with "database is
    # locked" when a read transaction tries to upgrade. Never combine with ATOMIC_REQUESTS.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    # Tests run on a file, one per process, not in memory: the tests of concurrency open a
    # connection per thread, which an in-memory database would not let wait for the lock.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / f"test-{os.getpid()}.sqlite3")}
    sqlite_name = Path(DATABASES["default"]["NAME"])
    if str(sqlite_name) != ":memory:":
        sqlite_name.parent.mkdir(parents=True, exist_ok=True)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache --------------------------------------------------------------------------------
# The public answers (tongxing.public_cache), kept in each server process's memory: the
# version in the database keeps the processes in step. A board page is about 30 KB.
# 0 turns it off: every answer is built (the benchmark measures both).
PUBLIC_CACHE_ENTRIES = env_int("TONGXING_PUBLIC_CACHE_ENTRIES", 1000)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "tongxing-public",
        "OPTIONS": {"MAX_ENTRIES": PUBLIC_CACHE_ENTRIES},
    }
    if PUBLIC_CACHE_ENTRIES > 0
    else {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
}

# --- Accounts ---------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "workspace"
LOGOUT_REDIRECT_URL = "home"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        # Django's, with its error in Chinese too (see the module).
        "NAME": "tongxing.accounts.passwords.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed logins allowed per account, and per address, in the window before refusing.
LOGIN_FAILURES_PER_ACCOUNT = env_int("LOGIN_FAILURES_PER_ACCOUNT", 5)
LOGIN_FAILURES_PER_ADDRESS = env_int("LOGIN_FAILURES_PER_ADDRESS", 20)
LOGIN_FAILURE_WINDOW_SECONDS = env_int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60)
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 30)

# --- Internationalisation -----------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    ("zh-hans", _("Simplified Chinese")),
    ("zh-hant", _("Traditional Chinese")),
    ("en", _("English")),
]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# --- Static files (served by the app itself) ----------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT") or BASE_DIR / "var" / "static")
# `collectstatic` fills it for production; made here so WhiteNoise finds it before then.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Serve straight from the apps' static folders, so `tongxing demo` needs no collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- Security -------------------------------------------------------------------------------
# TONGXING_HTTPS=1 behind TLS (what `check --deploy` asks for); off for the local demo.
HTTPS = env_bool("TONGXING_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", HTTPS)
# Behind the reverse proxy the README describes: trust its X-Forwarded-Proto, and take the
# client's address from the hop it appends to X-Forwarded-For (tongxing/addresses.py).
TONGXING_BEHIND_PROXY = env_bool("TONGXING_BEHIND_PROXY", False)
if TONGXING_BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# The site's "form has expired" page, or JSON under /api/.
CSRF_FAILURE_VIEW = "tongxing.views.csrf_failure"
# Scripts, styles and everything else from this site's own files only: no inline script,
# handler or style attribute (JS and CSS live in static/), nothing from elsewhere, no
# framing. Images may also be data: URLs (the API's interactive docs draw icons so).
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# Uploaded files (photos that confirm deliveries) and the files of background jobs. They are
# served only through views that check who may see them, never as public static files.
MEDIA_ROOT = Path(os.environ.get("TONGXING_MEDIA_ROOT") or BASE_DIR / "var" / "media")

# --- Files in and out (tongxing/tabular.py, tongxing/jobs) -----------------------------------
# The largest file an import takes (rosters, region trees; page, API and command alike).
TONGXING_UPLOAD_MAX_MB = env_int("TONGXING_UPLOAD_MAX_MB", 50)
# What an .xlsx may unpack to, and the rows a file may have: checked before it is parsed.
TONGXING_UPLOAD_MAX_UNCOMPRESSED_MB = env_int("TONGXING_UPLOAD_MAX_UNCOMPRESSED_MB", 400)
TONGXING_IMPORT_MAX_ROWS = env_int("TONGXING_IMPORT_MAX_ROWS", 200_000)
# An import of more rows, or an export of more households, runs in the background.
TONGXING_BACKGROUND_ROWS = env_int("TONGXING_BACKGROUND_ROWS", 2_000)
# A report of a region of more households is written in the background.
TONGXING_BACKGROUND_HOUSEHOLDS = env_int("TONGXING_BACKGROUND_HOUSEHOLDS", 100_000)
# Background jobs are tasks in the database, run by `tongxing db_worker` (one at a time in
# each worker; `tongxing demo` starts one beside the web server).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
# Files of finished jobs (marked copies, exports) are deleted after this many days.
TONGXING_JOB_FILE_DAYS = env_int("TONGXING_JOB_FILE_DAYS", 7)

# The annual report (tongxing/reports): the directory of the office's own wording templates
# (zh-hans.md, en.md, zh-hant.md), which take the packaged ones' place; and the phrasing of
# the Traditional Chinese report made from the Simplified one: "tw" (Taiwan) or "hk".
TONGXING_REPORT_WORDING = Path(
    os.environ.get("TONGXING_REPORT_WORDING") or BASE_DIR / "var" / "report-wording"
)
TONGXING_TRADITIONAL = os.environ.get("TONGXING_TRADITIONAL", "tw")

# Where notifications go besides the in-app list (see tongxing/notifications/channels.py).
TONGXING_NOTIFICATION_CHANNELS = env_list(
    "TONGXING_NOTIFICATION_CHANNELS", "tongxing.notifications.channels.EmailChannel"
)
# How contributions are paid (see tongxing/needs/payments.py).
TONGXING_PAYMENT_PROVIDER = os.environ.get(
    "TONGXING_PAYMENT_PROVIDER", "tongxing.needs.payments.OfflineTransfer"
)
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
