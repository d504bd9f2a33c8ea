"""Settings read from the environment, with defaults that run on a laptop.

Embedded defaults: SQLite, attachments on the local file system, console email,
tasks in the database run by ``manage.py db_worker``. Production switches by
environment only: ``DATABASE_URL``, the ``AWS_*`` S3 variables, the ESP variables.
"""

from datetime import timedelta
from pathlib import Path

import csp.constants as csp
import environ
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
if (BASE_DIR / ".env").exists():
    environ.Env.read_env(BASE_DIR / ".env")

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="insecure-dev-key-change-me-in-production-0123456789abcdef"
)
# `make run HOST=… PORT=…` passes its address as RUN_HOST and RUN_PORT: without a SITE_URL of
# their own, the links in emails and the ones printed point where the server listens.
RUN_HOST = env("RUN_HOST", default="127.0.0.1")
RUN_PORT = env("RUN_PORT", default="8000")
ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS",
    default=list(dict.fromkeys(["127.0.0.1", "localhost", "testserver", RUN_HOST])),
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# Absolute base of the links put in emails (status links, task links). A server listening on
# every address (0.0.0.0, ::) is reached on this machine at 127.0.0.1.
_link_host = "127.0.0.1" if RUN_HOST in ("0.0.0.0", "::", "[::]") else RUN_HOST
SITE_URL = env("SITE_URL", default=f"http://{_link_host}:{RUN_PORT}").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_countries",
    "viewflow",
    "viewflow.workflow",
    "django_fsm_log",
    "anymail",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "applications",
    "review",
    "notifications",
]

MIDDLEWARE = [
    # First: the database unreachable (a restart) gets a 503 page, not a 500 (see the module).
    "config.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy and Permissions-Policy on every response (config/security.py).
    "config.security.ContentSecurityPolicyMiddleware",
    "config.security.PermissionsPolicyMiddleware",
    # Django's, but a session the database outage kept from being saved is a 503, not a 400.
    "config.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): a second factor proved in this session (django-otp).
    "django_otp.middleware.OTPMiddleware",
    # Cache-Control: no-store on everything but the public pages (config/privacy.py).
    "config.privacy.NoStoreMiddleware",
    # A body far beyond the upload caps gets the 413 page unread (config/uploads.py).
    "config.uploads.BodyCeilingMiddleware",
    "review.middleware.StaffLoginRedirectMiddleware",
    # Staff reach their pages only after their second factor (config/second_factor.py).
    "config.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A file its virus scan holds back gets a page saying so (applications/antivirus.py).
    "config.middleware.FileHeldMiddleware",
    # A malformed ESP delivery report gets 400, not 500 (see the module).
    "notifications.middleware.WebhookBadRequestMiddleware",
    # Turns django-axes' login lockout into its 429 page; must come last.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

_overrides = env("TEMPLATE_OVERRIDES_DIR", default="")
TEMPLATE_OVERRIDES = [Path(_overrides)] if _overrides else []
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # A deployer's own templates (e.g. privacy/notice.html) come before ours.
        "DIRS": [*TEMPLATE_OVERRIDES, BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web process and the worker share one SQLite file: wait for locks
    # instead of failing with "database is locked". WAL lets pages read while
    # the worker writes, and synchronous=NORMAL spares an fsync per commit
    # (the outbox commits twice per email): a crashed process loses nothing, a
    # power cut at worst the last commits, never the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
# Kept open between requests and worker tasks (on SQLite, closing the last
# connection also checkpoints the WAL, an fsync per task).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# django-axes first: it refuses a locked-out username+address before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "/accounts/login/"
# Secretariat, Committee and superusers prove a second factor (TOTP, or a recovery
# code) after their password, enrolling at their first login (config/second_factor.py).
STAFF_REQUIRE_2FA = env.bool("STAFF_REQUIRE_2FA", default=True)
# The name shown beside the account in the staff member's authenticator app.
OTP_TOTP_ISSUER = "Global Alliance for Care"
LOGIN_REDIRECT_URL = "/staff/letters/tasks/"
LOGOUT_REDIRECT_URL = "/"

# Languages of the UI and of the email sent to applicants.
LANGUAGE_CODE = "es"
LANGUAGES = [("es", _("Spanish")), ("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", default="UTC")
USE_TZ = True
# Language of the email sent to staff (reviewers and approvers).
STAFF_LANGUAGE = env("STAFF_LANGUAGE", default="en")
# English short dates day first (config/formats/en/formats.py).
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media")))

# Attachments live on their own named storage so that viewflow's pages, which
# touch default_storage for avatars, never make an S3 request.
AWS_STORAGE_BUCKET_NAME = env("AWS_STORAGE_BUCKET_NAME", default="")
if AWS_STORAGE_BUCKET_NAME:
    ATTACHMENTS_STORAGE = {
        # S3Storage making one PUT per file and no HEAD for its random key.
        "BACKEND": "config.storage.AttachmentS3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default=None),
            "default_acl": "private",
            "querystring_auth": True,
            "querystring_expire": env.int("ATTACHMENT_URL_EXPIRY", default=60),
            "signature_version": "s3v4",
        },
    }
else:
    ATTACHMENTS_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(MEDIA_ROOT / "attachments"), "base_url": None},
    }
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "attachments": ATTACHMENTS_STORAGE,
}
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=10 * 1024 * 1024)
ATTACHMENT_MAX_FILES = 5
# Threads per process that write a submission's files to the store while the rest of
# the submission is saved (applications/uploads.py, StoredFiles).
ATTACHMENT_WRITE_THREADS = env.int("ATTACHMENT_WRITE_THREADS", default=2)
# All files of one request together; both caps hold while the body streams in
# (config/uploads.py), not after it was stored.
SUBMISSION_MAX_BYTES = env.int("SUBMISSION_MAX_BYTES", default=30 * 1024 * 1024)
# Virus scanning by clamd (applications/antivirus.py): tcp://host:3310, host:3310 or
# a unix socket path. Empty: no scan. Files wait, undownloadable, until found clean.
CLAMD_ADDRESS = env("CLAMD_ADDRESS", default="")
CLAMD_TIMEOUT_SECONDS = env.float("CLAMD_TIMEOUT_SECONDS", default=30)
FILE_UPLOAD_HANDLERS = [
    "config.uploads.CappedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Django refuses a request body above this before our form sees it; keep room
# for the letter's own fields and several attachments.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

# Email: console by default; an anymail ESP when EMAIL_BACKEND names one.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env(
    "DEFAULT_FROM_EMAIL", default="Global Alliance for Care <no-reply@alliance-for-care.org>"
)
# The Technical Secretariat's own mailbox: Reply-To of every email to applicants, members and
# nominees, and the address named wherever a text says to write to the Secretariat.
SECRETARIAT_EMAIL = env("SECRETARIAT_EMAIL", default="secretariat@alliance-for-care.org")
# On: emails about a letter reply to SECRETARIAT_EMAIL tagged with the letter's signed
# tag (secretariat+l42-<signature>@…); route those addresses to the ESP's inbound webhook
# and each reply lands on its letter (applications/replies.py).
INBOUND_REPLIES = env.bool("INBOUND_REPLIES", default=False)
ANYMAIL = {
    "AMAZON_SES_CLIENT_PARAMS": {
        "endpoint_url": env("AWS_SES_ENDPOINT_URL", default=None),
        "region_name": env("AWS_SES_REGION_NAME", default=env("AWS_S3_REGION_NAME", default=None)),
    },
    "WEBHOOK_SECRET": env("ANYMAIL_WEBHOOK_SECRET", default=None),
}
for _name in (
    "MAILGUN_API_KEY",
    "MAILGUN_WEBHOOK_SIGNING_KEY",
    "POSTMARK_SERVER_TOKEN",
    "SENDGRID_API_KEY",
    "BREVO_API_KEY",
):
    if env(_name, default=""):
        ANYMAIL[_name] = env(_name)
# Retries of a failed send: the n-th retry waits OUTBOX_RETRY_BASE_SECONDS * 2**n.
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=6)
OUTBOX_RETRY_BASE_SECONDS = env.int("OUTBOX_RETRY_BASE_SECONDS", default=30)
# The ESP's sending quota, per worker process (divide the quota by the number of
# db_worker processes); 0 sends as fast as the ESP answers.
OUTBOX_MAX_PER_SECOND = env.float("OUTBOX_MAX_PER_SECOND", default=0)

TASKS = {
    "default": {"BACKEND": "django_tasks_db.DatabaseBackend"},
}

# How long a status link in an applicant's email stays valid.
STATUS_LINK_MAX_AGE_DAYS = env.int("STATUS_LINK_MAX_AGE_DAYS", default=180)
# Link to the Management Committee's meeting calendar, sent in the committee welcome.
COMMITTEE_CALENDAR_URL = env("COMMITTEE_CALENDAR_URL", default="")
# Rejected and withdrawn letters are anonymised this many months after they closed.
RETENTION_MONTHS = env.int("RETENTION_MONTHS", default=12)
# Days a letter saved with "Save and continue later" is kept since it was last saved.
DRAFT_EXPIRY_DAYS = env.int("DRAFT_EXPIRY_DAYS", default=30)

SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Review deadlines per task, in days: a task older than this is overdue, its
# assignee (or group) is reminded once a day, and after twice the deadline the
# group's lead is told too.
REVIEW_DEADLINE_DAYS = {
    "screen": env.int("SCREENING_DEADLINE_DAYS", default=10),
    "decide": env.int("DECISION_DEADLINE_DAYS", default=14),
    "onboard": env.int("ONBOARDING_DEADLINE_DAYS", default=14),
}

# Security: the defaults run on a laptop over http; production turns these on
# by environment (see README, "Deploying").
SECURE_SSL_REDIRECT = env.bool("DJANGO_SSL_REDIRECT", default=False)
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("DJANGO_BEHIND_PROXY", default=False) else None
)
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = env.bool("DJANGO_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features no page of ours uses, refused to our pages and to anything they embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=()"
)
# Content-Security-Policy (django-csp, extended in config/security.py). Our own
# templates have no inline script or style; a template that needs one uses
# nonce="{{ request.csp_nonce }}" (never in a page served from a shared cache).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF, csp.NONCE],
        "style-src": [csp.SELF, csp.NONCE],
        "img-src": [csp.SELF],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "object-src": [csp.NONE],
        "base-uri": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
    }
}
# Added on the staff pages only: viewflow's Material frontend puts style=""
# attributes in its markup and data: images in its CSS; two fixed <style>
# blocks of viewflow 2.4 are allowed by their hashes: Turbo's progress bar and
# the flow chart's SVG (tests/e2e/test_security_browser.py finds a new one).
CSP_STAFF_PATH_PREFIXES = ("/review/", "/staff/", "/admin/", "/accounts/")
CSP_STAFF_DIRECTIVES = {
    "style-src": [
        "'sha256-WAyOw4V+FqDc35lQPyRADLBWbuNK8ahvYEaQIYF1+Ps='",
        "'sha256-M8YLp52BurxPpYt0Cgj1yb0uSRNVQeG6qA/8hDfuLCo='",
    ],
    "style-src-attr": [csp.UNSAFE_INLINE],
    "img-src": ["data:"],
}

# Abuse (config/abuse.py). Counters live in a database table shared by
# every web process: create it with `manage.py createcachetable` (make run does).
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "ratelimit": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "abuse_rate_limit",
        # Culling would forget live counters; expired ones are deleted first.
        "OPTIONS": {"MAX_ENTRIES": 200_000},
    },
    # Small values every web process must agree on: the member directory's
    # freshness stamp (applications/members/directory_cache.py). Same command.
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "shared_cache",
    },
}
# POSTs allowed per visitor address to each public form: "count/period", the
# period in s, m, h or d with an optional multiplier ("10/10m").
RATE_LIMIT_PUBLIC_FORMS = env("RATE_LIMIT_PUBLIC_FORMS", default="10/10m")
# Behind DJANGO_BEHIND_PROXY, the visitor's address is the DJANGO_PROXY_COUNT-th
# address from the right of X-Forwarded-For (each proxy appends the one it saw).
CLIENT_IP_PROXY_COUNT = (
    env.int("DJANGO_PROXY_COUNT", default=1)
    if env.bool("DJANGO_BEHIND_PROXY", default=False)
    else 0
)
# Login (django-axes): after LOGIN_MAX_FAILURES failed logins for one username
# from one address (IPv6: one /64), that pair is refused for LOGIN_LOCKOUT_MINUTES.
AXES_FAILURE_LIMIT = env.int("LOGIN_MAX_FAILURES", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Only failures are needed to lock out; a row per successful login would be
# personal data that nothing reads.
AXES_DISABLE_ACCESS_LOG = True
# IPv6 addresses count per /64, as the rate limits do.
AXES_CLIENT_IP_CALLABLE = "config.abuse.client_ip_group"
AXES_LOCKOUT_CALLABLE = "config.abuse.login_locked_out"

# Redis when a deployment runs one (REDIS_URL, e.g. redis://127.0.0.1:6379/0):
# the page cache, the shared stamps, the rate-limit counters and the login
# lockout counters all move to it through Django's own Redis backend, each under
# its own key prefix. Without it, the embedded defaults above.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"gac:{alias}",
        }
        for alias in ("default", "ratelimit", "shared")
    }
    # django-axes counts failures with Redis' atomic INCR instead of table rows.
    AXES_HANDLER = "axes.handlers.cache.AxesCacheHandler"
    AXES_CACHE = "ratelimit"
