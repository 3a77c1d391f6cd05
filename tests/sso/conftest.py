"""The `oidc_provider` fixture: one real OpenID Connect provider on loopback per test session."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.sso.harness import OIDCProvider, running_provider


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OIDCProvider]:
    # Runs in its own process with its own database, so no database access is needed here.
    tenant = os.environ.get("TANDEM_TEST_OIDC_TENANT") or None
    with running_provider(tmp_path_factory.mktemp("oidc_provider"), tenant=tenant) as provider:
        yield provider
