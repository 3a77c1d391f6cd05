"""Authenticator-app codes computed the way a phone does (RFC 6238: HMAC-SHA1, 30 s, 6 digits).

Written here rather than borrowed from the sign-in library, so tests check its codes against an
independent implementation.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time

_last_step: dict[str, int] = {}


def totp(secret: str, *, at: float | None = None) -> str:
    step = int((time.time() if at is None else at) // 30)
    key = base64.b32decode(secret.upper() + "=" * (-len(secret) % 8))
    digest = hmac.new(key, struct.pack(">Q", step), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def fresh_totp(secret: str) -> str:
    """A code not used before in this test run: a code is accepted once, so wait for the next step."""
    # ...and not in the last 3 seconds of a step, which may be over before the server checks the code.
    while int(time.time() // 30) == _last_step.get(secret) or time.time() % 30 > 27:
        time.sleep(0.5)
    _last_step[secret] = int(time.time() // 30)
    return totp(secret)
