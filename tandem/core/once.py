"""Exactly once from the browser: every form page carries a one-time token, and only the first post that
claims it saves. A repeat (Back and save again, a double click, the same post sent several times at once)
saves nothing and is sent to what the first post saved.

The token is signed with the user's id and the time it was issued, so a token made up, taken from another
user's page, or older than TOKEN_MAX_AGE is refused before anything is written. It is claimed inside the
transaction that saves the record, in the user's turn: the user's row is locked first, so one person's
posts take turns (on SQLite the IMMEDIATE write transactions take turns anyway), and the token goes into a
unique column, so even without the lock a second insert of it fails. A browser that fetches the form page
again on Back (Chromium does, then puts back what was typed but not the hidden token) sends a new token
with the same typing: the same user sending the same typing to the same address within TOKEN_MAX_AGE is
a repeat too.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, models, transaction
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tandem.core.models import FormSubmission

FORM_FIELD_NAME = "form_token"
# A form open longer than this is refused (its user checks it and saves again), so a claim older than this
# can never be matched again and prune_form_submissions may delete it.
TOKEN_MAX_AGE = dt.timedelta(days=1)
# Claims are kept a little longer than their tokens live, so a token checked a moment before its day ends
# still finds its claim.
PRUNE_MARGIN = dt.timedelta(hours=1)
_SIGNER = signing.TimestampSigner(salt="tandem.core.once")
_NOT_TYPED = {"csrfmiddlewaretoken", FORM_FIELD_NAME}  # differ between showings of one form


class TokenRefused(Exception):
    """The post carried no token this user's form page issued within TOKEN_MAX_AGE."""


class AlreadySubmitted(Exception):
    """Another post with the same token, or the same typing on the same form, saved first."""

    def __init__(self, previous: FormSubmission | None) -> None:
        super().__init__()
        self.previous = previous


def form_token_issue(*, user_id: int) -> str:
    return _SIGNER.sign(f"{user_id}:{secrets.token_urlsafe(24)}")


def form_token_key(*, token: str | None, user_id: int) -> str:
    """The token's one-time key, if this user's form page issued it within TOKEN_MAX_AGE."""
    if not token:
        raise TokenRefused
    try:
        value = _SIGNER.unsign(token, max_age=TOKEN_MAX_AGE)
    except signing.BadSignature as error:  # also SignatureExpired
        raise TokenRefused from error
    owner, _, key = value.partition(":")
    if owner != str(user_id) or not key:
        raise TokenRefused
    return key


def form_fingerprint(*, user_id: int, path: str, data: QueryDict) -> str:
    """A keyed hash of who sent what to which form, without the tokens that differ between showings."""
    typed = sorted((name, value) for name in data for value in data.getlist(name) if name not in _NOT_TYPED)
    return salted_hmac("tandem.core.once.fingerprint", json.dumps([user_id, path, typed])).hexdigest()


def form_submission_claim(*, key: str, user_id: int, fingerprint: str) -> FormSubmission:
    """Claim the key for this post. Call inside the transaction that saves the record, so a failed save
    leaves the token unclaimed and the user can correct the form and send it again."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("Claim a form token inside the transaction that saves the record.")
    # One person's posts take turns from here to the end of the transaction, so the check below sees what
    # an earlier post of theirs saved. NO KEY: rows that merely refer to the user are not held up.
    get_user_model().objects.select_for_update(no_key=True).filter(pk=user_id).first()
    since = timezone.now() - TOKEN_MAX_AGE
    previous = FormSubmission.objects.filter(
        Q(token=key) | Q(user_id=user_id, fingerprint=fingerprint, created_at__gte=since)
    ).first()
    if previous is not None:
        raise AlreadySubmitted(previous)
    try:
        with transaction.atomic():
            return FormSubmission.objects.create(token=key, user_id=user_id, fingerprint=fingerprint)
    except IntegrityError as error:
        raise AlreadySubmitted(None) from error


def form_submission_record(*, claim: FormSubmission, result: object, next_url: str) -> None:
    """Remember what the first post saved and where it went, for its repeats."""
    if isinstance(result, models.Model):
        claim.target_type = result._meta.label_lower
        claim.target_id = str(result.pk)
    claim.next_url = next_url
    claim.save(update_fields=["target_type", "target_id", "next_url"])


def form_submission_previous(*, repeat: AlreadySubmitted, key: str, user_id: int) -> FormSubmission | None:
    """The committed claim a repeat lost to, only if it was this user's."""
    previous = repeat.previous or FormSubmission.objects.filter(token=key).first()
    if previous is None or previous.user_id != user_id or not previous.next_url:
        return None
    return previous


def prune_form_submissions(*, now: dt.datetime | None = None) -> int:
    """Delete claims whose tokens are refused as expired anyway; returns how many. Meant for a daily job."""
    cutoff = (now or timezone.now()) - TOKEN_MAX_AGE - PRUNE_MARGIN
    deleted, _ = FormSubmission.objects.filter(created_at__lt=cutoff).delete()
    return deleted
