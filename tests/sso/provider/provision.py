"""Create or update users and clients in the test provider's database.

Runs as its own process because the test process has the app's Django settings loaded and cannot
also load the provider's models. Reads one JSON document on stdin:

    {"users": [{"username", "email", "password", "first_name", "last_name"}],
     "clients": [{"client_id", "client_secret", "redirect_uris": [...]}]}

    python -m tests.sso.provider.provision --db /tmp/provider.sqlite3 < spec.json
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any


def _provision_users(users: list[dict[str, str]]) -> None:
    from django.contrib.auth.models import User

    for spec in users:
        # Upsert, so a test can re-add a user the shared provider already knows.
        user, _ = User.objects.get_or_create(username=spec["username"])
        user.email = spec["email"]
        user.first_name = spec.get("first_name", "")
        user.last_name = spec.get("last_name", "")
        user.is_active = True
        user.set_password(spec["password"])
        user.save()


def _provision_clients(clients: list[dict[str, Any]]) -> None:
    from oauth2_provider.models import Application  # type: ignore[import-untyped]

    for spec in clients:
        app = Application.objects.filter(client_id=spec["client_id"]).first() or Application(
            client_id=spec["client_id"]
        )
        app.name = spec.get("name") or spec["client_id"]
        # Plain text here; the model hashes it on save.
        app.client_secret = spec["client_secret"]
        app.hash_client_secret = True
        app.client_type = Application.CLIENT_CONFIDENTIAL
        app.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
        app.algorithm = Application.RS256_ALGORITHM
        app.skip_authorization = True
        app.redirect_uris = " ".join(spec["redirect_uris"])
        app.save()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True, help="path of the provider's SQLite database")
    args = parser.parse_args(argv)
    spec = json.load(sys.stdin)

    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.sso.provider.settings"
    os.environ["TANDEM_TEST_OIDC_DB"] = args.db
    import django

    django.setup()
    from django.db import transaction

    with transaction.atomic():
        _provision_users(spec.get("users", []))
        _provision_clients(spec.get("clients", []))


if __name__ == "__main__":
    main()
