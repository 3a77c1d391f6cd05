"""Tandem settings, read from the environment.

Defaults suit one machine running the demo (`make run`): an SQLite file under
`var/`, debug off. `TANDEM_PRODUCTION=1` turns on everything a public
deployment needs, and `manage.py check --deploy` then passes cleanly.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import tempfile
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from tandem.core.logging import logging_config

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("TANDEM_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


PRODUCTION = _env_bool("TANDEM_PRODUCTION", False)
DEBUG = _env_bool("TANDEM_DEBUG", False)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("TANDEM_DEBUG must be off when TANDEM_PRODUCTION is on.")


def _secret_key() -> str:
    key = os.environ.get("TANDEM_SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfigured("Set TANDEM_SECRET_KEY (50+ random characters) in production.")
    # One-machine default: keep a generated key under var/ so sessions survive restarts
    # and no key is ever committed.
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(64))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = _env_list("TANDEM_ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
CSRF_TRUSTED_ORIGINS = _env_list("TANDEM_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    # Before django.contrib.auth, so its `createsuperuser` (password rules in --noinput mode too) wins.
    "tandem.accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # allauth's signed-in devices page (usersessions) formats times with it.
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "allauth.usersessions",
    "tandem.core",
    "tandem.audit",
    "tandem.schools",
    "tandem.people",
    "tandem.register",
    "tandem.assessment",
    "tandem.progress",
    "tandem.plans",
    # Corrections and withdrawals of the records people write, with each record's version history.
    "tandem.revisions",
    "tandem.provision",
    "tandem.exchange",
    "tandem.access",
    "tandem.dashboards",
    "tandem.demo",
    # Background jobs: Django's tasks API (backport) with its database backend, run by `tandem worker`.
    "django_tasks",
    "django_tasks_db",
    "tandem.jobs",
    "tandem.notifications",
    "tandem.backups",
    "tandem.subject_access",
    "tandem.retention",
    # EHC plans (sections B, E and F mapped to needs, targets and provision) and their annual reviews.
    "tandem.ehc",
    # Pupils' own views ("about me"), given with an adult.
    "tandem.pupil_voice",
    # Specialist advice with its documents, and time in the inclusion base.
    "tandem.advice",
    "tandem.inclusion",
    "tandem.parents",
    # The EHC needs assessment request pack (no tables of its own: it reads the pupil's records).
    "tandem.needs_assessment",
    # The Ofsted inclusion pack: pupil lists and each pupil's trail (no tables of its own either).
    "tandem.ofsted",
    # Documents drafted from the school's data (the governors' termly report): dated versions, HTML/PDF/DOCX.
    "tandem.documents",
]

MIDDLEWARE = [
    "tandem.core.middleware.RequestIdMiddleware",
    # First after the request id: every later layer (throttling, sessions, audit) sees the real client.
    "tandem.accounts.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: every page and download, not static files (tandem/core/middleware.py).
    "tandem.core.middleware.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "allauth.usersessions.middleware.UserSessionsMiddleware",
    # After authentication: end sessions past their absolute lifetime, then make sure everyone who
    # must have a second factor has one (and used it) before any page with pupils' data.
    "tandem.accounts.middleware.SessionLifetimeMiddleware",
    "tandem.accounts.middleware.SecondFactorRequiredMiddleware",
]

ROOT_URLCONF = "tandem.urls"
WSGI_APPLICATION = "tandem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tandem" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "tandem.access.context_processors.actor",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'tandem.sqlite3'}"),
        conn_max_age=int(os.environ.get("TANDEM_DB_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo server read while a long import or analysis writes.
    DATABASES["default"].setdefault("OPTIONS", {})
    DATABASES["default"]["OPTIONS"].update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            # A large import holds the write lock for some seconds: other writers wait rather than fail.
            "timeout": 30,
        }
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # The test database is a file, not memory, so the tests' real worker processes (`tandem worker`) and
    # the server they start can open it too; one per test run, so two runs never share one.
    DATABASES["default"]["TEST"] = {
        "NAME": os.path.join(tempfile.gettempdir(), f"tandem-test-{os.getpid()}.sqlite3")
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Jobs wait in the database (SQLite or PostgreSQL alike: no other server to run) for `tandem worker`.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
AUTH_USER_MODEL = "people.User"

AUTHENTICATION_BACKENDS = [
    # allauth's backend signs in by email; throttling happens in tandem.accounts.adapters before it runs.
    "allauth.account.auth_backends.AuthenticationBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
# Applied everywhere a password is set: the invitation page, reset, change, and every command.
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ["email", "full_name"]},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# ---- Accounts (django-allauth): sign-in by email, accounts only by invitation (tandem.accounts).
ACCOUNT_ADAPTER = "tandem.accounts.adapters.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "tandem.accounts.adapters.SchoolSignInAdapter"
USERSESSIONS_ADAPTER = "tandem.accounts.adapters.SessionsAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
# The invitation link proves the address, so there is no separate confirmation email.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
# "Forgot password" for an address nobody holds: same page, and no email to a stranger.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Tandem: "
# Re-authentication (password or second factor) is fresh for 10 minutes: bulk SEN downloads, role
# changes and second-factor changes ask again after that.
ACCOUNT_REAUTHENTICATION_TIMEOUT = 10 * 60
ACCOUNT_RATE_LIMITS = {
    # Failed sign-ins are slowed by tandem.accounts.throttle (per address and per address+account),
    # never per account alone, so nobody can lock a named person out.
    "login_failed": None,
    # A whole school signing in at 8.30 shares one public address: allauth's 30 a minute would refuse them.
    "login": "300/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
}
# Where allauth reads the client address: REMOTE_ADDR, which ClientAddressMiddleware has already
# set from X-Forwarded-For when (and only when) the peer is a trusted proxy.
ALLAUTH_TRUSTED_PROXY_COUNT = 0
SOCIALACCOUNT_ONLY = False
# SSO signs in invited people only: it never creates accounts (see SchoolSignInAdapter).
SOCIALACCOUNT_AUTO_SIGNUP = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_PROVIDERS: dict[str, dict[str, object]] = {"openid_connect": {"OAUTH_PKCE_ENABLED": True}}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
# Authenticator secrets and recovery-code seeds are encrypted in the database (tandem/accounts/mfa.py).
MFA_ADAPTER = "tandem.accounts.mfa.MFAAdapter"
TANDEM_MFA_SECRET_KEY = os.environ.get("TANDEM_MFA_SECRET_KEY", SECRET_KEY)
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = "Tandem"
MFA_RECOVERY_CODE_COUNT = 10
# Passkeys need a secure origin; http://127.0.0.1 (the demo and the browser tests) counts as one only
# with this, which production never sets.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not PRODUCTION
USERSESSIONS_TRACK_ACTIVITY = False

# Failed sign-ins: free attempts, then a delay that doubles per failure up to the cap.
TANDEM_SIGNIN_FREE_FAILURES_PER_ACCOUNT = int(os.environ.get("TANDEM_SIGNIN_FREE_FAILURES", "5"))
TANDEM_SIGNIN_FREE_FAILURES_PER_ADDRESS = int(os.environ.get("TANDEM_SIGNIN_FREE_FAILURES_PER_ADDRESS", "30"))
TANDEM_SIGNIN_MAX_DELAY_SECONDS = int(os.environ.get("TANDEM_SIGNIN_MAX_DELAY_SECONDS", "900"))
# Proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated), e.g. "127.0.0.1"
# for nginx or Caddy on the same machine. Empty: the header is ignored.
TANDEM_TRUSTED_PROXIES = _env_list("TANDEM_TRUSTED_PROXIES", "")
for _proxy in TANDEM_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfigured(
            f"TANDEM_TRUSTED_PROXIES: {_proxy!r} is not an IP address or network "
            "(e.g. 127.0.0.1 or 10.0.0.0/8)."
        ) from None

# The address people reach Tandem at, for links in emails sent outside a request (imports, commands).
TANDEM_BASE_URL = os.environ.get("TANDEM_BASE_URL", "http://127.0.0.1:8000")
# Invitations are valid for 7 days and used once.
TANDEM_INVITATION_DAYS = int(os.environ.get("TANDEM_INVITATION_DAYS", "7"))
# Sessions: signed out after this long whatever the activity (the idle limit is SESSION_COOKIE_AGE).
TANDEM_SESSION_MAX_HOURS = int(os.environ.get("TANDEM_SESSION_MAX_HOURS", "12"))

# Sessions end after an hour without activity and when the browser closes. The expiry is pushed on
# when the session changes or at most every TANDEM_SESSION_REFRESH_SECONDS (SessionLifetimeMiddleware),
# not on every request: a page view that changes nothing writes nothing, so it never queues behind an
# import for SQLite's write lock. Idle sign-out therefore comes 55 to 60 minutes after the last request.
SESSION_COOKIE_AGE = int(os.environ.get("TANDEM_SESSION_IDLE_MINUTES", "60")) * 60
SESSION_SAVE_EVERY_REQUEST = False
TANDEM_SESSION_REFRESH_SECONDS = min(5 * 60, SESSION_COOKIE_AGE // 4)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = _env_bool("TANDEM_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = 60 * 60 * 24 * 365
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
# Production collects static files here (`tandem collectstatic`); the demo serves them from the apps.
STATIC_ROOT = Path(os.environ.get("TANDEM_STATIC_ROOT", VAR_DIR / "static")) if PRODUCTION else None
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Without collectstatic (the demo), serve straight from the apps' static folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG

# Every line to the console, or with TANDEM_LOG_FILE to that file (warnings still on the console too).
# `tandem run` sets it to var/tandem.log for itself and its worker.
TANDEM_LOG_FILE = os.environ.get("TANDEM_LOG_FILE", "")
LOGGING = logging_config(level=os.environ.get("TANDEM_LOG_LEVEL", "INFO"), log_file=TANDEM_LOG_FILE)

# ---- Email. Real SMTP when TANDEM_EMAIL_HOST is set (docs/admin.md); otherwise every message is written
# to an outbox folder, so the demo works on a machine with no mail server.
EMAIL_HOST = os.environ.get("TANDEM_EMAIL_HOST", "")
EMAIL_PORT = int(os.environ.get("TANDEM_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("TANDEM_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("TANDEM_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("TANDEM_EMAIL_USE_TLS", EMAIL_PORT == 587)
EMAIL_USE_SSL = _env_bool("TANDEM_EMAIL_USE_SSL", EMAIL_PORT == 465)
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("TANDEM_EMAIL_FROM", "Tandem <tandem@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
TANDEM_OUTBOX_DIR = Path(os.environ.get("TANDEM_OUTBOX_DIR", VAR_DIR / "outbox"))
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif PRODUCTION:
    raise ImproperlyConfigured("Set TANDEM_EMAIL_HOST (and the other TANDEM_EMAIL_ settings) in production.")
else:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = TANDEM_OUTBOX_DIR

# The demo's shared password, printed by `make run`; never used outside the demo.
TANDEM_DEMO_PASSWORD = os.environ.get("TANDEM_DEMO_PASSWORD", "tandem-demo-2026")

# Imports with at least this many rows are applied by the worker, with progress on the page.
TANDEM_IMPORT_BACKGROUND_ROWS = int(os.environ.get("TANDEM_IMPORT_BACKGROUND_ROWS", "5000"))
# Refusals stored as audit events per person per clock hour; the rest are counted (audit.DeniedTally).
TANDEM_AUDIT_DENIED_ROWS_PER_HOUR = int(os.environ.get("TANDEM_AUDIT_DENIED_ROWS_PER_HOUR", "20"))
# Lists of pupils' data one person may download in an hour (tandem/core/downloads.py).
TANDEM_DOWNLOADS_PER_HOUR = int(os.environ.get("TANDEM_DOWNLOADS_PER_HOUR", "30"))
# Downloads (pupils, marks) with more rows than this are prepared by the worker, not in the request.
TANDEM_DOWNLOAD_BACKGROUND_ROWS = int(os.environ.get("TANDEM_DOWNLOAD_BACKGROUND_ROWS", "20000"))
# Offer "Individual Support Plan" as a kind of plan. Off: the 2026 Schools White Paper proposes ISPs but the
# law has not changed yet, so plans are SEN support plans under the 2015 Code (docs/graduated-approach.md).
TANDEM_ISP_ENABLED = _env_bool("TANDEM_ISP_ENABLED", False)
# Published documents hide any count of pupils from 1 to this less one ("fewer than 5"), and enough other
# counts that totals cannot give them back (tandem/lib/disclosure.py, docs/disclosure.md).
TANDEM_DISCLOSURE_THRESHOLD = int(os.environ.get("TANDEM_DISCLOSURE_THRESHOLD", "5"))

# ---- Backups (docs/admin.md, "Backups and restore"): `tandem backup`, `tandem restore`, the nightly job.
TANDEM_BACKUP_DIR = Path(os.environ.get("TANDEM_BACKUP_DIR", VAR_DIR / "backups"))
# The school's encryption passphrase; when set, every backup is encrypted with it (AES-256-GCM).
TANDEM_BACKUP_PASSPHRASE = os.environ.get("TANDEM_BACKUP_PASSPHRASE", "")
# The nightly job keeps this many newest backups.
TANDEM_BACKUP_KEEP = int(os.environ.get("TANDEM_BACKUP_KEEP", "14"))

# ---- Documents uploaded with specialist advice (docs/advice.md): kept here, outside every served folder,
# readable by the server's user only, and given out only through a page that checks who is asking.
TANDEM_DOCUMENTS_DIR = Path(os.environ.get("TANDEM_DOCUMENTS_DIR", VAR_DIR / "documents"))
# The largest document kept, in bytes (10 MB: a scanned report of several pages).
TANDEM_DOCUMENT_MAX_BYTES = int(os.environ.get("TANDEM_DOCUMENT_MAX_BYTES", str(10 * 1024 * 1024)))
