"""Harness for the real-browser tests in this folder.

Playwright's sync API drives Debian's Chromium (/usr/bin/chromium; Playwright's own browser download
is not used) against pytest-django's ``live_server``. Every test here is marked ``browser`` and runs
in a transactional database, so data made by the test is visible to the server thread; code sets
(need types, subjects, scales) come back after each flush through post_migrate.

Without Chromium the tests skip, unless ``TANDEM_REQUIRE_BROWSER=1`` (CI), when they fail.

Fixtures for tests:
  ``page``                              a fresh browser context and page (1024x768, en-GB); fails the
                                        test if anything asks for an off-site resource or the
                                        Content-Security-Policy refuses anything
  ``sign_in(page, live_server, email, password)``
  ``assert_no_serious_axe_violations(page)``   axe-core check; fails on serious or critical issues
  ``smtp_server`` (tests/conftest.py)   a real SMTP server on the loopback (tests/mail.py)
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, Page, Playwright, Route, expect, sync_playwright

from tests.totp import fresh_totp

HERE = Path(__file__).resolve().parent
ARTIFACTS = HERE.parent.parent / "test-results"
CHROMIUM = Path(os.environ.get("TANDEM_CHROMIUM", "/usr/bin/chromium"))
# Headless, as root, on a machine with no network but the loopback: no sandbox, no GPU, and none
# of Chromium's background calls home (they would only be refused, many at a time).
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1024, "height": 768}  # a school tablet in landscape
TIMEOUT_MS = 15_000
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1", "[::1]"}
SERIOUS_IMPACTS = ("serious", "critical")
_REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


def _browser_required() -> bool:
    return os.environ.get("TANDEM_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes", "on"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if HERE not in Path(item.path).resolve().parents:
            continue
        item.add_marker(pytest.mark.browser)
        if item.get_closest_marker("django_db") is None:
            # live_server needs committed data. The flush after each test re-syncs the code sets
            # (need types, subjects, scales) through post_migrate, so no serialized rollback is needed.
            item.add_marker(pytest.mark.django_db(transaction=True))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[Any]:
    report = yield
    # Lets the page fixture know, at teardown, whether the test failed (for a screenshot).
    item.stash.setdefault(_REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="module")
def browser(django_db_setup: None) -> Iterator[Browser]:
    """Chromium, for one test module at a time: Playwright's event loop goes away between modules."""
    if not CHROMIUM.exists():
        reason = f"Chromium not found at {CHROMIUM}; install Debian's package: apt-get install chromium"
        if _browser_required():
            pytest.fail(f"{reason} (TANDEM_REQUIRE_BROWSER=1: browser tests must run)", pytrace=False)
        pytest.skip(reason)
    from django.db import connections

    originals = {alias: connections[alias] for alias in connections}
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        # Playwright's sync API keeps an asyncio event loop set in the test thread, and Django then
        # refuses ORM calls there (SynchronousOnlyOperation). Django's documented switch for this
        # case; set only while Playwright runs, since `check --deploy` rightly refuses it.
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        # With that loop set, Django's per-context connection store would also hand out new
        # connection objects, outside the test's transaction handling: keep the originals.
        for alias, connection in originals.items():
            connections[alias] = connection
        browser = _launch(playwright)
        yield browser
        browser.close()


def _launch(playwright: Playwright) -> Browser:
    # launch() gives each run a new, empty temporary profile and deletes it on close.
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True, chromium_sandbox=False
    )


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    # Pages must work with no network but the server itself: no CDN, fonts or trackers.
    off_site: list[str] = []

    def only_loopback(route: Route) -> None:
        url = route.request.url
        if urlsplit(url).hostname in LOOPBACK_HOSTS:
            route.continue_()
        else:
            off_site.append(url)
            route.abort()

    context.route(re.compile(r"^https?://"), only_loopback)
    page = context.new_page()
    # Chromium reports each thing the Content-Security-Policy refused as a console error, on every page
    # the test visits: none is allowed (tandem/core/middleware.py).
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None
        ),
    )
    yield page
    reports = request.node.stash.get(_REPORTS, {})
    if "call" in reports and reports["call"].failed:
        _save_artifacts(page, request.node.nodeid)
    context.close()
    assert not off_site, f"The page asked for resources outside the server: {off_site}"
    assert not refused, "The Content-Security-Policy refused:\n" + "\n".join(refused)


def _save_artifacts(page: Page, nodeid: str) -> None:
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid)
    ARTIFACTS.mkdir(exist_ok=True)
    try:
        page.screenshot(path=ARTIFACTS / f"{stem}.png", full_page=True)
        (ARTIFACTS / f"{stem}.html").write_text(page.content())
        print(f"\nBrowser state at failure ({page.url}) saved to {ARTIFACTS}/{stem}.png and .html")
    except Exception as exc:  # a failed screenshot must not hide the test's own failure
        print(f"\nCould not save the browser state: {exc}")


def _sign_in(page: Page, live_server: Any, email: str, password: str) -> None:
    """Sign in through the real form, with an authenticator code when the account has (or needs) one;
    returns once the browser has left the sign-in pages."""
    secret = _totp_secret_for(email)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if secret is not None:
        expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/"))
        page.get_by_label("Code").fill(fresh_totp(secret))
        page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page, f"Signing in as {email} did not leave the sign-in page").not_to_have_url(
        re.compile(r"/accounts/(login|2fa)/")
    )


def _totp_secret_for(email: str) -> str | None:
    """The account's authenticator-app secret; a role that must have a second factor gets one first
    (a set-up shortcut for tests about other pages: tests/browser/test_sign_in.py enrols by the page)."""
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.models import Authenticator

    from tandem.accounts.second_factor import second_factor_required
    from tandem.people.models import User
    from tests import factories as f

    user = User.objects.get(email=email)
    found = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if found is not None:
        return str(get_adapter().decrypt(found.data["secret"]))
    if second_factor_required(user):
        return f.enrol_totp(user)
    return None


@pytest.fixture
def sign_in() -> Callable[[Page, Any, str, str], None]:
    return _sign_in


def _format_violation(violation: dict[str, Any]) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}", f"  {violation['helpUrl']}"]
    for node in violation["nodes"]:
        target = " >> ".join(str(part) for part in node.get("target", []))
        lines.append(f"    at {target}")
        summary = (node.get("failureSummary") or "").replace("\n", "\n       ")
        if summary:
            lines.append(f"       {summary}")
    return "\n".join(lines)


def _assert_no_serious_axe_violations(page: Page) -> None:
    """Run axe-core (bundled by axe-playwright-python) on the page; fail on serious or critical issues."""
    violations = Axe().run(page).response["violations"]
    serious = [v for v in violations if v.get("impact") in SERIOUS_IMPACTS]
    others = [v for v in violations if v.get("impact") not in SERIOUS_IMPACTS]
    if others:
        # Shown with the test's output; not a failure.
        print(f"\naxe: {len(others)} moderate or minor issue(s) on {page.url}:")
        print("\n".join(_format_violation(v) for v in others))
    if serious:
        report = "\n".join(_format_violation(v) for v in serious)
        raise AssertionError(
            f"axe found {len(serious)} serious or critical issue(s) on {page.url}:\n{report}"
        )


@pytest.fixture
def assert_no_serious_axe_violations() -> Callable[[Page], None]:
    return _assert_no_serious_axe_violations
