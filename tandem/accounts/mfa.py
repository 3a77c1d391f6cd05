"""Second-factor secrets encrypted in the database: the sign-in library stores authenticator-app secrets and
recovery-code seeds through its adapter's encrypt/decrypt hooks, which by default store them as they are. A
copy of the database or of a backup must not be enough to make anyone's codes.

Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) under a key derived by HKDF from
TANDEM_MFA_SECRET_KEY (default: SECRET_KEY, so changing that means everyone sets up their authenticator
again).
A value stored before encryption was turned on has no prefix and is read as it is, then encrypted by the
migration that turned it on.
"""

from __future__ import annotations

import base64
from functools import cache

from allauth.mfa.adapter import DefaultMFAAdapter
from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

PREFIX = "fernet:"


@cache
def _fernet(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"tandem second-factor secrets").derive(
        secret.encode()
    )
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt_secret(text: str) -> str:
    return PREFIX + _fernet(settings.TANDEM_MFA_SECRET_KEY).encrypt(text.encode()).decode("ascii")


def decrypt_secret(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # from before encryption (the migration encrypts these)
    return _fernet(settings.TANDEM_MFA_SECRET_KEY).decrypt(stored[len(PREFIX) :].encode("ascii")).decode()


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt_secret(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_secret(encrypted_text)
