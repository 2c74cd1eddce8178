"""Tremplin settings: one file, fed by the environment through the small helpers below.

Without any variable set, Tremplin runs on an embedded default (SQLite and Celery's
server-less filesystem broker under .run/), which is what `make run` uses on a fresh machine.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
import xstatic.pkg.bootstrap
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
RUN_DIR = BASE_DIR / ".run"


def env(name: str, default: str = "") -> str:
    import os

    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = env(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "csp",
    "innovation.platform",
    "innovation.site",
    "ideas",
    "juries",
    "rituals",
    "axes",
]

# Widgets render with the project's templates (templates/innovation/widgets/), and Django's
# own from the django.forms app.
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "innovation.platform.middleware.SessionTimeoutMiddleware",
    "innovation.platform.middleware.AuditMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "innovation.urls"
WSGI_APPLICATION = "innovation.wsgi.application"

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
                "innovation.platform.context_processors.navigation",
            ],
        },
    },
]

# --- Database: PostgreSQL in production, SQLite as the embedded default.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{RUN_DIR / 'tremplin.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    RUN_DIR.mkdir(exist_ok=True)
    # The covering index of the dashboard (INCLUDE columns) is a PostgreSQL feature; SQLite
    # builds it as a plain index, which is all the demo needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
    # The web process, the worker and beat write to the same file: wait rather than fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "innovation.User"
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out person is refused before their password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Brute-force lockout: 5 failures for one e-mail from one address lock it for 15 minutes.
# Locking by e-mail alone would let anyone lock a colleague out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "innovation.platform.auth.axes_username"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "innovation.platform.auth.client_ip"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- French first: French is the source language of every user-facing string.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français"))]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# « 14 h 30 » rather than Django's « 14:30 »; see innovation/platform/dates.py.
FORMAT_MODULE_PATH = ["innovation.formats"]

# --- Static files: our own files plus Bootstrap from the xstatic-bootstrap package.
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(RUN_DIR / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic.pkg.bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Attachments are private: stored outside any served folder, streamed by a checked view.
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(RUN_DIR / "media")))
MEDIA_URL = "/media-not-served/"
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail.
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = RUN_DIR / "mail"
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = 10
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Tremplin <ne-pas-repondre@tremplin.example>")

# --- Celery: Redis in production; the server-less filesystem broker by default.
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CELERY_BROKER_URL = REDIS_URL
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
        # kombu waits forever by default: a silent Redis would hang the web request.
        "socket_connect_timeout": 2,
        "socket_timeout": 5,
        "visibility_timeout": 3600,
        "max_retries": 1,
    }
else:
    _broker = RUN_DIR / "broker"
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker / "out"),
        "data_folder_out": str(_broker / "out"),
        "processed_folder": str(_broker / "processed"),
        "control_folder": str(_broker / "control"),
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True

CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300  # well below the broker's one-hour visibility timeout
CELERY_TASK_SOFT_TIME_LIMIT = 240
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(RUN_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE = {
    "send-pending-emails": {
        "task": "innovation.send_pending_emails",
        "schedule": 60.0,
    },
    "purge-old-notifications": {
        "task": "innovation.purge_read_notifications",
        "schedule": crontab(hour=3, minute=17),
    },
    # Reminders are due at a local hour; a short sweep finds them (no ETA in the broker).
    "send-followup-reminders": {
        "task": "ideas.send_followup_reminders",
        "schedule": 300.0,
    },
    # Breakfast rituals: keep ten weeks of dates generated; remind registrants the day before.
    "rituals-extend-horizons": {
        "task": "rituals.extend_horizons",
        "schedule": crontab(hour=2, minute=41),
    },
    "rituals-send-reminders": {
        "task": "rituals.send_reminders",
        "schedule": 900.0,
    },
}
# Outgoing e-mail (innovation.platform.outbox). A sender claims one e-mail right before sending it;
# nobody else may send it until the lease ends (database time). The lease must outlast the
# longest single send (a system check wants at least 10 × EMAIL_TIMEOUT); after it, an
# e-mail whose sender died is sent again. A sweep stops claiming after OUTBOX_SWEEP_SECONDS,
# so that its last send ends before CELERY_TASK_SOFT_TIME_LIMIT (checked too).
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120)
OUTBOX_SWEEP_SECONDS = env_int("OUTBOX_SWEEP_SECONDS", 60)
# A request enqueues e-mails in one short broker attempt (connect and reply timeouts, no retry);
# after a failure the process skips the broker for a pause and leaves e-mails to the sweep.
NOTIFICATION_BROKER_TIMEOUT_SECONDS = env_int("NOTIFICATION_BROKER_TIMEOUT_SECONDS", 1)
NOTIFICATION_BROKER_PAUSE_SECONDS = env_int("NOTIFICATION_BROKER_PAUSE_SECONDS", 30)
# Follow-up reminders (ideas.mandates.followups): local hour (Europe/Paris) at which they go
# out, days before the due date for "upcoming", days after it for the two escalations.
FOLLOWUP_REMINDER_HOUR = env_int("FOLLOWUP_REMINDER_HOUR", 9)
FOLLOWUP_REMINDER_LEAD_DAYS = env_int("FOLLOWUP_REMINDER_LEAD_DAYS", 3)
FOLLOWUP_OVERDUE_DAYS = env_int("FOLLOWUP_OVERDUE_DAYS", 3)
FOLLOWUP_OVERDUE_AGAIN_DAYS = env_int("FOLLOWUP_OVERDUE_AGAIN_DAYS", 10)

# --- Security. Production sets DJANGO_SECURE=1 (see .env.example).
SECURE = env_bool("DJANGO_SECURE", False)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = SECURE and env_bool("DJANGO_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if SECURE else None
SECURE_HSTS_SECONDS = 31536000 if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
# Sessions end after SESSION_IDLE_MINUTES without a request, and SESSION_ABSOLUTE_HOURS after
# login whatever happens (innovation.platform.middleware.SessionTimeoutMiddleware).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 120)
SESSION_ABSOLUTE_HOURS = env_int("SESSION_ABSOLUTE_HOURS", 12)
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_HOURS * 3600
# In PostgreSQL, like everything else: one primary-key read per page, and nothing a Redis
# outage or eviction could take away.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "one_line_per_client_error": {"()": "innovation.platform.logs.OneLinePerClientError"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    # Refusals and missing pages are one line each, never a traceback (innovation/platform/logs.py).
    "loggers": {"django.request": {"filters": ["one_line_per_client_error"]}},
}

# Pagination and lists.
IDEAS_PER_PAGE = 25
BOARD_CARDS_PER_STATE = 15

# How many reverse proxies stand in front of the app (X-Forwarded-For is trusted that deep).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
