"""Settings, from the environment (twelve-factor): nothing secret is in the code.

``DATABASE_URL``   default ``sqlite:///kpiboard.sqlite3`` in the working folder; PostgreSQL in
                   production (``postgres://user@host/db``).
``SECRET_KEY``     required unless ``DEBUG`` is on.
``DEBUG``          ``true``/``false``, default false.
``ALLOWED_HOSTS``  comma-separated, default ``localhost,127.0.0.1``.
``KPIBOARD_TASK_BACKEND``  django-tasks backend for report packs, default the database backend
                   (``django_tasks_db.DatabaseBackend``, run by ``kpiboard db_worker``).
``EMAIL_URL``-like settings are Django's own: ``EMAIL_BACKEND`` defaults to the console.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from kpiboard.web.hosts import is_loopback
from kpiboard.web.oidc import config as oidc_config

BASE_DIR = Path(__file__).resolve().parent


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or not value.strip():
        return default
    if value.strip().lower() in {"1", "true", "yes", "on"}:
        return True
    if value.strip().lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r}: expected true or false")


DEBUG = _flag("DEBUG")
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment (for example "
            "SECRET_KEY=$(python -c 'import secrets; print(secrets.token_urlsafe(50))')), "
            "or set DEBUG=true for a development server."
        )
    # A development server gets a fresh key per process: sessions end when it restarts.
    SECRET_KEY = secrets.token_urlsafe(50)
# Earlier keys, comma-separated, still accepted for what they signed (sessions, reset links)
# while SECRET_KEY is replaced: put the old key here, the new one in SECRET_KEY, and remove the
# old one once sessions have turned over (KPIBOARD_SESSION_MAX_MINUTES).
SECRET_KEY_FALLBACKS = [
    key.strip() for key in os.environ.get("SECRET_KEY_FALLBACKS", "").split(",") if key.strip()
]
# The key that encrypts second-factor secrets in the database (web/accounts/encryption.py):
# derived from this if set, else from SECRET_KEY (and its fallbacks). Comma-separated: the first
# encrypts, the others still decrypt while `kpiboard reencrypt_secrets` moves rows to the first.
KPIBOARD_FIELD_KEY = [
    key.strip() for key in os.environ.get("KPIBOARD_FIELD_KEY", "").split(",") if key.strip()
]

ALLOWED_HOSTS = [
    host.strip()
    for host in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1").split(",")
    if host.strip()
]
CSRF_TRUSTED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",")
    if origin.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "simple_history",
    "rules",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "kpiboard.web.accounts",
    "kpiboard.web.register",
    "kpiboard.web.collection",
    "kpiboard.web.dashboards",
    "kpiboard.web.reporting",
    "kpiboard.web.audit",
    "kpiboard.web.proposals",
    "kpiboard.web.oidc",
    "kpiboard.web.api",
    "kpiboard.web.odata",
    # django-ninja, for its own copy of Swagger UI (served by the site: no CDN).
    "ninja",
]

MIDDLEWARE = [
    # An id for each request, on its log lines (web/request_ids.py).
    "kpiboard.web.request_ids.RequestIdMiddleware",
    # The data version read once a request: web/register/request_version.py.
    "kpiboard.web.register.request_version.DataVersionPerRequestMiddleware",
    # 503 and the site's page for a database connection lost mid-request: web/connection_lost.py.
    "kpiboard.web.connection_lost.ConnectionLostMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # A Content-Security-Policy with a fresh nonce for each response (CONTENT_SECURITY_POLICY).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: private, no-store for anyone signed in: web/headers.py.
    "kpiboard.web.headers.PrivatePagesMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Requests answered 400, 411 or 413 recorded in the audit log: web/audit/refusals.py.
    "kpiboard.web.audit.refusals.InputRefusalMiddleware",
    # Before anything reads a request's body (the CSRF check does): web/limits.py.
    "kpiboard.web.limits.RequestSizeLimitMiddleware",
    # 400 for an address no page sends (a NUL character): web/addresses.py.
    "kpiboard.web.addresses.AddressCheckMiddleware",
    # Idle and absolute session limits, then the second factor: web/accounts/.
    "kpiboard.web.accounts.session_limits.SessionLimitsMiddleware",
    "kpiboard.web.accounts.two_factor.TwoFactorMiddleware",
    # KPIBOARD_LOCAL_PASSWORDS=false refuses passwords: web/oidc/local_passwords.py.
    "kpiboard.web.oidc.local_passwords.LocalPasswordsMiddleware",
    # A person's changes at a person's pace, KPIBOARD_WRITES_PER_MINUTE: web/pacing.py.
    "kpiboard.web.pacing.PaceMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it answers a locked-out login itself.
    "axes.middleware.AxesMiddleware",
]

# Scripts only from the site and with the response's nonce (no eval: htmx's allowEval is off and
# the charts' expressions are interpreted); styles only from the site's stylesheets; nothing
# framed, no plugins, forms posted only to the site. A published report's HTML carries a stricter
# policy of its own (web/reporting/public.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# A refused CSRF check is recorded in the audit log and answered with the site's 403 page.
CSRF_FAILURE_VIEW = "kpiboard.web.audit.refusals.csrf_failure"

# Sign-in with the council's identity provider (OpenID Connect), switched on by
# KPIBOARD_OIDC_ISSUER, and whether kpiboard's own passwords still sign people in
# (KPIBOARD_LOCAL_PASSWORDS): each variable is read and checked by web/oidc/config.py. Signing out
# goes on to the provider's end-session endpoint, so the sign-out form may lead there.
KPIBOARD_OIDC = oidc_config.provider_from(os.environ)
KPIBOARD_LOCAL_PASSWORDS = oidc_config.local_passwords_from(os.environ, KPIBOARD_OIDC)
CONTENT_SECURITY_POLICY = oidc_config.content_security_policy(
    CONTENT_SECURITY_POLICY, KPIBOARD_OIDC
)

# kpiboard backup's rows: JSON Lines with times to the microsecond (web/backup_format.py).
SERIALIZATION_MODULES = {"kpijsonl": "kpiboard.web.backup_format"}

ROOT_URLCONF = "kpiboard.web.urls"
WSGI_APPLICATION = "kpiboard.web.wsgi.application"

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
                "kpiboard.web.accounts.context.roles",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{Path.cwd() / 'kpiboard.sqlite3'}"),
        # Keep connections for a minute: opening one per request cost a quarter of a return
        # save's time under load on PostgreSQL (docs/performance.md).
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers carry on while a return is saved; IMMEDIATE takes the write lock at the
    # start of a transaction, so two writers queue instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }

# The cache is a table of the database every app server shares (nothing is kept in a process's
# memory between requests); migrations create it.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "kpiboard_cache",
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    # Django's ModelBackend, without a database read for kpiboard.* (web/accounts/backends.py).
    "kpiboard.web.accounts.backends.ModelPermissionsBackend",
]
# Passwords: at least 12 characters, none of the commonest, not all digits, not like the person's
# name or address, and not easy to guess by zxcvbn's estimate (web/accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "kpiboard.web.accounts.passwords.StrengthValidator"},
]
# A password reset link works once (it is signed with the password it replaces) and for an hour.
PASSWORD_RESET_TIMEOUT = 60 * 60


def _minutes(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip() or str(default)
    if not value.isdigit() or int(value) < 1:
        raise ImproperlyConfigured(
            f"{name}={value!r}: expected a whole number of minutes, 1 or more"
        )
    return int(value)


# Sessions end after KPIBOARD_SESSION_IDLE_MINUTES without a request, and in any case
# KPIBOARD_SESSION_MAX_MINUTES after signing in (web/accounts/session_limits.py).
KPIBOARD_SESSION_IDLE_MINUTES = _minutes("KPIBOARD_SESSION_IDLE_MINUTES", 30)
KPIBOARD_SESSION_MAX_MINUTES = _minutes("KPIBOARD_SESSION_MAX_MINUTES", 12 * 60)
SESSION_COOKIE_AGE = KPIBOARD_SESSION_MAX_MINUTES * 60
# The roles that must use a second factor (an authenticator app's code) to sign in, comma-
# separated ("administrator,performance team"); anyone else may choose to
# (web/accounts/two_factor.py).
KPIBOARD_REQUIRE_2FA_FOR = [
    role.strip().lower()
    for role in os.environ.get("KPIBOARD_REQUIRE_2FA_FOR", "").split(",")
    if role.strip()
]
# How authenticator apps name the account: "kpiboard: helen".
OTP_TOTP_ISSUER = "kpiboard"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"


def _count(name: str, default: int, *, least: int = 1, older_name: str = "") -> int:
    """A whole number from the environment (or from its older name, if only that is set)."""
    value = os.environ.get(name, "").strip() or os.environ.get(older_name or name, "").strip()
    value = value or str(default)
    if not value.isdigit() or int(value) < least:
        raise ImproperlyConfigured(f"{name}={value!r}: expected a whole number, {least} or more")
    return int(value)


# The reverse proxies in front of the app servers (nginx, a load balancer): how many append to
# X-Forwarded-For, so that the client's address is read from the entry the nearest trusted one
# wrote (web/proxies.py). 0, the default, reads the connection's own address and believes neither
# X-Forwarded-For nor X-Forwarded-Proto, which any client can send.
KPIBOARD_TRUSTED_PROXIES = _count("KPIBOARD_TRUSTED_PROXIES", 0, least=0)
if KPIBOARD_TRUSTED_PROXIES:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Sign-in throttling (web/throttling.py, over django-axes): KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS
# failed sign-ins from one address, whatever the usernames, lock the address;
# KPIBOARD_SIGNIN_LIMIT_PER_USERNAME for one username, from any addresses, lock the username; a
# lock lasts KPIBOARD_LOCKOUT_MINUTES after the last failure. Administrators lift them at
# /audit/lockouts/.
KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS = _count("KPIBOARD_SIGNIN_LIMIT_PER_ADDRESS", 20)
KPIBOARD_SIGNIN_LIMIT_PER_USERNAME = _count(
    "KPIBOARD_SIGNIN_LIMIT_PER_USERNAME", 5, older_name="AXES_FAILURE_LIMIT"
)
KPIBOARD_LOCKOUT_MINUTES = _count("KPIBOARD_LOCKOUT_MINUTES", 60)
AXES_HANDLER = "kpiboard.web.throttling.ThrottlingHandler"
# Changes (POSTs) one signed-in person may send in a minute, on any page but sign-in and sign-out;
# past it, 429 until the minute ends (web/pacing.py, ASVS 11.1.2).
KPIBOARD_WRITES_PER_MINUTE = _count("KPIBOARD_WRITES_PER_MINUTE", 60)
AXES_FAILURE_LIMIT = "kpiboard.web.throttling.failure_limit"
AXES_COOLOFF_TIME = "kpiboard.web.throttling.cool_off"
AXES_LOCKOUT_PARAMETERS = ["ip_address", "username"]
AXES_CLIENT_IP_CALLABLE = "kpiboard.web.proxies.client_address"
AXES_LOCKOUT_CALLABLE = "kpiboard.web.throttling.lockout_response"
# A successful sign-in forgets only that person's failures from the same address; the audit log
# keeps every failure regardless.
AXES_RESET_ON_SUCCESS = True
# The audit log (web/audit/) keeps rows this many days; `kpiboard prune_audit` deletes older ones.
KPIBOARD_AUDIT_RETENTION_DAYS = _count("KPIBOARD_AUDIT_RETENTION_DAYS", 400)
# The rest of the retention schedule (web/accounts/retention.py, `kpiboard apply_retention`, run
# daily): sign-in records (the throttle's failures and logs, with addresses) are kept this many
# days, and a switched-off account that has not signed in for this many is erased.
KPIBOARD_SIGNIN_LOG_RETENTION_DAYS = _count("KPIBOARD_SIGNIN_LOG_RETENTION_DAYS", 90)
KPIBOARD_ACCOUNT_RETENTION_DAYS = _count("KPIBOARD_ACCOUNT_RETENTION_DAYS", 730)
# Rows in a page of the OData feed (/odata/) before its @odata.nextLink: web/odata/views.py
# (5,000: fewer round trips for Power BI, each queued behind other requests on a busy server).
ODATA_PAGE_SIZE = _count("KPIBOARD_ODATA_PAGE_SIZE", 5000)
# Security alerts (web/audit/alerts.py): a sign-in lock, KPIBOARD_ALERT_BURST refused accesses or
# CSRF failures within KPIBOARD_ALERT_WINDOW_MINUTES, or a new administrator, logged at WARNING
# and e-mailed to KPIBOARD_SECURITY_ALERTS (comma-separated), each kind once a window.
KPIBOARD_SECURITY_ALERTS = [
    address.strip()
    for address in os.environ.get("KPIBOARD_SECURITY_ALERTS", "").split(",")
    if address.strip()
]
KPIBOARD_ALERT_BURST = _count("KPIBOARD_ALERT_BURST", 20)
KPIBOARD_ALERT_WINDOW_MINUTES = _count("KPIBOARD_ALERT_WINDOW_MINUTES", 15)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# The stylesheet and scripts live beside this file, not in an app's own static/ folder.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", Path.cwd() / "staticfiles"))
# In production ``kpiboard collectstatic`` writes hashed, compressed files that WhiteNoise serves;
# a development server or the test suite serves them straight from the package.
STATIC_MANIFEST = _flag("STATIC_MANIFEST", not DEBUG)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if STATIC_MANIFEST
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = not STATIC_MANIFEST
# Files served as they are at the site's root, such as robots.txt (WhiteNoise's own setting).
WHITENOISE_ROOT = os.environ.get("WHITENOISE_ROOT") or None
if not STATIC_MANIFEST:
    STATIC_ROOT = None  # type: ignore[assignment]  # served from the package, nothing collected

# Uploads: a data folder as .zip or a workbook. Larger requests are refused by
# web.limits.RequestSizeLimitMiddleware from their Content-Length, before anything is read: an
# upload page's body may be MAX_UPLOAD_BYTES (and 64 KB of form), any other signed-in request's
# MAX_FORM_BYTES, and a request from someone not signed in MAX_ANONYMOUS_BYTES.
MAX_UPLOAD_BYTES = int(os.environ.get("KPIBOARD_MAX_UPLOAD_BYTES", str(50 * 1024 * 1024)))
MAX_FORM_BYTES = int(os.environ.get("KPIBOARD_MAX_FORM_BYTES", str(2 * 1024 * 1024)))
MAX_ANONYMOUS_BYTES = int(os.environ.get("KPIBOARD_MAX_ANONYMOUS_BYTES", str(16 * 1024)))
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background jobs (report packs) through django-tasks. The database backend keeps the queue in
# the database every app server shares; ``kpiboard db_worker`` runs the jobs.
# KPIBOARD_TASK_BACKEND=django_tasks.backends.immediate.ImmediateBackend runs them in the request
# instead (a development server without a worker).
TASKS = {
    "default": {
        "BACKEND": os.environ.get("KPIBOARD_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# /health/ (web/health.py) is unhealthy once a queued task has waited this many seconds.
KPIBOARD_HEALTH_QUEUE_SECONDS = _count("KPIBOARD_HEALTH_QUEUE_SECONDS", 300)
# A pack being generated that has not said how far it has got for this many seconds has stopped
# (its process was killed): the run is marked failed (web/reporting/tasks.py, run_reconcile).
KPIBOARD_REPORT_STALLED_SECONDS = _count("KPIBOARD_REPORT_STALLED_SECONDS", 300)

# E-mail (kpiboard.web.notifications): SMTP with EMAIL_BACKEND=
# django.core.mail.backends.smtp.EmailBackend and EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER,
# EMAIL_HOST_PASSWORD, EMAIL_USE_TLS; or GOV.UK Notify with kpiboard.web.notify.NotifyBackend and
# KPIBOARD_NOTIFY_API_KEY, KPIBOARD_NOTIFY_TEMPLATE_ID. The console by default (nothing leaves).
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "performance@localhost")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
# TLS to any mail server but this machine's, unless turned off (ASVS 9.2.2): STARTTLS, or
# EMAIL_USE_SSL=true for TLS from the start (port 465). `kpiboard check --deploy` warns without.
EMAIL_USE_SSL = _flag("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = _flag("EMAIL_USE_TLS", not EMAIL_USE_SSL and not is_loopback(EMAIL_HOST))
EMAIL_TIMEOUT = 10
KPIBOARD_NOTIFY_API_KEY = os.environ.get("KPIBOARD_NOTIFY_API_KEY", "")
KPIBOARD_NOTIFY_TEMPLATE_ID = os.environ.get("KPIBOARD_NOTIFY_TEMPLATE_ID", "")
#: The address of the site, for links in e-mails ("https://performance.example.gov.uk").
KPIBOARD_SITE_URL = os.environ.get("KPIBOARD_SITE_URL", "").rstrip("/")
#: The council's privacy notice for the site's users (ASVS 8.3.3), linked from every page's
#: footer; no link when unset.
KPIBOARD_PRIVACY_URL = os.environ.get("KPIBOARD_PRIVACY_URL", "").strip()
if KPIBOARD_PRIVACY_URL and not KPIBOARD_PRIVACY_URL.startswith(("https://", "http://", "/")):
    raise ImproperlyConfigured(
        f"KPIBOARD_PRIVACY_URL={KPIBOARD_PRIVACY_URL!r}: expected an https:// address or a path"
    )
#: For demonstrations and training only: the day the site takes to be today (YYYY-MM-DD), so
#: lateness reads as it would have then. Every page says so while it is set.
KPIBOARD_TODAY = (
    dt.date.fromisoformat(os.environ["KPIBOARD_TODAY"].strip())
    if os.environ.get("KPIBOARD_TODAY", "").strip()
    else None
)
#: The performance team takes one digest a day of returns submitted, not a message each time.
KPIBOARD_RETURNS_DIGEST = _flag("KPIBOARD_RETURNS_DIGEST", False)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if not DEBUG:
    SESSION_COOKIE_SECURE = _flag("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = _flag("CSRF_COOKIE_SECURE", True)
    SECURE_SSL_REDIRECT = _flag("SECURE_SSL_REDIRECT", True)
    # A load balancer checks each app server over plain HTTP: /health/ (no data) answers it.
    SECURE_REDIRECT_EXEMPT = [r"^health/$"]
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    # A secure cookie is named with the __Host- prefix (ASVS 3.4.4): browsers then take it only
    # over HTTPS, for the whole site (Path=/) and for this host alone (no Domain), so no other
    # site under the council's domain can set or overwrite it. Not over plain HTTP (DEBUG, the
    # test server): browsers refuse a __Host- cookie that is not Secure.
    if SESSION_COOKIE_SECURE:
        SESSION_COOKIE_NAME = "__Host-sessionid"
    if CSRF_COOKIE_SECURE:
        CSRF_COOKIE_NAME = "__Host-csrftoken"

# KPIBOARD_LOG_FORMAT: "line" (the default) or "json", one JSON object per line with the request's
# id, user id, method, path, status and duration where known (web/log_lines.py).
KPIBOARD_LOG_FORMAT = os.environ.get("KPIBOARD_LOG_FORMAT", "").strip().lower() or "line"
if KPIBOARD_LOG_FORMAT not in {"line", "json"}:
    raise ImproperlyConfigured(
        f"KPIBOARD_LOG_FORMAT={KPIBOARD_LOG_FORMAT!r}: expected line or json"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Control characters (a line break in a username) escaped, so one record is one line
    # (ASVS 7.3.1): web/log_lines.py.
    "filters": {"escape_controls": {"()": "kpiboard.web.log_lines.EscapeControlCharacters"}},
    # One line format (ASVS 1.7.1): UTC time, level, logger, the request's id, the message.
    "formatters": {
        "line": {"()": "kpiboard.web.log_lines.LineFormatter"},
        "json": {"()": "kpiboard.web.log_lines.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["escape_controls"],
            "formatter": KPIBOARD_LOG_FORMAT,
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
