"""Settings shared by every environment. Configuration comes from ``env.py`` only."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from celery.schedules import crontab

from .env import env_bool, env_database, env_int, env_list, env_redis_url, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(env_str("DANVAN_VAR_DIR", str(BASE_DIR / "var")))

SECRET_KEY = env_str("SECRET_KEY")  # dev/test give a default; production requires it
DEBUG = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "crispy_forms",
    "crispy_bootstrap5",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_celery_beat",
    # ours
    "organization",
    "dialogues",
    "programs",
    "campaigns",
    "reports",
    "imports",
    "exports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "organization.middleware.PortalLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "organization.middleware.ActiveMembershipMiddleware",
    # axes must be last: it turns a locked-out request into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "danvan_portal.urls"
WSGI_APPLICATION = "danvan_portal.wsgi.application"
ASGI_APPLICATION = "danvan_portal.asgi.application"

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
                "organization.context_processors.portal",
                "organization.context_processors_notifications.notifications",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env_database("DATABASE_URL", f"sqlite:///{VAR_DIR / 'danvan.sqlite3'}")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and sign-in -------------------------------------------------------------------
AUTH_USER_MODEL = "organization.User"
AUTHENTICATION_BACKENDS = [
    # axes first so a locked-out user is refused before the password is even checked
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 8 * 60 * 60, minimum=300)  # one working day
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 30, minimum=1))
# Lock the account, not the address: a commune's officers often share one NAT address, and
# locking it would lock out the whole office because of one person's typos (hence W006 silenced).
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

# --- Language, time, numbers ----------------------------------------------------------------
LANGUAGE_CODE = "vi"
# Each language is named in itself, so nobody has to read a foreign word to find their own.
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["danvan_portal.formats"]

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Installed by `npm ci` at setup (see Makefile); served by whitenoise, never from a CDN.
    ("vendor/bootstrap", BASE_DIR / "node_modules" / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", BASE_DIR / "node_modules" / "bootstrap-icons" / "font"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
]
# Uploaded files live outside static files and are served only through permission-checked views.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served-directly/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)

# --- Forms ----------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    # Token first: an unauthenticated API call then answers 401 with WWW-Authenticate.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "organization.api_base.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Dân vận portal API",
    "DESCRIPTION": (
        "Records of the Ban Dân vận: units, people and documents; dialogues and petitions; programs, "
        "roads, land donations and site clearance; emulation movements and models; reports, KPIs and "
        "period locks. Every list starts from the signed-in user's units: a record outside them answers "
        "404 like a missing one. Writes go through the same services as the pages. See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    # Several models have a "kind" (later "status") with different choices: name each set once.
    # Each new app adds its enums here, or the schema (and check --deploy) warns.
    "ENUM_NAME_OVERRIDES": {
        "UnitKindEnum": "organization.models.UnitKind",
        "PersonKindEnum": "organization.models.PersonKind",
        "DocumentKindEnum": "organization.models.DocumentKind",
        "NotificationKindEnum": "organization.models.NotificationKind",
        "DialogueLevelEnum": "dialogues.models.DialogueLevel",
        "HostBodyEnum": "dialogues.models.HostBody",
        "DialogueKindEnum": "dialogues.models.DialogueKind",
        "DialogueStatusEnum": "dialogues.models.DialogueStatus",
        "AttachmentKindEnum": "dialogues.models.AttachmentKind",
        "PetitionSourceEnum": "dialogues.models.PetitionSource",
        "PetitionTypeEnum": "dialogues.models.PetitionType",
        "PetitionFieldEnum": "dialogues.models.PetitionField",
        "LegalTrackEnum": "dialogues.models.LegalTrack",
        "PetitionStatusEnum": "dialogues.workflow.PetitionStatus",
        "PetitionActionEnum": "dialogues.workflow.Action",
        "ResponseStatusEnum": "dialogues.models.ResponseStatus",
        "ProgramStatusEnum": "programs.models.ProgramStatus",
        "QualifierEnum": "programs.models.Qualifier",
        "OrganizerLevelEnum": "programs.models.OrganizerLevel",
        "ProgramFieldEnum": "programs.models.ProgramField",
        "WorkCategoryEnum": "programs.models.WorkCategory",
        "ContributorTypeEnum": "programs.models.ContributorType",
        "ContributionKindEnum": "programs.models.ContributionKind",
        "ParticipantCategoryEnum": "programs.models.ParticipantCategory",
        "SurfaceEnum": "programs.models.Surface",
        "DonationPurposeEnum": "programs.models.DonationPurpose",
        "ClearanceStatusEnum": "programs.models.ClearanceStatus",
        "SumQualifierEnum": "programs.serializers.SumQualifier",
        "TargetTypeEnum": "campaigns.models.TargetType",
        "MovementStatusEnum": "campaigns.models.MovementStatus",
        "RoundStatusEnum": "campaigns.models.RoundStatus",
        "RoundActionEnum": "campaigns.models.RoundAction",
        "ScorecardStatusEnum": "campaigns.models.ScorecardStatus",
        "AwardFormEnum": "campaigns.models.AwardForm",
        "DvkKindEnum": "campaigns.models.DvkKind",
        "DvkFieldEnum": "campaigns.models.DvkField",
        "DvkLevelEnum": "campaigns.models.DvkLevel",
        "DvkStatusEnum": "campaigns.workflow.DvkStatus",
        "CommitmentStatusEnum": "campaigns.models.CommitmentStatus",
        "PledgeResultEnum": "campaigns.models.PledgeResult",
        "ReportKindEnum": "reports.periods.ReportKind",
        "ReportStatusEnum": "reports.models.ReportStatus",
        "BuildStateEnum": "reports.models.BuildState",
        "ReportedMetricEnum": "dialogues.models.ReportedMetric",
        "ScheduledReportKindEnum": "reports.serializers.SCHEDULED_KINDS",
    },
    # The default enum hook first (it names the enums above), then ours: every property, enum and
    # error answer described (organization/api_schema.py; organization/tests/test_api_schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "organization.api_schema.describe_fields",
        "organization.api_schema.document_errors",
    ],
}

# --- Celery ---------------------------------------------------------------------------------
# No broker configured → tasks run in-process (zero-setup default). With Redis they go to workers.
CELERY_BROKER_URL = env_redis_url("CELERY_BROKER_URL") or env_redis_url("REDIS_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env_redis_url("CELERY_RESULT_BACKEND") or CELERY_BROKER_URL
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 300, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 360, minimum=1)
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Periodic tasks the code relies on. Beat writes them into django-celery-beat's rows at start;
# times are in CELERY_TIMEZONE (Asia/Ho_Chi_Minh).
CELERY_BEAT_SCHEDULE = {
    # Every day at 07:00, before offices open: agencies get the petitions due within
    # DANVAN_REMINDER_DUE_DAYS days and the overdue ones, commune officers the dialogues still
    # without minutes DANVAN_MINUTES_DUE_DAYS days after they were held. Each item is reminded
    # once per rule, so a re-run (or a missed day caught up) sends nothing twice.
    "daily-reminders": {
        "task": "dialogues.send_daily_reminders",
        "schedule": crontab(hour=7, minute=0),
    },
    # Every day at 06:00: drafts of the reports that fell due in the last week (the 1st of each
    # month for last month, of each quarter, 1 July, 1 October, 1 January) for every active
    # ReportSchedule. Idempotent: a report that exists is never created twice.
    "scheduled-reports": {
        "task": "reports.tasks.create_scheduled_reports",
        "schedule": crontab(hour=6, minute=0),
    },
    # Every hour at :20: the files of background exports whose download link has expired
    # (EXPORT_LINK_HOURS) are deleted and the jobs marked expired; jobs that never finished are
    # marked failed. Idempotent.
    "exports-cleanup": {
        "task": "exports.cleanup",
        "schedule": crontab(minute=20),
    },
}
# Report builds are slow and bursty: they run on their own queue, so a month-end rush never
# delays reminders (see docs/operations-celery.md; `make worker` consumes both queues).
CELERY_TASK_ROUTES = {"reports.tasks.*": {"queue": "reports"}}

# --- Cache ----------------------------------------------------------------------------------
_cache_url = env_redis_url("CACHE_URL") or env_redis_url("REDIS_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _cache_url}
        if _cache_url and _cache_url.startswith("redis")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Cổng dân vận <no-reply@localhost>")

# --- Reminders (dialogues.reminders) -------------------------------------------------------
# Agencies are reminded of a petition this many days before its deadline (and once after it).
DANVAN_REMINDER_DUE_DAYS = env_int("DANVAN_REMINDER_DUE_DAYS", 3, minimum=0)
# Commune officers are reminded of a held dialogue without minutes after this many days.
DANVAN_MINUTES_DUE_DAYS = env_int("DANVAN_MINUTES_DUE_DAYS", 7, minimum=1)
# The portal's address as users reach it, for links in e-mails (e.g. https://danvan.example.vn).
DANVAN_SITE_URL = env_str("DANVAN_SITE_URL", "")

# --- Exports (organization.exports, the exports app) --------------------------------------
# A list export of at most this many rows downloads at once; a larger one is written in the
# background (progress page, then a download link under "My exports").
EXPORT_SYNC_MAX_ROWS = env_int("EXPORT_SYNC_MAX_ROWS", 5000, minimum=1)
# The most rows an export holds (XLSX also stops at Excel's 1,048,575); beyond, it is refused.
EXPORT_MAX_ROWS = env_int("EXPORT_MAX_ROWS", 1_000_000, minimum=1)
# How long the download link of a background export works; the file is deleted afterwards.
EXPORT_LINK_HOURS = env_int("EXPORT_LINK_HOURS", 24, minimum=1)
# Time limit of one background export task (s).
EXPORT_TIME_LIMIT = env_int("EXPORT_TIME_LIMIT", 1800, minimum=60)

# --- Demo -----------------------------------------------------------------------------------
DEMO_PASSWORD = env_str("DEMO_PASSWORD", "danvan-demo")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
