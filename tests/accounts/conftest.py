"""Shared by the sign-in tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_rate_limits() -> Iterator[None]:
    # allauth counts sign-in POSTs and reset requests per address in the cache ("login": n/m/ip), and
    # the cache outlives each test's database: start and end every sign-in test with it empty.
    cache.clear()
    yield
    cache.clear()
