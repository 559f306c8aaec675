"""Settings of the consortium portal, read from the environment.

With nothing set the portal runs on a SQLite file and Celery runs tasks eagerly
in-process, so a newcomer needs nothing installed. Production and CI set
DATABASE_URL (PostgreSQL) and REDIS_URL (the Celery broker).
"""

from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="dev-only-insecure-key-change-me-in-production-0123456789")
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
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "crispy_forms",
    "crispy_bootstrap5",
    "consortium",
    "members",
    "projects",
    "training",
    "dashboards",
]

MIDDLEWARE = [
    "consortium.requestid.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "consortium.middleware.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "consortium.middleware.SessionIdleMiddleware",
    "consortium.middleware.ExpertScopeMiddleware",
    "consortium.middleware.WorkQueueCountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "consortium.urls"
WSGI_APPLICATION = "consortium.wsgi.application"

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
                "consortium.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Health checks let the portal survive a PostgreSQL restart: a dead persistent
# connection is dropped and reopened instead of failing every request.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "members.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Files follow their transaction and a full disk leaves no partial file (consortium/storage.py).
    "default": {"BACKEND": "consortium.storage.TransactionalFileSystemStorage"},
    "staticfiles": {
        "BACKEND": env.str("STATICFILES_STORAGE", default="django.contrib.staticfiles.storage.StaticFilesStorage")
    },
}
# Uploaded files (signed agreement scans) live outside static/ and are served only
# through views that check permissions, never by the static file server.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "uploads")))
# No URL pattern serves MEDIA_URL: files go out only through permission-checked views.
MEDIA_URL = "/uploads-not-served/"
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=20 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Trainee import (training/imports/): what an upload may be, and how long an unconfirmed
# preview (which holds full ID numbers on disk) is kept.
TRAINEE_IMPORT_MAX_ROWS = env.int("TRAINEE_IMPORT_MAX_ROWS", default=200_000)
TRAINEE_IMPORT_MAX_BYTES = env.int("TRAINEE_IMPORT_MAX_BYTES", default=50 * 1024 * 1024)
TRAINEE_IMPORT_MAX_UNCOMPRESSED = env.int("TRAINEE_IMPORT_MAX_UNCOMPRESSED", default=500 * 1024 * 1024)
TRAINEE_IMPORT_MAX_ZIP_ENTRIES = env.int("TRAINEE_IMPORT_MAX_ZIP_ENTRIES", default=1000)
TRAINEE_IMPORT_MAX_RATIO = env.int("TRAINEE_IMPORT_MAX_RATIO", default=100)
TRAINEE_IMPORT_PREVIEW_HOURS = env.int("TRAINEE_IMPORT_PREVIEW_HOURS", default=24)
# Bounds applied while an .xlsx (training/imports/xlsx.py) or a CSV is read, so that a hostile file is
# refused in well under a second: decompressed sheet and shared-strings XML, rows (or CSV lines)
# counting blank ones (0: twice TRAINEE_IMPORT_MAX_ROWS plus 10,000), one row or CSV line, and one
# cell's text or attribute (Excel holds at most 32,767 characters in a cell).
TRAINEE_IMPORT_MAX_SHEET_BYTES = env.int("TRAINEE_IMPORT_MAX_SHEET_BYTES", default=128 * 1024 * 1024)
TRAINEE_IMPORT_MAX_STRINGS_BYTES = env.int("TRAINEE_IMPORT_MAX_STRINGS_BYTES", default=64 * 1024 * 1024)
TRAINEE_IMPORT_MAX_SHEET_ROWS = env.int("TRAINEE_IMPORT_MAX_SHEET_ROWS", default=0)
TRAINEE_IMPORT_MAX_ROW_BYTES = env.int("TRAINEE_IMPORT_MAX_ROW_BYTES", default=1024 * 1024)
TRAINEE_IMPORT_MAX_CELL_BYTES = env.int("TRAINEE_IMPORT_MAX_CELL_BYTES", default=512 * 1024)

# On PostgreSQL the KPI roll-up counts distinct people on a second connection alongside the rest.
KPI_ROLLUP_THREADS = env.bool("KPI_ROLLUP_THREADS", default=True)

# Seconds each worker keeps a rendered overview page per user (dashboards/pagecache.py); 0 = off.
DASHBOARD_PAGE_CACHE_SECONDS = env.int("DASHBOARD_PAGE_CACHE_SECONDS", default=5)

# E-mail (members/mail.py, sent by Celery): the console by default, SMTP once EMAIL_HOST is set.
EMAIL_HOST = env.str("EMAIL_HOST", default="")
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# A mail server that hangs costs a worker at most this long per message; the retry takes it from there.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@consortium.local")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The portal's address as users reach it: the links in e-mails are absolute.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000")
# Seconds a save waits for the broker to take its mail task; what it does not take, the sweep sends.
MAIL_PUBLISH_WAIT = env.float("MAIL_PUBLISH_WAIT", default=0.5)
# A message still unsent this many seconds after it was queued is sent by the sweep (beat, every minute)
MAIL_SWEEP_AFTER = env.int("MAIL_SWEEP_AFTER", default=300)
# ... until it has failed this many times; then it stays unsent in the database, with its error logged.
MAIL_MAX_ATTEMPTS = env.int("MAIL_MAX_ATTEMPTS", default=10)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REST_FRAMEWORK = {
    # Token first: its WWW-Authenticate header makes a missing or bad token a 401, not a 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["consortium.api_permissions.RolePermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "consortium.api_backends.PortalFilterBackend",
        "consortium.api_backends.PortalOrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "consortium.api_backends.PortalPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "consortium.api_schema.PortalAutoSchema",
    "EXCEPTION_HANDLER": "consortium.security.api_exception_handler",
}
# Content-Security-Policy on every response (django-csp): scripts only from the portal's own files,
# no inline script and no eval; nothing loads from another host. Inline style attributes stay allowed
# (progress bars and form widths set them; a style cannot run code).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

SPECTACULAR_SETTINGS = {
    # A Latin title: generated clients take their package name from it.
    "TITLE": "Lanzhou New Area Consortium Portal API",
    "DESCRIPTION": "兰州新区产教联合体门户 API (Lanzhou New Area Industry–Education Consortium portal). "
    "Authenticate with a token from /api/v1/token/ (header `Authorization: Token <key>`). "
    "A record's version is its ETag; send it as If-Match with a change to refuse a stale edit (412).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe the portal's records: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Request and response bodies are separate components: a client creating a record sends no id or status.
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "consortium.api_schema.postprocess"],
    # One name per choice set that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "MembershipStatusEnum": "members.models.MembershipStatus",
        "AgreementStatusEnum": "projects.models.AgreementStatus",
        "ProjectStatusEnum": "projects.models.ProjectStatus",
        "SessionStatusEnum": "training.models.SessionStatus",
        "ImportStatusEnum": "training.models.ImportStatus",
    },
}

# Celery: with REDIS_URL unset, tasks run eagerly in-process (the embedded default).
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# No task may run longer than CELERY_TASK_TIME_LIMIT (the longest, a year's roll-up at a million
# sessions, takes seconds); a message unacknowledged for visibility_timeout is delivered again, so
# that a worker killed whole costs minutes, not the hour of the default, and the limit keeps a
# running task from ever being delivered twice.
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=300)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * CELERY_TASK_TIME_LIMIT),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
# A save waits at most this long for the broker to take its roll-up; the durable request and the
# sweep cover what is not taken (dashboards/signals.py).
KPI_PUBLISH_WAIT = env.float("KPI_PUBLISH_WAIT", default=0.5)
CELERY_BEAT_SCHEDULE = {
    # Apps own their tasks; the schedule is kept here so it can be read in one place.
    "agreement-expiry-notices": {"task": "projects.tasks.notify_expiring_agreements", "schedule": 24 * 3600},
    "trainee-import-previews-cleanup": {"task": "training.tasks.discard_stale_trainee_previews", "schedule": 24 * 3600},
    # The year is taken when the task runs (Shanghai time), so the schedule always covers the current
    # year. Nothing is saved when a session's end passes: this run moves it from pipeline to actual.
    "kpi-rollup-quarter-hourly": {"task": "dashboards.tasks.rollup_current_year", "schedule": 15 * 60},
    # Every year with a durable recompute request (dashboards.RollupRequest): a change made while the
    # broker was down is in the figures within this interval of the worker and beat running again.
    "kpi-rollup-requests-sweep": {"task": "dashboards.tasks.sweep_rollup_requests", "schedule": 30},
    # E-mail: the queued task is the fast path; the sweep sends what a lost task left unsent.
    "mail-sweep": {"task": "members.tasks.sweep_mail", "schedule": 60},
    "mail-daily-digest": {"task": "members.tasks.send_daily_digests", "schedule": crontab(hour=8, minute=0)},
    "kpi-rollup-nightly": {
        "task": "dashboards.tasks.rollup_kpis",
        "schedule": crontab(hour=2, minute=0),
        "kwargs": {"year": None},
    },
}

# Sessions end after this many seconds without a request; consortium.middleware renews
# the expiry at most once per SESSION_TOUCH_INTERVAL seconds.
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_TIMEOUT", default=2 * 3600)
SESSION_TOUCH_INTERVAL = 60

# Login throttling (django-axes): lock the pair (account, address) after repeated failures,
# so that one locked account never locks out the other accounts behind the same NAT.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/lockout.html"
AXES_IPWARE_PROXY_COUNT = env.int("PROXY_COUNT", default=0)

# Production behind a TLS-terminating proxy (nginx): DEPLOYMENT=production turns on the
# settings `manage.py check --deploy` asks for. Off by default so the development server
# and the tests speak plain HTTP.
if env.str("DEPLOYMENT", default="development") == "production":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    STORAGES["staticfiles"]["BACKEND"] = env.str(
        "STATICFILES_STORAGE", default="whitenoise.storage.CompressedManifestStaticFilesStorage"
    )
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "consortium.requestid.RequestContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [request %(request_id)s user %(user)s %(path)s] %(message)s",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_context"]}},
    # Every unhandled exception reaches django.request at ERROR with its traceback; without a handler
    # of our own, Django's defaults print it only with DEBUG on.
    "root": {"handlers": ["console"], "level": "WARNING"},
    # Everything propagates to the root's one handler, so each record is written once.
    "loggers": {
        "consortium": {"level": "INFO"},
        "django": {"handlers": [], "level": "WARNING"},
        "django.request": {"level": "ERROR"},
        "django.server": {"handlers": [], "level": "INFO"},
    },
}
