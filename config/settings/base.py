"""Settings shared by every environment.

Everything is read from the environment through django-environ; every default here is safe
for a developer's machine, and ``production.py`` makes the secrets mandatory.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONE, SELF, UNSAFE_INLINE
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY", default="insecure-local-only-key-never-use-in-production")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Working files of the embedded default (SQLite database, filesystem broker, ...).
VAR_DIR = Path(env("FENGHUO_VAR_DIR", default=str(BASE_DIR / "var")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "drf_standardized_errors",
    "django_htmx",
    "django_celery_beat",
    "core.third_party.TaskResultsConfig",  # django_celery_results, named in our languages
    "core.third_party.SignInAttemptsConfig",  # axes, likewise
    # ours, in dependency order (each app may use the ones above it)
    "core",
    "organisation",
    "notifications",
    "deadlines",
    "collaboration",
    "incidents",
    "maintenance",
    "complaints",
    "alerts",
    "hq",
    "accountability",
    "notices",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # a NUL character anywhere in the request is a 400 before anything reads it
    "organisation.middleware.NulCharacterMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "config.throttling.FailedAuthThrottleMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "organisation.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # each write request one transaction, rolled back when it fails
    "organisation.middleware.AtomicWritesMiddleware",
    # last, as django-axes asks
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "organisation.context_processors.navigation",
                "notifications.context_processors.unread",
                "deadlines.context_processors.calendar_warning",
                "deadlines.context_processors.next_due",
            ],
        },
    },
]

# --- database -------------------------------------------------------------------------------
# Embedded default: SQLite in WAL mode with immediate transactions, so that the web process,
# the Celery worker and beat can share it on one machine. Set DATABASE_URL for PostgreSQL.
DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'fenghuo.sqlite3'}"),
}
SQLITE_OPTIONS = {
    "timeout": 30,
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("DATABASE_CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True


def pooled(database: dict) -> dict:
    """``database`` (PostgreSQL) with its connections taken from a pool of the process
    (Django's, on psycopg_pool) when ``DATABASE_POOL`` is set, as the web sets it
    (``config.asgi``). Served over ASGI, each request's database work runs in a thread of
    its own: a connection kept open after it (``CONN_MAX_AGE``) is never used again, one
    more per request until PostgreSQL refuses them all. The pool gives each back when the
    request ends, holds up to ``DATABASE_POOL_SIZE``, and makes a request wait up to
    ``DATABASE_POOL_TIMEOUT`` seconds for one (then it fails as the database being down
    does: 503), and checks each before handing it out (one left broken by a database
    restart is replaced, not failed on). The workers keep one connection per thread, open
    between tasks."""
    if database["ENGINE"] != "django.db.backends.postgresql" or not env.bool(
        "DATABASE_POOL", default=False
    ):
        return database
    pool = {
        "min_size": 1,
        "max_size": env.int("DATABASE_POOL_SIZE", default=10),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=5.0),
    }
    options = {**database.get("OPTIONS", {}), "pool": pool}
    # with a pool, Django's health checks are the pool's check before handing one out
    return {**database, "CONN_MAX_AGE": 0, "CONN_HEALTH_CHECKS": True, "OPTIONS": options}


DATABASES["default"] = pooled(DATABASES["default"])
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# While the database or the broker cannot be reached, every request answers 503 with this
# Retry-After (core.unavailable): long enough for a restart or a fail-over, short enough that
# an intake system's retry is not held up.
RETRY_AFTER_SECONDS = env.int("RETRY_AFTER_SECONDS", default=5)

# A comment's author may correct it for this long after writing it (collaboration); after that
# it stands as written, like the rest of a record's history.
COMMENT_EDIT_MINUTES = env.int("COMMENT_EDIT_MINUTES", default=10)

# --- auth -----------------------------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a login after repeated failures.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Failed-login throttling (django-axes): lock a username at one address after 5 failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

# --- internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("FENGHUO_TIME_ZONE", default="Asia/Shanghai")
USE_TZ = True

# --- static files ---------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
MEDIA_ROOT = VAR_DIR / "media"
# Files attached to records (collaboration.attachment_services): read only through the
# record's scoping (/attachments/<id>/), never at a public URL: the storage has no URL and
# lies outside MEDIA_ROOT. Production may put them in an S3-compatible store instead
# (config/settings/production.py, ATTACHMENT_S3_*).
ATTACHMENT_DIR = Path(env("ATTACHMENT_DIR", default=str(VAR_DIR / "attachments")))
STORAGES["attachments"] = {
    "BACKEND": "collaboration.attachment_storage.PrivateFileSystemStorage",
    "OPTIONS": {"location": ATTACHMENT_DIR},
}
# The largest file one may attach, in bytes (a larger one is refused: 413 on the API).
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=20 * 1024 * 1024)
# The types one may attach, as the file's bytes show them (never as the client declares):
# documents, spreadsheets, pictures, plain text and archives of them.
ATTACHMENT_TYPES = env.list(
    "ATTACHMENT_TYPES",
    default=[
        "application/pdf",
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/msword",
        "application/vnd.ms-excel",
        "text/plain",
        "text/csv",
        "application/zip",
    ],
)

# --- REST API -------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "organisation.authentication.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_standardized_errors.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "drf_standardized_errors.handler.exception_handler",
    "DEFAULT_VERSIONING_CLASS": None,
    # JSON too deep, or with a NUL character or lone surrogate, is a 400 (core.api.parsers)
    # JSON in (the REST contract): a form or multipart body is a 415
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Off here (no rates); production sets the rates and counts in Redis (config.throttling).
    "DEFAULT_THROTTLE_CLASSES": [
        "config.throttling.AnonThrottle",
        "config.throttling.UserThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"anon": None, "user": None, "failed_auth": None},
}
# A retry with the same Idempotency-Key gets the first answer for this long (a client retries
# within minutes or hours); then the kept answer is pruned and the key is a fresh request.
IDEMPOTENCY_RETENTION = timedelta(days=env.float("IDEMPOTENCY_RETENTION_DAYS", default=7))
# /api/schema/ and /api/docs/ only for people and systems that are logged in (on in production).
API_DOCS_REQUIRE_LOGIN = env.bool("API_DOCS_REQUIRE_LOGIN", default=False)
DRF_STANDARDIZED_ERRORS = {
    "ENABLE_IN_DEBUG_FOR_UNHANDLED_EXCEPTIONS": True,
    "EXCEPTION_HANDLER_CLASS": "core.api.errors.ExceptionHandler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fenghuo 烽火 API",
    "DESCRIPTION": (
        "Service-quality incidents, complaints, alerts and accountability. "
        "Authenticate with a browser session or `Authorization: Api-Key <key>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Swagger UI served from our own static files (drf-spectacular-sidecar), no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # drf-standardized-errors documents every error response; name its enums once.
    "ENUM_NAME_OVERRIDES": {
        name: f"drf_standardized_errors.openapi_serializers.{name}.choices"
        for name in (
            "ValidationErrorEnum",
            "ClientErrorEnum",
            "ServerErrorEnum",
            *(f"ErrorCode{code}Enum" for code in (401, 403, 404, 405, 406, 415, 429, 500)),
        )
    }
    | {
        "CancelReasonEnum": "incidents.choices.CancelReason",
        "CooperationReasonEnum": "incidents.models.Cooperation.Reason",
        "HqWarningLevelEnum": "hq.choices.WARNING_LEVELS",
        "ReportKindEnum": "hq.choices.ReportKind",
        "ReportStateEnum": "hq.choices.ReportState",
        "ComplaintStateEnum": "complaints.choices.ComplaintState",
        "NotificationChannelEnum": "notifications.models.Channel",
        "LevelEnum": "incidents.choices.Level",
        "ChannelEnum": "complaints.choices.ComplaintChannel",
        "PlannedWorkKindEnum": "maintenance.models.PlannedWorkKind",
        "BusinessLineEnum": "incidents.choices.BusinessLine",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_standardized_errors.openapi_hooks.postprocess_schema_enums",
        "core.api.schema.text_is_not_blank",
    ],
}

# --- security headers -------------------------------------------------------------------------
# Scripts and style sheets only from our own /static/ (ECharts and htmx are vendored): no inline
# script, no <style> element. Style attributes stay allowed: ECharts' tooltips and Django's admin
# widgets set them, and an attribute can neither run script nor select elements.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Nothing here uses the camera, microphone, location, payment or device sensors.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# --- Celery ---------------------------------------------------------------------------------
# Embedded default: kombu's filesystem transport (no server). Set CELERY_BROKER_URL to a Redis
# URL everywhere else.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=env("REDIS_URL", default="filesystem://"))
BROKER_DIR = VAR_DIR / "broker"
# A request that publishes a task while Redis is down gives up within a fraction of a second
# (the outbox row stays pending and the sweep sends it) instead of hanging on retries.
REDIS_TRANSPORT_OPTIONS: dict[str, object] = {
    "visibility_timeout": 3600,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR),
        "data_folder_out": str(BROKER_DIR),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
CELERY_RESULT_BACKEND = "django-db"
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 7 * 24 * 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_TASK_DEFAULT_QUEUE = "default"
# The clock never waits for a channel: the deadline sweep, rescheduling and mass-complaint
# detection have a queue and a worker of their own (`deadlines`), so a hung mail server holds
# up deliveries only (`deliveries`); the dashboards' rollups take the default queue. Each queue
# is bound by its own name, as Celery binds a queue it creates itself. A worker started without
# -Q consumes all three, so a single worker still runs everything.
CELERY_TASK_QUEUES = [
    Queue(name, routing_key=name) for name in ("default", "deadlines", "deliveries")
]
CELERY_TASK_ROUTES = {
    # housekeeping takes the default queue: it must never hold up a delivery
    "notifications.tasks.prune_deliveries_task": {"queue": "default"},
    "deadlines.tasks.*": {"queue": "deadlines"},
    "complaints.tasks.*": {"queue": "deadlines"},
    "notifications.tasks.*": {"queue": "deliveries"},
    # SMS broadcasts to customers go out beside the deliveries to people, at their own rate
    "notices.tasks.*": {"queue": "deliveries"},
    # the reports' e-mails and robots go with the other deliveries; the mailbox is intake
    "hq.tasks.deliver_report_task": {"queue": "deliveries"},
    "hq.tasks.poll_hq_mailbox_task": {"queue": "default"},
    "maintenance.tasks.*": {"queue": "default"},
}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# django-celery-beat's scheduler behind a lease in the database: a second beat stands by.
CELERY_BEAT_SCHEDULER = "core.beat:LeasedScheduler"
# Periodic jobs are declared in code so that every environment enforces deadlines;
# django-celery-beat copies them into its admin tables, where the interval can be changed.
DEADLINE_SWEEP_SECONDS = env.float("DEADLINE_SWEEP_SECONDS", default=30.0)
# A breach reaches the responsible person and their superior in the app and on these channels
# (those each person has not switched off); a reminder reaches the responsible person in the
# app and on its own channels (none by default: a reminder is no news to act on at once).
DEADLINE_BREACH_CHANNELS = env.list("DEADLINE_BREACH_CHANNELS", default=["email"])
DEADLINE_REMINDER_CHANNELS = env.list("DEADLINE_REMINDER_CHANNELS", default=[])
# A storm's backlog of breaches is announced by this many processes of the deadlines worker
# together (the sweep and its helpers: as many as the worker has processes, one per core).
DEADLINE_ANNOUNCERS = env.int("DEADLINE_ANNOUNCERS", default=2)
# How often complaints are looked over for a mass event nobody has raised yet (the rules'
# thresholds and windows are data); intake does not wait for it.
MASS_COMPLAINT_SWEEP_SECONDS = env.float("MASS_COMPLAINT_SWEEP_SECONDS", default=15.0)
# Each sweep reads only the complaints that arrived since the last one (each rule's
# watermark), reaching back this much further for complaints whose intake committed late.
MASS_COMPLAINT_SWEEP_OVERLAP_SECONDS = env.float(
    "MASS_COMPLAINT_SWEEP_OVERLAP_SECONDS", default=120.0
)
# The long lists page by cursor (no count of the whole list): rows per page, and how many of
# the newest incidents the incident list counts its levels among (beyond them: "412+").
COMPLAINT_LIST_PAGE_SIZE = env.int("COMPLAINT_LIST_PAGE_SIZE", default=30)
INCIDENT_LIST_PAGE_SIZE = env.int("INCIDENT_LIST_PAGE_SIZE", default=25)
DEADLINE_LIST_PAGE_SIZE = env.int("DEADLINE_LIST_PAGE_SIZE", default=50)
# exports of the lists read this many rows per round trip of their server-side cursor
EXPORT_CHUNK_SIZE = env.int("EXPORT_CHUNK_SIZE", default=2000)
# bulk actions on the complaint list: at most this many complaints per request
COMPLAINT_BULK_ACTION_MAX = env.int("COMPLAINT_BULK_ACTION_MAX", default=100)
LIST_COUNT_CAP = env.int("LIST_COUNT_CAP", default=1000)
# a process freezes what it has kept once it has served this many requests (core.memory;
# 0: never)
GC_FREEZE_AFTER_REQUESTS = env.int("GC_FREEZE_AFTER_REQUESTS", default=50)
# The dashboards: how often today's rollups are recomputed; what "due soon" means.
DASHBOARD_ROLLUP_SECONDS = env.float("DASHBOARD_ROLLUP_SECONDS", default=60.0)
DEADLINE_DUE_SOON_MINUTES = env.int("DEADLINE_DUE_SOON_MINUTES", default=60)
# The province's cities as a map (GeoJSON under static/, one feature per city, named as the
# cities' Chinese names begin); empty draws bars instead. The default is the demo province.
DASHBOARD_PROVINCE_MAP = env("DASHBOARD_PROVINCE_MAP", default="vendor/echarts/jilin.json")
# Housekeeping: how often rows past their retention are pruned (in batches; a run with
# nothing expired reads one index entry per table).
HOUSEKEEPING_SECONDS = env.float("HOUSEKEEPING_SECONDS", default=3600.0)
# The headquarters exchange (seed 000 第八条(一)): HQ's signed webhook shares this secret
# (HMAC-SHA256 over "<timestamp>.<raw body>", the timestamp within the tolerance, seconds);
# HQ's warnings sent as e-mail are taken from this IMAP mailbox every minute (no host: off).
HQ_WEBHOOK_SECRET = env("HQ_WEBHOOK_SECRET", default="")
HQ_WEBHOOK_TOLERANCE = env.float("HQ_WEBHOOK_TOLERANCE", default=300.0)
HQ_IMAP_HOST = env("HQ_IMAP_HOST", default="")
HQ_IMAP_PORT = env.int("HQ_IMAP_PORT", default=993)
HQ_IMAP_SSL = env.bool("HQ_IMAP_SSL", default=True)
HQ_IMAP_USER = env("HQ_IMAP_USER", default="")
HQ_IMAP_PASSWORD = env("HQ_IMAP_PASSWORD", default="")
HQ_IMAP_FOLDER = env("HQ_IMAP_FOLDER", default="INBOX")
HQ_IMAP_POLL_SECONDS = env.float("HQ_IMAP_POLL_SECONDS", default=60.0)
# The account HQ's warnings are recorded by (created in the CS centre on first use), and the
# business line an HQ warning is filed under until a person corrects it.
HQ_INTAKE_USERNAME = env("HQ_INTAKE_USERNAME", default="hq-intake")
HQ_BUSINESS_LINE = env("HQ_BUSINESS_LINE", default="service")
CELERY_BEAT_SCHEDULE = {
    "poll-hq-mailbox": {
        "task": "hq.tasks.poll_hq_mailbox_task",
        "schedule": HQ_IMAP_POLL_SECONDS,
        "options": {"expires": HQ_IMAP_POLL_SECONDS},
    },
    "sweep-deadlines": {
        "task": "deadlines.tasks.sweep_deadlines_task",
        "schedule": DEADLINE_SWEEP_SECONDS,
        "options": {"expires": DEADLINE_SWEEP_SECONDS},
    },
    "sweep-deliveries": {
        "task": "notifications.tasks.sweep_deliveries_task",
        "schedule": DEADLINE_SWEEP_SECONDS,
        "options": {"expires": DEADLINE_SWEEP_SECONDS},
    },
    "detect-mass-complaints": {
        "task": "complaints.tasks.detect_mass_complaints_task",
        "schedule": MASS_COMPLAINT_SWEEP_SECONDS,
        "options": {"expires": MASS_COMPLAINT_SWEEP_SECONDS},
    },
    "reschedule-deadlines": {
        "task": "deadlines.tasks.reschedule_deadlines_task",
        "schedule": 3600.0,
    },
    "rollup-today": {
        "task": "dashboards.tasks.rollup_recent_task",
        "schedule": DASHBOARD_ROLLUP_SECONDS,
        "options": {"expires": DASHBOARD_ROLLUP_SECONDS},
    },
    "rollup-week": {
        "task": "dashboards.tasks.rollup_recent_task",
        "schedule": 3600.0,
        "kwargs": {"days": 8},
    },
    "prune-idempotency-records": {
        "task": "core.tasks.prune_idempotency_records_task",
        "schedule": HOUSEKEEPING_SECONDS,
        "options": {"expires": HOUSEKEEPING_SECONDS},
    },
    "sweep-broadcasts": {
        "task": "notices.tasks.sweep_broadcasts_task",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    "prune-deliveries": {
        "task": "notifications.tasks.prune_deliveries_task",
        "schedule": HOUSEKEEPING_SECONDS,
        "options": {"expires": HOUSEKEEPING_SECONDS},
    },
    "prune-orphan-attachments": {
        "task": "collaboration.tasks.prune_orphan_attachments_task",
        "schedule": HOUSEKEEPING_SECONDS,
        "options": {"expires": HOUSEKEEPING_SECONDS},
    },
    "sweep-planned-work-overruns": {
        "task": "maintenance.tasks.sweep_planned_work_overruns_task",
        "schedule": 60.0,
        "options": {"expires": 60.0},
    },
    "prune-live-changes": {
        "task": "core.tasks.prune_live_changes_task",
        "schedule": HOUSEKEEPING_SECONDS,
        "options": {"expires": HOUSEKEEPING_SECONDS},
    },
}

# --- live updates (core.live) ---------------------------------------------------------------
# Where changes are told: a Redis URL (a capped stream), "" for the database's table (the
# embedded default); unset, the broker's Redis if the broker is Redis.
LIVE_REDIS_URL = env("LIVE_REDIS_URL", default=None)
LIVE_LOG_LENGTH = env.int("LIVE_LOG_LENGTH", default=100_000)  # Redis stream, approximate
LIVE_RETENTION = timedelta(hours=env.float("LIVE_RETENTION_HOURS", default=24))  # the table
LIVE_POLL_SECONDS = env.float("LIVE_POLL_SECONDS", default=0.5)  # the table's reader
LIVE_KEEPALIVE_SECONDS = env.float("LIVE_KEEPALIVE_SECONDS", default=15.0)
LIVE_RETRY_MILLISECONDS = env.int("LIVE_RETRY_MILLISECONDS", default=2000)
# streams admitted at once per web process (each reads its session: a database connection)
LIVE_ADMIT_CONCURRENCY = env.int("LIVE_ADMIT_CONCURRENCY", default=8)

# --- email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", default="127.0.0.1")
EMAIL_PORT = env.int("EMAIL_PORT", default=1025)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="fenghuo@localhost")

# Links in email, SMS and robot messages point here.
SITE_URL = env("FENGHUO_SITE_URL", default="http://127.0.0.1:8000")
# One-click acknowledgment links in alert messages expire after this many seconds.
ALERT_ACK_LINK_MAX_AGE = env.int("ALERT_ACK_LINK_MAX_AGE", default=24 * 3600)

# --- delivering: what a channel may cost, how long a message is retried -----------------------
# Every outbound call (SMTP, the SMS gateway, robots, webhooks) gives up after these: seconds
# to connect, and in all (for SMTP, each step of the conversation).
OUTBOUND_CONNECT_TIMEOUT = env.float("OUTBOUND_CONNECT_TIMEOUT", default=5.0)
OUTBOUND_TIMEOUT = env.float("OUTBOUND_TIMEOUT", default=20.0)
EMAIL_TIMEOUT = OUTBOUND_TIMEOUT
# Each worker thread keeps its SMTP connection open for the next message if that comes within
# this many seconds (a burst of alert emails then pays one connection per thread, not one per
# message); 0 opens a connection per message. Keep it below the mail server's idle timeout.
EMAIL_CONNECTION_REUSE_SECONDS = env.float("EMAIL_CONNECTION_REUSE_SECONDS", default=10.0)
# A delivery is retried (exponential back-off with jitter, from DELIVERY_BACKOFF up to
# DELIVERY_BACKOFF_CAP between tries) for DELIVERY_RETRY_HORIZON; then it is undeliverable,
# shown in the admin, on the alert and on /healthz until someone re-drives it.
DELIVERY_RETRY_HORIZON = timedelta(hours=env.float("DELIVERY_RETRY_HORIZON_HOURS", default=24))
DELIVERY_BACKOFF = timedelta(seconds=env.float("DELIVERY_BACKOFF_SECONDS", default=30))
DELIVERY_BACKOFF_CAP = timedelta(minutes=env.float("DELIVERY_BACKOFF_CAP_MINUTES", default=30))
# An event's deliveries go to the workers this many to a task (claimed together, sent over one
# connection per channel, a channel's messages side by side so that the SMS gateway can take
# several in a request); smaller batches spread a fan-out over more worker threads, larger
# ones cost less per message (`make bench-fanout`: 10 → 2.5 s, 30 → 1.5 s for 500 people).
DELIVERY_BATCH_SIZE = env.int("DELIVERY_BATCH_SIZE", default=30)
# A claimed delivery is held this long, renewed while it is being sent: a worker killed
# mid-send leaves it to the next sweep after at most this.
DELIVERY_LEASE = timedelta(seconds=env.float("DELIVERY_LEASE_SECONDS", default=60))
# A channel (or robot, or webhook) that fails this many times in a row is paused for
# CIRCUIT_COOLDOWN, twice as long each time it fails again, up to CIRCUIT_COOLDOWN_CAP.
CIRCUIT_FAILURES = env.int("CIRCUIT_FAILURES", default=5)
CIRCUIT_COOLDOWN = timedelta(seconds=env.float("CIRCUIT_COOLDOWN_SECONDS", default=60))
CIRCUIT_COOLDOWN_CAP = timedelta(minutes=env.float("CIRCUIT_COOLDOWN_CAP_MINUTES", default=15))
# When a message to a person fails on one channel, the next of their channels (among those
# they have not switched off and have an address for) carries it too.
NOTIFICATION_FALLBACK = {"email": ["sms"], "sms": ["email"]}
# Deliveries that were sent are pruned this long after they were sent (the alert page shows an
# alert's deliveries until then; acknowledgments, inbox messages and undeliverable ones that
# wait for a person are kept). A delivery's key keeps a message from going out twice for as
# long as the delivery is kept. 0 keeps them all.
DELIVERY_RETENTION = timedelta(days=env.float("DELIVERY_RETENTION_DAYS", default=90))

# --- public notices and SMS broadcasts (notices) ---------------------------------------------
# A drafted notice proposes its next update this long ahead (the owner changes it).
NOTICE_UPDATE_INTERVAL = timedelta(minutes=env.float("NOTICE_UPDATE_MINUTES", default=60))
# The public status page lists notices resolved within this many days.
STATUS_RESOLVED_DAYS = env.int("STATUS_RESOLVED_DAYS", default=7)
# How long the status page and its feed may be cached by browsers and proxies.
STATUS_CACHE_SECONDS = env.int("STATUS_CACHE_SECONDS", default=30)
# SMS broadcasts: messages a second (the gateway's contracted rate; a broadcast may ask for
# less, never more than the maximum), messages per task, the largest list.
SMS_BROADCAST_RATE = env.int("SMS_BROADCAST_RATE", default=20)
SMS_BROADCAST_MAX_RATE = env.int("SMS_BROADCAST_MAX_RATE", default=200)
SMS_BROADCAST_BATCH_SIZE = env.int("SMS_BROADCAST_BATCH_SIZE", default=100)
SMS_BROADCAST_MAX_RECIPIENTS = env.int("SMS_BROADCAST_MAX_RECIPIENTS", default=200_000)
# A message left "sending" this long was interrupted (a worker died): marked failed, never
# resent; a broadcast without progress for as long is handed to the workers again.
SMS_BROADCAST_STALE = timedelta(seconds=env.float("SMS_BROADCAST_STALE_SECONDS", default=300))
# The gateway's opt-out callback (a customer replied TD) sends this as a Bearer token; empty
# switches the callback off.
SMS_INBOUND_TOKEN = env("SMS_INBOUND_TOKEN", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        # a line per outbound request (every SMS, robot and webhook message); failures are
        # logged by the outbox with the delivery they concern
        "httpx": {"level": "WARNING"},
    },
}
