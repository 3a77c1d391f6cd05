"""`tandem sso add | list | disable`: a school's (or trust's) single sign-on, set up by its IT lead.

The client secret is read from an environment variable named on the command line, never from the
command line itself, so it stays out of shell history and process listings.
"""

from __future__ import annotations

import ipaddress
import os
import re
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse

from tandem.accounts.models import SchoolSignIn, SignInProviderKind
from tandem.accounts.services import SignInSpec, school_sign_in_add, school_sign_in_disable
from tandem.accounts.sso import issuer_for
from tandem.schools.models import School, Trust

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_ENV_NAME_CONVENTIONAL = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
# Consumer Google accounts carry no `hd` claim, so a set-up pinned to these would refuse everyone.
_CONSUMER_GOOGLE = frozenset({"gmail.com", "googlemail.com"})
_LOOPBACK_NAMES = frozenset({"localhost"})


def _is_loopback(host: str) -> bool:
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _tenant(kind: str, tenant: str) -> str:
    value = tenant.strip().lower()
    if kind == SignInProviderKind.ENTRA:
        if not value:
            raise CommandError(
                "Microsoft Entra ID needs --tenant: the Directory (tenant) ID from the Entra admin centre "
                "(Overview page), e.g. 0f0e0d0c-1b2a-4c3d-9e8f-7a6b5c4d3e2f."
            )
        if not _GUID.match(value):
            # Every Entra ID token names its tenant by this id (`tid`), never by a domain, so a
            # domain here would refuse every sign-in.
            raise CommandError(
                f"{tenant!r} is not a Directory (tenant) ID. Give the ID from the Entra admin centre "
                "(Overview page), e.g. 0f0e0d0c-1b2a-4c3d-9e8f-7a6b5c4d3e2f, not a domain name."
            )
        return value
    if kind == SignInProviderKind.GOOGLE:
        if not value:
            raise CommandError(
                "Google Workspace needs --tenant: the school's Workspace domain, e.g. alder.sch.uk."
            )
        if value in _CONSUMER_GOOGLE:
            raise CommandError(
                f"{value} is for personal Google accounts. Give the school's own Workspace domain, "
                "e.g. alder.sch.uk."
            )
        if not _DOMAIN.match(value):
            raise CommandError(
                f"{tenant!r} is not a domain name. Give the Workspace domain, e.g. alder.sch.uk."
            )
        return value
    if value:
        raise CommandError(
            "--tenant is only for Entra ID (tenant ID) and Google Workspace (domain); "
            "for another provider give --issuer."
        )
    return ""


def _issuer(kind: str, issuer: str) -> str:
    value = issuer.strip()
    if kind != SignInProviderKind.OIDC:
        if value:
            raise CommandError(
                "--issuer is only for --kind oidc: Tandem knows the issuer for "
                f"{SignInProviderKind(kind).label}."
            )
        return ""
    if not value:
        raise CommandError(
            "--kind oidc needs --issuer: the provider's issuer URL, e.g. https://id.alder.sch.uk."
        )
    parts = urlsplit(value)
    host = parts.hostname or ""
    if parts.query or parts.fragment or parts.username or parts.password or not host:
        raise CommandError(
            f"{value!r} is not an issuer URL. Give it as https://host/path, e.g. https://id.alder.sch.uk."
        )
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(host)):
        return value.rstrip("/")
    raise CommandError(
        f"The issuer must use https (only a provider on this computer, such as http://127.0.0.1, may use "
        f"http): {value!r}."
    )


def _secret(variable: str) -> str:
    if not _ENV_NAME.match(variable):
        raise CommandError(
            "--client-secret-env takes the name of an environment variable (e.g. ALDER_SSO_SECRET), "
            "not the secret itself."
        )
    secret = os.environ.get(variable, "").strip()
    if not secret:
        # Echo the name only when it looks like one: a pasted secret must not be printed back.
        name = variable if _ENV_NAME_CONVENTIONAL.match(variable) else "VAR"
        raise CommandError(
            f"The environment variable {name} is not set or is empty. Set it to the client secret, "
            f"e.g. read -rs {name} && export {name}, then run this again."
        )
    if len(secret) > SchoolSignIn._meta.get_field("client_secret").max_length:  # type: ignore[operator]
        raise CommandError(f"The client secret in {variable} is too long (at most 500 characters).")
    return secret


def _place(options: dict[str, Any]) -> tuple[School | None, Trust | None]:
    if options["school"]:
        school = School.objects.filter(urn=options["school"].strip()).first()
        if school is None:
            raise CommandError(
                f"No school with URN {options['school']}. `tandem sso list` shows the set-ups."
            )
        return school, None
    trust = Trust.objects.filter(name=options["trust"].strip()).first()
    if trust is None:
        raise CommandError(f"No trust called {options['trust']!r}. Check the spelling.")
    return None, trust


def sign_in_spec(options: dict[str, Any]) -> SignInSpec:
    """Check every option before anything is written; CommandError says what to fix."""
    kind = options["kind"]
    school, trust = _place(options)
    tenant = _tenant(kind, options["tenant"] or "")
    issuer = _issuer(kind, options["issuer"] or "")
    client_id = options["client_id"].strip()
    if not client_id or len(client_id) > 200:
        raise CommandError(
            "Give --client-id: the application (client) ID from the provider, at most 200 characters."
        )
    label = (options["label"] or "").strip()
    if len(label) > 100:
        raise CommandError("--label must be at most 100 characters.")
    clash = SchoolSignIn.objects.filter(is_active=True, client_id=client_id).first()
    if clash is not None:
        raise CommandError(
            f"Set-up {clash.pk} already uses this client ID. "
            f"Disable it first (tandem sso disable {clash.pk})."
        )
    return SignInSpec(
        school=school,
        trust=trust,
        kind=kind,
        tenant=tenant,
        client_id=client_id,
        client_secret=_secret(options["client_secret_env"]),
        issuer=issuer,
        label=label,
    )


def _redirect_uri(sign_in: SchoolSignIn) -> str:
    path = reverse("openid_connect_callback", kwargs={"provider_id": sign_in.provider_id})
    return settings.TANDEM_BASE_URL.rstrip("/") + path


class Command(BaseCommand):
    help = (
        "Set up single sign-on for a school or trust (Microsoft Entra ID, Google Workspace or another "
        "OpenID Connect provider), list the set-ups, or switch one off. SSO signs in invited staff only."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{add,list,disable}")

        add = actions.add_parser("add", help="add a sign-in set-up", description="Add a sign-in set-up.")
        place = add.add_mutually_exclusive_group(required=True)
        place.add_argument("--school", metavar="URN", help="The school's URN.")
        place.add_argument("--trust", metavar="NAME", help="The trust's name (covers all its schools).")
        add.add_argument("--kind", required=True, choices=SignInProviderKind.values, help="The provider.")
        add.add_argument(
            "--tenant",
            help="Entra ID: the Directory (tenant) ID. Google Workspace: the school's domain.",
        )
        add.add_argument("--client-id", required=True, help="The application (client) ID from the provider.")
        add.add_argument(
            "--client-secret-env",
            required=True,
            metavar="VAR",
            help="The NAME of an environment variable holding the client secret (never the secret itself).",
        )
        add.add_argument("--issuer", metavar="URL", help="Only for --kind oidc: the provider's issuer URL.")
        add.add_argument("--label", metavar="TEXT", help="The sign-in button's text (optional).")

        actions.add_parser(
            "list", help="list the set-ups (secrets are never shown)", description="List set-ups."
        )

        disable = actions.add_parser(
            "disable", help="switch a set-up off", description="Switch a set-up off."
        )
        disable.add_argument("id", type=int, help="The set-up's id, from `tandem sso list`.")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "add":
            self._add(options)
        elif action == "list":
            self._list()
        else:
            self._disable(options["id"])

    def _add(self, options: dict[str, Any]) -> None:
        spec = sign_in_spec(options)
        try:
            sign_in = school_sign_in_add(spec=spec)
        except ValidationError as error:
            raise CommandError("Nothing was saved: " + "; ".join(error.messages)) from error
        self.stdout.write(self.style.SUCCESS(f"Added set-up {sign_in.pk}: {sign_in}."))
        self.stdout.write(f"Issuer: {issuer_for(sign_in)}")
        self.stdout.write(f"Register this redirect URI with the provider: {_redirect_uri(sign_in)}")
        self.stdout.write("Only people invited to Tandem (or already on its Staff page) can sign in with it.")

    def _list(self) -> None:
        sign_ins = SchoolSignIn.objects.select_related("school", "trust")
        if not sign_ins.exists():
            self.stdout.write("No sign-in set-ups yet. Add one with `tandem sso add`.")
            return
        for sign_in in sign_ins:
            place = f"school {sign_in.school.urn}" if sign_in.school else f"trust {sign_in.trust}"
            pinned = f" tenant={sign_in.tenant}" if sign_in.tenant else ""
            state = "on" if sign_in.is_active else "off"
            self.stdout.write(
                f"{sign_in.pk}  {state:3}  {sign_in.kind:6}  {place}{pinned}  issuer={issuer_for(sign_in)}  "
                f"client_id={sign_in.client_id}"
                + (f"  label={sign_in.button_label!r}" if sign_in.button_label else "")
            )

    def _disable(self, sign_in_id: int) -> None:
        current = SchoolSignIn.objects.filter(pk=sign_in_id).first()
        if current is None:
            raise CommandError(f"No sign-in set-up with id {sign_in_id}. `tandem sso list` shows them.")
        if not current.is_active:
            self.stdout.write(f"Set-up {sign_in_id} is already off; nothing changed.")
            return
        sign_in = school_sign_in_disable(sign_in_id=sign_in_id)
        self.stdout.write(
            self.style.SUCCESS(
                f"Switched off set-up {sign_in.pk}: its sign-in button has gone from the sign-in page."
            )
        )
