"""StudyHub settings, read from environment variables only.

Defaults are safe for local use (SQLite, debug on, localhost only); README lists
the variables a production deployment sets.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

_DEV_SECRET_KEY = "django-insecure-local-development-key-never-use-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and (
    SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5
):
    raise ImproperlyConfigured(
        "DJANGO_DEBUG is off: set DJANGO_SECRET_KEY to a random string of at least 50 characters."
    )

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "crispy_bootstrap5",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "treebeard",
    "simple_history",
    "studyhub",
    "lessons",
    "groups",
]

MIDDLEWARE = [
    # First: every log line of the request, and the response, carry its id.
    "studyhub.logs.RequestIdMiddleware",
    # Early, so every response gets the header: static files, errors and redirects too.
    "csp.middleware.CSPMiddleware",
    # Before the host check and the HTTPS redirect, which a load balancer's probe would fail.
    "studyhub.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "studyhub.middleware.ChosenLanguageMiddleware",
    # Before anything reads the body (CSRF reads the POST): a 200 MB upload is never read.
    "studyhub.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Every page needs a login unless its view says otherwise (@login_not_required).
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # Says whether this session gave a two-step verification code; then holds the user at the
    # code step (or the setup page, where the site requires it) until it has.
    "django_otp.middleware.OTPMiddleware",
    "studyhub.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Records who made each change in the attendance history.
    "simple_history.middleware.HistoryRequestMiddleware",
]

ROOT_URLCONF = "studyhub.urls"
WSGI_APPLICATION = "studyhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "studyhub.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.config(
        env="DATABASE_URL",
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0),
    )
}
# A background job's progress is written on a connection of its own: on PostgreSQL an export
# reads its rows inside one transaction (groups/exports/writers.py, planned_to_stream), and
# progress written in it would show only at the end. Tests use the default connection.
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["jobs"] = {**DATABASES["default"], "TEST": {"MIRROR": "default"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # Throttles repeated failed logins per username and address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "studyhub.login_throttle.LoginThrottle"
AXES_FAILURE_LIMIT = env_int("DJANGO_LOGIN_FAILURE_LIMIT", 5)
# Wrong passwords from one address, over every user name, before that address is paused too.
STUDYHUB_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("DJANGO_LOGIN_ADDRESS_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = env_int("DJANGO_LOGIN_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
# The client's address, for the throttle. Behind DJANGO_PROXY_COUNT reverse proxies it is read
# from X-Forwarded-For (django-ipware); without a proxy that header is ignored, as any client
# can write it. ipware counts the proxies named in the header, and the last proxy is not in it
# (it is REMOTE_ADDR); a header that does not match that count is not believed.
PROXY_COUNT = env_int("DJANGO_PROXY_COUNT", 0)
if PROXY_COUNT:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    AXES_IPWARE_PROXY_COUNT = PROXY_COUNT - 1
else:
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Two-step verification (studyhub/two_factor): anyone may turn it on; with this set, staff and
# branch managers must.
STUDYHUB_REQUIRE_2FA = env_bool("STUDYHUB_REQUIRE_2FA", False)
OTP_TOTP_ISSUER = "StudyHub"
# The admin lists devices so staff can remove a lost one, but never shows their secrets.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
# A password reset link (emailed on request) and an invitation link (a branch manager's, for a
# member who has never set a password) work once, and only for this many days.
PASSWORD_RESET_TIMEOUT = env_int("STUDYHUB_PASSWORD_RESET_DAYS", 3) * 24 * 3600
STUDYHUB_INVITATION_DAYS = env_int("STUDYHUB_INVITATION_DAYS", 14)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = env_str("DJANGO_LANGUAGE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
# Uploaded and generated files: a folder on this host, or a bucket that every web and worker host
# shares (django-storages; AWS S3, MinIO, Alibaba OSS and others speak its protocol). Files stay
# private either way: no public URL is ever made, views check who may see a file and stream it.
S3_BUCKET = env_str("DJANGO_S3_BUCKET")
if S3_BUCKET:
    _DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": env_str("DJANGO_S3_ENDPOINT_URL") or None,
            "region_name": env_str("DJANGO_S3_REGION") or None,
            "access_key": env_str("DJANGO_S3_ACCESS_KEY_ID") or None,
            "secret_key": env_str("DJANGO_S3_SECRET_ACCESS_KEY") or None,
            # "path" for MinIO; Alibaba OSS wants "virtual" (bucket.endpoint).
            "addressing_style": env_str("DJANGO_S3_ADDRESSING_STYLE") or None,
            "location": env_str("DJANGO_S3_PREFIX"),
            # Never a public address: any URL made is signed and expires (in seconds).
            "custom_domain": None,
            "querystring_auth": True,
            "querystring_expire": 300,
            # No ACL header: objects are as private as the bucket, and buckets with ACLs turned
            # off (AWS's default) refuse any ACL but the owner's.
            "default_acl": None,
            "file_overwrite": False,
            "signature_version": "s3v4",
        },
    }
else:
    _DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The cache holds limits such as the check-in's wrong-code count, so it must be one store that
# every worker and host shares: the database by default (its table is made by a migration,
# studyhub/migrations), Redis when DJANGO_REDIS_URL is set.
# Sessions live in the database, so any worker or host knows a login; with Redis, read through
# it (cached_db: written to both, so a Redis restart logs nobody out).
if env_str("DJANGO_REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env_str("DJANGO_REDIS_URL"),
            # A Redis that is down fails a request (and /healthz) in seconds, not minutes.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "studyhub_cache",
            # Culling past the default 300 entries would drop rate-limit counters along with
            # cached section pages (one a section and language).
            "OPTIONS": {"MAX_ENTRIES": 50_000},
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# The task queue's broker (Redis), also checked by /healthz; unset, tasks run in the web process.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = False
# A task is acknowledged when it ends, not when it starts: a worker killed mid-task leaves it
# on the queue for the next worker (studyhub/jobs/services.py makes the rerun safe).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_TASK_SERIALIZER = CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# Redis hands an unacknowledged task to another worker after this many seconds: longer than
# the longest job, or it would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 3600)
}
CELERY_BEAT_SCHEDULE = {
    # The same code as `manage.py send_reminders`; it sends nobody a reminder twice.
    "reminders": {"task": "groups.reading.tasks.send_reminders", "schedule": 3600.0},
    "jobs-delete-expired": {"task": "studyhub.tasks.jobs_delete_expired", "schedule": 24 * 3600.0},
    "jobs-sweep-stale": {"task": "studyhub.tasks.jobs_sweep_stale", "schedule": 300.0},
}
# Background jobs (studyhub/jobs): their files are deleted this many days after they finish;
# a running job whose worker has not reported for this many minutes is marked failed.
STUDYHUB_JOB_FILE_DAYS = env_int("STUDYHUB_JOB_FILE_DAYS", 7)
STUDYHUB_JOB_STALE_MINUTES = env_int("STUDYHUB_JOB_STALE_MINUTES", 15)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Lecture files larger than this are refused before parsing.
LECTURE_MAX_UPLOAD_BYTES = env_int("STUDYHUB_LECTURE_MAX_BYTES", 2 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = LECTURE_MAX_UPLOAD_BYTES + 1024 * 1024
# Larger request bodies are refused (413) before a byte of them is read: the largest upload
# (a 10 MB minutes attachment) and its form fit. The reverse proxy should refuse them first.
MAX_REQUEST_BYTES = env_int("STUDYHUB_MAX_REQUEST_BYTES", 12 * 1024 * 1024)

# Production hardening: on unless debugging; each can be relaxed where a proxy already does it.
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("DJANGO_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", not DEBUG)
if env_bool("DJANGO_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy: scripts and styles come only from our own static files (no inline
# script, style attribute or eval), so injected markup can run nothing. data: images are
# Bootstrap's own icons (form-select arrows, close buttons) in its stylesheet.
CSP_DIRECTIVES = {
    "default-src": [SELF],
    "script-src": [SELF],
    "style-src": [SELF],
    "img-src": [SELF, "data:"],
    "font-src": [SELF],
    "connect-src": [SELF],
    "object-src": [NONE],
    "base-uri": [SELF],
    "form-action": [SELF],
    "frame-ancestors": [NONE],
}
if env_str("DJANGO_CSP_REPORT_URI"):
    CSP_DIRECTIVES["report-uri"] = env_str("DJANGO_CSP_REPORT_URI")
# Report-only lets a deployment try the policy first: browsers log what it would block.
if env_bool("DJANGO_CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": CSP_DIRECTIVES}
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": CSP_DIRECTIVES}

EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_USER")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_PASSWORD")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "studyhub@localhost")
# The site's public address, for links in emails sent by cron (send_reminders).
STUDYHUB_SITE_URL = env_str("STUDYHUB_SITE_URL", "http://127.0.0.1:8000")

# One JSON object a line on stderr (journald or the container collects it), each with the id of
# its request (studyhub/logs.py); DJANGO_LOG_FORMAT=plain for people reading a terminal.
LOG_FORMAT = env_str("DJANGO_LOG_FORMAT", "plain" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "studyhub.logs.JsonFormatter"},
        "plain": {"()": "studyhub.logs.PlainFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING")},
}
