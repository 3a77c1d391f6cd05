"""Settings for the throwaway OpenID Connect provider the SSO tests run on loopback.

Everything variable comes from environment variables that `tests.sso.harness` sets, because the
provider runs in its own process with its own database, apart from the app under test.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

HERE = Path(__file__).resolve().parent


def _private_key_pem() -> str:
    pem = os.environ.get("TANDEM_TEST_OIDC_RSA_KEY", "")
    if pem:
        return pem
    # Fallback for running the provider by hand; the harness always passes a key so that the
    # serving and provisioning processes agree on it.
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


SECRET_KEY = os.environ.get("TANDEM_TEST_OIDC_SECRET_KEY", "test-oidc-provider-not-a-secret")
# Off so that failures look like a real provider's (plain error responses), not Django debug pages.
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]

ROOT_URLCONF = "tests.sso.provider.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
            ]
        },
    }
]

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("TANDEM_TEST_OIDC_DB", str(HERE / "provider.sqlite3")),
        # The server and the provisioning subprocess write to the same file at the same time.
        "OPTIONS": {"timeout": 20},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Each run starts from an empty throwaway database, so tables are built straight from the models
# (`migrate --run-syncdb`): a second and a half faster than replaying every migration.
MIGRATION_MODULES = {"auth": None, "contenttypes": None, "sessions": None, "oauth2_provider": None}

# Test-only users: a slow hasher would cost every sign-in for nothing.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"

USE_TZ = True
TIME_ZONE = "UTC"

# The relying party's session cookie on 127.0.0.1 has its own name; keep ours distinct so a
# browser signed in to both does not mix them up (cookies ignore ports).
SESSION_COOKIE_NAME = "oidc_provider_sessionid"
CSRF_COOKIE_NAME = "oidc_provider_csrftoken"

OIDC_ISSUER = os.environ.get("TANDEM_TEST_OIDC_ISSUER", "")

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": _private_key_pem(),
    # Pinned to the address the harness chose, rather than derived from each request's Host
    # header, so tokens and the discovery document name the same issuer whatever the client sends.
    "OIDC_ISS_ENDPOINT": OIDC_ISSUER,
    "OAUTH2_VALIDATOR_CLASS": "tests.sso.provider.validators.ClaimsValidator",
    "SCOPES": {
        "openid": "OpenID Connect",
        "email": "Email address",
        "profile": "Name",
    },
    "DEFAULT_SCOPES": ["openid"],
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    # Relying parties may or may not send PKCE; a challenge that is sent is still checked.
    "PKCE_REQUIRED": False,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["stderr"], "level": "WARNING"},
}
