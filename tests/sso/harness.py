"""Start the test OpenID Connect provider in a subprocess and drive it from the test process.

The provider is a separate Django project (`tests.sso.provider`) with its own database, so the
app's SSO code talks to a real issuer over HTTP: discovery, JWKS, signed ID tokens, userinfo.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

REPO_ROOT = Path(__file__).resolve().parents[2]
PROVIDER_SETTINGS = "tests.sso.provider.settings"
START_TIMEOUT_SECONDS = 30.0
# Must match the provider's settings; renamed there so they cannot clobber the app's cookies on
# the same loopback host (cookies ignore ports).
CSRF_COOKIE_NAME = "oidc_provider_csrftoken"
SESSION_COOKIE_NAME = "oidc_provider_sessionid"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _rsa_private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()


def new_http_session() -> requests.Session:
    session = requests.Session()
    # A proxy from the environment must never see loopback traffic meant for the provider.
    session.trust_env = False
    return session


@dataclass
class OIDCProvider:
    """A running provider. `issuer` is what ID tokens carry in `iss` and discovery advertises."""

    url: str
    issuer: str
    tenant: str | None
    db_path: Path
    log_path: Path
    env: dict[str, str] = field(repr=False)

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer}/.well-known/openid-configuration"

    @property
    def jwks_uri(self) -> str:
        return f"{self.issuer}/.well-known/jwks.json"

    @property
    def authorize_url(self) -> str:
        return f"{self.issuer}/authorize/"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token/"

    @property
    def userinfo_url(self) -> str:
        return f"{self.issuer}/userinfo/"

    @property
    def login_url(self) -> str:
        return f"{self.url}/accounts/login/"

    def add_user(
        self, username: str, email: str, password: str, *, mfa: bool = False, verified: bool = True
    ) -> None:
        """Create or replace a provider user; `name` in their claims is the username."""
        self._provision(
            {
                "users": [
                    {
                        "username": username,
                        "email": email,
                        "password": password,
                        "first_name": "mfa" if mfa else "",
                        "last_name": "" if verified else "unverified",
                    }
                ]
            }
        )

    def add_client(self, client_id: str, client_secret: str, redirect_uri: str | Sequence[str]) -> None:
        """Create or replace a confidential RS256 client; its redirect URIs are exactly these."""
        uris = [redirect_uri] if isinstance(redirect_uri, str) else list(redirect_uri)
        self._provision(
            {"clients": [{"client_id": client_id, "client_secret": client_secret, "redirect_uris": uris}]}
        )

    def browser_session(self, username: str, password: str) -> requests.Session:
        """A session signed in on the provider, as a browser would be after its login page."""
        session = new_http_session()
        page = session.get(self.login_url, timeout=10)
        page.raise_for_status()
        token = session.cookies.get(CSRF_COOKIE_NAME)
        response = session.post(
            self.login_url,
            data={"csrfmiddlewaretoken": token, "username": username, "password": password},
            allow_redirects=False,
            timeout=10,
        )
        if response.status_code != 302 or SESSION_COOKIE_NAME not in session.cookies:
            raise ValueError(f"provider refused sign-in for {username!r} (HTTP {response.status_code})")
        return session

    def log_tail(self, limit: int = 4000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-limit:]
        except FileNotFoundError:
            return ""

    def _provision(self, spec: dict[str, Any]) -> None:
        result = subprocess.run(
            [sys.executable, "-m", "tests.sso.provider.provision", "--db", str(self.db_path)],
            input=json.dumps(spec),
            text=True,
            capture_output=True,
            cwd=REPO_ROOT,
            env=self.env,
            timeout=60,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"provisioning the test OIDC provider failed:\n{result.stderr[-4000:]}")


def _wait_until_ready(provider: OIDCProvider, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    http = new_http_session()
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"test OIDC provider exited with {process.returncode}:\n{provider.log_tail()}")
        try:
            if http.get(provider.discovery_url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            # Not listening yet, or the port is someone else's; either way keep waiting.
            pass
        time.sleep(0.1)
    raise RuntimeError(
        f"test OIDC provider not ready within {START_TIMEOUT_SECONDS:.0f}s:\n{provider.log_tail()}"
    )


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextmanager
def running_provider(workdir: Path, *, tenant: str | None = None) -> Iterator[OIDCProvider]:
    """Serve a fresh provider from `workdir` until the block ends; `tenant` becomes the `tid` claim."""
    port = _free_port()
    env = dict(os.environ)
    env["DJANGO_SETTINGS_MODULE"] = PROVIDER_SETTINGS
    env["TANDEM_TEST_OIDC_RSA_KEY"] = _rsa_private_key_pem()
    # The tenant is taken from this call only, never inherited, so a tid test cannot leak into others.
    env.pop("TANDEM_TEST_OIDC_TENANT", None)
    if tenant:
        env["TANDEM_TEST_OIDC_TENANT"] = tenant
    url = f"http://127.0.0.1:{port}"
    provider = OIDCProvider(
        url=url,
        issuer=f"{url}/o",
        tenant=tenant,
        db_path=workdir / "provider.sqlite3",
        log_path=workdir / "provider.log",
        env=env,
    )
    # A file, not a pipe: nobody reads the server's output while it runs, and a full pipe would
    # block it mid-request.
    with provider.log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.sso.provider.serve",
                "--port",
                str(port),
                "--db",
                str(provider.db_path),
            ],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_ready(provider, process)
            yield provider
        finally:
            _stop(process)
