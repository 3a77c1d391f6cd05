"""Signing in, end to end in a real browser, with mail sent over SMTP to a server on the loopback.

1. A school admin invites a teacher from the Staff page; the invitation arrives by email; the teacher
   chooses a password, signs in and out, resets the password from "Forgot your password?" and signs in
   with the new one. A used or expired invitation link is refused with a page that says why.
2. A SENCo without a second factor is sent to set one up: an authenticator app (codes computed here),
   then recovery codes, then a passkey on Chromium's virtual authenticator; each one signs them in, and
   a recovery code works only once.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, expect

from tandem.accounts.models import Invitation
from tests.browser.conftest import TIMEOUT_MS, VIEWPORT
from tests.mail import SmtpServer, first_link
from tests.totp import fresh_totp

ADMIN_PASSWORD = "admin-kestrel-harbour-71"
FIRST_PASSWORD = "lantern-meadow-copper-58"
NEW_PASSWORD = "orchard-violet-tunnel-93"
SENCO_PASSWORD = "quarry-bramble-signal-26"
SIGN_IN_PAGES = re.compile(r"/accounts/(login|2fa)/")


def _new_context(browser: Browser) -> BrowserContext:
    """A second person's browser: no cookies shared with the first."""
    context = browser.new_context(viewport=VIEWPORT, locale="en-GB", timezone_id="Europe/London")
    context.set_default_timeout(TIMEOUT_MS)
    return context


def _fill_sign_in(page: Page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}{reverse('account_login')}")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def _expect_signed_in(page: Page) -> None:
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    expect(page).not_to_have_url(SIGN_IN_PAGES)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)


def _expect_sign_in_refused(page: Page) -> None:
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.get_by_role("alert")).to_contain_text(re.compile(r"not correct", re.IGNORECASE))
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)


def _invite(page: Page, base_url: str, *, email: str, full_name: str) -> None:
    """As the school admin: Staff -> Give someone a role -> a new teacher."""
    page.goto(f"{base_url}{reverse('staff')}")
    page.get_by_role("link", name="Give someone a role").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("staff_add")) + "$"))
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Role").select_option(label="Class or subject teacher")
    page.get_by_role("button", name="Give role").click()
    expect(page.get_by_role("status")).to_contain_text(f"An invitation to sign in is on its way to {email}")


def _invitation_link(smtp: SmtpServer, email: str, base_url: str) -> str:
    message = smtp.wait_for(email, subject="invited to Tandem")
    assert message.to == email
    link = first_link(message)
    # The Staff page builds the link from the request the admin made: this server, not a setting.
    assert link.startswith(f"{base_url}/accounts/invitation/"), link
    return link


def test_it_takes_an_invited_teacher_from_email_to_a_reset_password(
    page: Page,
    browser: Browser,
    live_server: Any,
    world: Any,
    smtp_server: SmtpServer,
    sign_in: Any,
    assert_no_serious_axe_violations: Any,
) -> None:
    base = live_server.url
    admin = world.a.admin
    admin.set_password(ADMIN_PASSWORD)
    admin.save()
    teacher_email = "rowan.invited@sentinel.example"

    sign_in(page, live_server, admin.email, ADMIN_PASSWORD)
    _invite(page, base, email=teacher_email, full_name="Rowan Invited")
    link = _invitation_link(smtp_server, teacher_email, base)

    # The teacher, in their own browser, opens the link and chooses a password.
    context = _new_context(browser)
    teacher = context.new_page()
    teacher.goto(link)
    expect(teacher.get_by_role("heading", level=1)).to_have_text("Set up your Tandem account")
    expect(teacher.get_by_role("main")).to_contain_text(teacher_email)
    assert_no_serious_axe_violations(teacher)
    teacher.get_by_label("Choose a password").fill("short")
    teacher.get_by_label("Type the same password again").fill("short")
    teacher.get_by_role("button", name="Set my password").click()
    expect(teacher.get_by_role("alert")).to_contain_text("too short")
    assert_no_serious_axe_violations(teacher)
    teacher.get_by_label("Choose a password").fill(FIRST_PASSWORD)
    teacher.get_by_label("Type the same password again").fill(FIRST_PASSWORD)
    teacher.get_by_role("button", name="Set my password").click()
    expect(teacher).to_have_url(re.compile(r"/accounts/login/"))
    expect(teacher.get_by_role("status")).to_contain_text("Your password is set")
    assert_no_serious_axe_violations(teacher)

    _fill_sign_in(teacher, base, teacher_email, FIRST_PASSWORD)
    _expect_signed_in(teacher)
    _sign_out(teacher)

    # Forgotten password: the reset email also comes through the SMTP server.
    teacher.get_by_role("link", name="Forgot your password?").click()
    expect(teacher).to_have_url(re.compile(re.escape(reverse("account_reset_password")) + "$"))
    assert_no_serious_axe_violations(teacher)
    teacher.get_by_label("Email").fill(teacher_email)
    teacher.get_by_role("button", name=re.compile("reset", re.IGNORECASE)).click()
    expect(teacher).to_have_url(re.compile(re.escape(reverse("account_reset_password_done"))))
    reset_link = first_link(smtp_server.wait_for(teacher_email, subject="Choose a new password"))
    assert reset_link.startswith(f"{base}/accounts/password/reset/key/"), reset_link
    teacher.goto(reset_link)
    teacher.get_by_label("New Password", exact=True).fill(NEW_PASSWORD)
    teacher.get_by_label("New Password (again)").fill(NEW_PASSWORD)
    teacher.get_by_role("button", name="Change Password").click()
    expect(teacher.get_by_role("main")).to_contain_text("Your password is now changed")

    _fill_sign_in(teacher, base, teacher_email, FIRST_PASSWORD)
    _expect_sign_in_refused(teacher)
    _fill_sign_in(teacher, base, teacher_email, NEW_PASSWORD)
    _expect_signed_in(teacher)
    _sign_out(teacher)

    # The invitation link worked once: now it says so.
    teacher.goto(link)
    expect(teacher.get_by_role("heading", level=1)).to_have_text("This invitation link cannot be used")
    expect(teacher.get_by_role("main")).to_contain_text("already been used")
    expect(teacher.get_by_label("Choose a password")).to_have_count(0)

    # A link left unused past its days runs out.
    late_email = "sam.late@sentinel.example"
    _invite(page, base, email=late_email, full_name="Sam Late")
    late_link = _invitation_link(smtp_server, late_email, base)
    Invitation.objects.filter(user__email=late_email).update(
        expires_at=timezone.now() - dt.timedelta(minutes=1)
    )
    teacher.goto(late_link)
    expect(teacher.get_by_role("heading", level=1)).to_have_text("This invitation link cannot be used")
    expect(teacher.get_by_role("main")).to_contain_text("ran out")
    expect(teacher.get_by_label("Choose a password")).to_have_count(0)
    assert_no_serious_axe_violations(teacher)
    context.close()


def _totp_secret_on_page(page: Page) -> str:
    secret = page.get_by_label("Authenticator secret").input_value()
    assert re.fullmatch(r"[A-Z2-7]{16,}", secret), secret
    return secret


def _recovery_codes_on_page(page: Page) -> list[str]:
    codes = page.get_by_label("Unused codes").input_value().split()
    assert len(codes) == 10, codes
    return codes


def _answer_code(page: Page, code: str) -> None:
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_authenticate"))))
    page.get_by_label("Code").fill(code)
    page.get_by_role("button", name="Sign in", exact=True).click()


class VirtualAuthenticator:
    """Chromium's virtual authenticator (over CDP): a platform passkey that always has the user present."""

    def __init__(self, page: Page) -> None:
        self.client: CDPSession = page.context.new_cdp_session(page)
        self.client.send("WebAuthn.enable")
        added = self.client.send(
            "WebAuthn.addVirtualAuthenticator",
            {
                "options": {
                    "protocol": "ctap2",
                    "transport": "internal",
                    "hasResidentKey": True,
                    "hasUserVerification": True,
                    "isUserVerified": True,
                    "automaticPresenceSimulation": True,
                }
            },
        )
        self.id = added["authenticatorId"]

    def credentials(self) -> list[dict[str, Any]]:
        return list(self.client.send("WebAuthn.getCredentials", {"authenticatorId": self.id})["credentials"])


def test_it_sets_up_and_uses_each_second_factor_for_a_senco(
    page: Page, live_server: Any, world: Any, assert_no_serious_axe_violations: Any
) -> None:
    # A passkey belongs to a domain name: Chromium refuses an IP address as the relying party.
    base = live_server.url.replace("127.0.0.1", "localhost")
    senco = world.a.senco
    senco.set_password(SENCO_PASSWORD)
    senco.save()
    register_url = f"{base}{reverse('register')}"

    # Signed in with a password only, the SENCo is sent to set up a second factor.
    page.goto(register_url)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    page.get_by_label("Email address").fill(senco.email)
    page.get_by_label("Password", exact=True).fill(SENCO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page).to_have_url(re.compile(re.escape(reverse("two_factor_required"))))
    assert_no_serious_axe_violations(page)

    # Signed in moments ago: the password just typed counts as the confirmation a factor change needs.
    page.get_by_role("link", name="Use an authenticator app").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_activate_totp"))))
    assert_no_serious_axe_violations(page)
    secret = _totp_secret_on_page(page)
    page.get_by_label("Authenticator code").fill(fresh_totp(secret))
    page.get_by_role("button", name="Activate").click()
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_view_recovery_codes"))))
    codes = _recovery_codes_on_page(page)
    assert_no_serious_axe_violations(page)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="SEN register").click()
    expect(page).to_have_url(register_url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("SEN register")
    _sign_out(page)

    # Password, then a code from the app.
    _fill_sign_in(page, base, senco.email, SENCO_PASSWORD)
    _answer_code(page, fresh_totp(secret))
    _expect_signed_in(page)
    _sign_out(page)

    # Password, then a recovery code in the same box; that code is then spent.
    _fill_sign_in(page, base, senco.email, SENCO_PASSWORD)
    _answer_code(page, codes[0])
    _expect_signed_in(page)
    _sign_out(page)
    _fill_sign_in(page, base, senco.email, SENCO_PASSWORD)
    _answer_code(page, codes[0])
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_authenticate"))))
    expect(page.get_by_role("alert")).to_contain_text("Incorrect code")
    expect(page.get_by_role("button", name="Sign out", exact=True)).to_have_count(0)
    _answer_code(page, codes[1])
    _expect_signed_in(page)

    # A passkey, on Chromium's virtual authenticator; then it alone signs the SENCo in.
    authenticator = VirtualAuthenticator(page)
    page.goto(f"{base}{reverse('mfa_add_webauthn')}")
    expect(page).to_have_url(re.compile(re.escape(reverse("mfa_add_webauthn"))))
    assert_no_serious_axe_violations(page)
    # Passwordless: a passkey the browser finds without an email address typed first.
    page.get_by_label("Passwordless").check()
    page.get_by_role("button", name="Add").click()
    expect(page).not_to_have_url(re.compile(re.escape(reverse("mfa_add_webauthn"))))
    (credential,) = authenticator.credentials()
    assert credential["isResidentCredential"], credential
    _sign_out(page)

    page.goto(register_url)
    page.get_by_role("button", name="Sign in with a passkey").click()
    _expect_signed_in(page)
    expect(page).to_have_url(register_url)
