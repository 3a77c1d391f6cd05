"""Django's `createsuperuser`, with the password rules applied in --noinput mode too.

Django checks a typed password against AUTH_PASSWORD_VALIDATORS but takes DJANGO_SUPERUSER_PASSWORD
as it is; a maintenance account for /admin/ must meet the same rules as everyone's.
"""

from __future__ import annotations

import os
from typing import Any

from django.contrib.auth import password_validation
from django.contrib.auth.management.commands import createsuperuser
from django.core.exceptions import ValidationError
from django.core.management.base import CommandError


class Command(createsuperuser.Command):
    def handle(self, *args: Any, **options: Any) -> None:
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD")
        if not options.get("interactive", True) and password is not None:
            try:
                password_validation.validate_password(password)
            except ValidationError as error:
                raise CommandError("Nothing was saved: " + " ".join(error.messages)) from error
        super().handle(*args, **options)
