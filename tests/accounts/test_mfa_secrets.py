"""Authenticator-app secrets and recovery-code seeds are encrypted in the database (tandem/accounts/mfa.py):
a copy of the database or a backup is not enough to make anyone's codes."""

from __future__ import annotations

import importlib

from allauth.mfa.adapter import get_adapter
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.apps import apps

from tandem.accounts.mfa import PREFIX, decrypt_secret
from tests import factories as f
from tests.totp import fresh_totp


def test_it_stores_second_factor_secrets_encrypted_and_still_checks_codes(world):
    secret = f.enrol_totp(world.a.senco)  # an authenticator app and recovery codes
    totp = Authenticator.objects.get(user=world.a.senco, type=Authenticator.Type.TOTP)
    stored = totp.data["secret"]
    assert stored.startswith(PREFIX) and secret not in stored
    assert get_adapter().decrypt(stored) == secret
    recovery = Authenticator.objects.get(user=world.a.senco, type=Authenticator.Type.RECOVERY_CODES)
    assert recovery.data["seed"].startswith(PREFIX)

    assert TOTP(totp).validate_code(fresh_totp(secret))
    assert len(RecoveryCodes(recovery).get_unused_codes()) == 10


def test_it_encrypts_secrets_stored_before_encryption_and_reads_them_meanwhile(world):
    plain = "JBSWY3DPEHPK3PXP"
    legacy = Authenticator.objects.create(
        user=world.a.head, type=Authenticator.Type.TOTP, data={"secret": plain}
    )
    assert decrypt_secret(plain) == plain  # read as it is until the migration runs

    migration = importlib.import_module("tandem.accounts.migrations.0002_encrypt_second_factor_secrets")
    migration.encrypt_stored(apps, None)
    legacy.refresh_from_db()
    assert legacy.data["secret"].startswith(PREFIX) and decrypt_secret(legacy.data["secret"]) == plain
    migration.encrypt_stored(apps, None)  # twice changes nothing
    legacy.refresh_from_db()
    assert decrypt_secret(legacy.data["secret"]) == plain
