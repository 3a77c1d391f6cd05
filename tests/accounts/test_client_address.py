"""Which address a request comes from: X-Forwarded-For is believed only from TANDEM_TRUSTED_PROXIES.

The address matters because sign-in throttling is keyed on it: a header anyone can forge must not
let a guesser spread their failures over made-up addresses, or pin them on someone else's.
"""

from __future__ import annotations

import ipaddress
import re

import pytest
from django.http import HttpResponse
from django.test import Client

from tandem.accounts import throttle
from tandem.accounts.middleware import Network, client_address
from tandem.accounts.models import FailureKey, SignInFailure
from tandem.people.models import User

LOGIN = "/accounts/login/"
PASSWORD = "a long and correct passphrase"
PROXY = "127.0.0.1"
WAIT = re.compile(r"Too many sign-in attempts from this device\. Wait (\d+) seconds")


def nets(*specs: str) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(s, strict=False) for s in specs)


# ---------------------------------------------------------------- client_address()
def test_it_ignores_a_forged_header_from_an_untrusted_peer() -> None:
    assert client_address(peer="203.0.113.7", forwarded_for="1.2.3.4", trusted=nets("127.0.0.1")) == (
        "203.0.113.7"
    )


def test_it_ignores_the_header_when_no_proxy_is_trusted() -> None:
    assert client_address(peer="127.0.0.1", forwarded_for="1.2.3.4", trusted=()) == "127.0.0.1"


def test_it_uses_the_peer_when_a_trusted_proxy_sends_no_header() -> None:
    assert client_address(peer="127.0.0.1", forwarded_for="", trusted=nets("127.0.0.1")) == "127.0.0.1"


def test_it_believes_a_trusted_proxy() -> None:
    assert client_address(peer="127.0.0.1", forwarded_for="203.0.113.7", trusted=nets("127.0.0.1")) == (
        "203.0.113.7"
    )


def test_it_takes_the_nearest_untrusted_hop_not_what_the_client_prepended() -> None:
    # The client sent "X-Forwarded-For: 198.51.100.1" hoping to be taken for it; the proxy appended
    # the address it really saw.
    assert (
        client_address(peer="127.0.0.1", forwarded_for="198.51.100.1, 203.0.113.7", trusted=nets("127.0.0.1"))
        == "203.0.113.7"
    )


def test_it_walks_back_through_a_chain_of_trusted_proxies() -> None:
    trusted = nets("127.0.0.1", "10.0.0.0/8")
    chain = "198.51.100.1, 203.0.113.7, 10.1.2.3, 10.0.0.5"
    assert client_address(peer="127.0.0.1", forwarded_for=chain, trusted=trusted) == "203.0.113.7"


def test_it_falls_back_to_the_peer_when_every_hop_is_a_trusted_proxy() -> None:
    trusted = nets("127.0.0.1", "10.0.0.0/8")
    assert client_address(peer="127.0.0.1", forwarded_for="10.0.0.9, 10.0.0.5", trusted=trusted) == (
        "127.0.0.1"
    )


@pytest.mark.parametrize(
    "header",
    ["not-an-address", "203.0.113.7, <script>", "999.1.1.1", "203.0.113.7,, ,garbage", " , ,"],
)
def test_it_never_returns_garbage_from_the_header(header: str) -> None:
    found = client_address(peer="127.0.0.1", forwarded_for=header, trusted=nets("127.0.0.1"))
    ipaddress.ip_address(found)  # raises if it is not an address
    assert found in {"127.0.0.1", "203.0.113.7"}


def test_it_skips_empty_entries_in_the_header() -> None:
    found = client_address(peer="127.0.0.1", forwarded_for="203.0.113.7, , ", trusted=nets("127.0.0.1"))
    assert found == "203.0.113.7"


def test_it_does_not_believe_a_peer_that_is_not_an_address() -> None:
    assert client_address(peer="", forwarded_for="203.0.113.7", trusted=nets("127.0.0.1")) == ""
    assert client_address(peer="proxy", forwarded_for="203.0.113.7", trusted=nets("0.0.0.0/0")) == "proxy"


def test_it_handles_ipv6_proxies_and_clients() -> None:
    trusted = nets("::1", "fd00::/8")
    assert client_address(peer="::1", forwarded_for="2001:db8::7", trusted=trusted) == "2001:db8::7"
    assert client_address(peer="fd00::1", forwarded_for="2001:DB8:0:0::7, fd12::3", trusted=trusted) == (
        "2001:db8::7"  # written the one way, so the same client always has the same throttling key
    )
    assert client_address(peer="2001:db8::9", forwarded_for="2001:db8::7", trusted=trusted) == "2001:db8::9"


def test_it_recognises_a_trusted_ipv4_proxy_seen_through_an_ipv6_socket() -> None:
    # A dual-stack listener reports an IPv4 peer as ::ffff:a.b.c.d.
    found = client_address(peer="::ffff:127.0.0.1", forwarded_for="203.0.113.7", trusted=nets("127.0.0.1"))
    assert found == "203.0.113.7"


def test_it_reads_addresses_that_a_proxy_wrote_with_a_port() -> None:
    trusted = nets("127.0.0.1", "10.0.0.0/8")
    assert client_address(peer="127.0.0.1", forwarded_for="203.0.113.7:51234", trusted=trusted) == (
        "203.0.113.7"
    )
    assert client_address(peer="127.0.0.1", forwarded_for="[2001:db8::7]:443", trusted=trusted) == (
        "2001:db8::7"
    )
    # A trusted proxy written with its port is still a trusted proxy, and is skipped.
    assert client_address(peer="127.0.0.1", forwarded_for="203.0.113.7, 10.0.0.5:443", trusted=trusted) == (
        "203.0.113.7"
    )


def test_it_matches_whole_networks() -> None:
    trusted = nets("10.0.0.0/8", "192.168.1.0/24")
    assert client_address(peer="10.200.3.4", forwarded_for="203.0.113.7", trusted=trusted) == "203.0.113.7"
    assert client_address(peer="192.168.1.77", forwarded_for="203.0.113.7", trusted=trusted) == (
        "203.0.113.7"
    )
    assert client_address(peer="192.168.2.1", forwarded_for="203.0.113.7", trusted=trusted) == ("192.168.2.1")
    # An address inside a trusted network in the header is a proxy too, so it is skipped.
    assert client_address(peer="10.0.0.1", forwarded_for="203.0.113.7, 192.168.1.5", trusted=trusted) == (
        "203.0.113.7"
    )


# ---------------------------------------------------------------- through the sign-in page
@pytest.fixture
def senco(world: object) -> User:
    user: User = world.a.senco  # type: ignore[attr-defined]
    user.set_password(PASSWORD)
    user.save()
    return user


def post(client: Client, *, email: str, password: str, peer: str, forwarded_for: str = "") -> HttpResponse:
    extra = {"REMOTE_ADDR": peer}
    if forwarded_for:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    response = client.post(LOGIN, {"login": email, "password": password}, **extra)  # type: ignore[arg-type]
    assert response.status_code != 429, "allauth's per-address sign-in limit was reached"
    return response


def refused(response: HttpResponse) -> bool:
    return WAIT.search(response.content.decode()) is not None


def failure_count(*, address: str, email: str) -> int:
    keys = throttle.keys_for(address=address, email=email)
    return SignInFailure.objects.filter(kind=FailureKey.ADDRESS_ACCOUNT, key=keys.pair).count()


def test_it_throttles_clients_behind_a_trusted_proxy_separately(
    senco: User, settings: pytest.FixtureRequest
) -> None:
    settings.TANDEM_TRUSTED_PROXIES = [PROXY]  # type: ignore[attr-defined]
    settings.TANDEM_SIGNIN_FREE_FAILURES_PER_ACCOUNT = 2  # type: ignore[attr-defined]
    guesser, owner = "203.0.113.7", "198.51.100.23"

    outcomes = [
        refused(post(Client(), email=senco.email, password=f"guess {n}", peer=PROXY, forwarded_for=guesser))
        for n in range(8)
    ]
    assert outcomes[:3] == [False] * 3
    assert any(outcomes[3:])

    # Failures were counted against the client the proxy named, not the proxy.
    assert failure_count(address=guesser, email=senco.email) == outcomes.count(False)
    assert failure_count(address=PROXY, email=senco.email) == 0

    # Another client through the same proxy is not slowed: a wrong password is heard, the right one works.
    response = post(Client(), email=senco.email, password="typo", peer=PROXY, forwarded_for=owner)
    assert not refused(response)
    assert "password you specified are not correct" in response.content.decode()
    client = Client()
    response = post(client, email=senco.email, password=PASSWORD, peer=PROXY, forwarded_for=owner)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(senco.pk)


def test_it_throttles_an_untrusted_peer_whatever_header_it_forges(
    senco: User, settings: pytest.FixtureRequest
) -> None:
    settings.TANDEM_TRUSTED_PROXIES = [PROXY]  # type: ignore[attr-defined]
    settings.TANDEM_SIGNIN_FREE_FAILURES_PER_ACCOUNT = 2  # type: ignore[attr-defined]
    peer = "192.0.2.50"

    # A new made-up address on every try, hoping each counts as a new client.
    outcomes = [
        refused(
            post(Client(), email=senco.email, password=f"guess {n}", peer=peer, forwarded_for=f"10.9.8.{n}")
        )
        for n in range(8)
    ]
    assert outcomes[:3] == [False] * 3
    assert any(outcomes[3:])
    assert failure_count(address=peer, email=senco.email) == outcomes.count(False)
    assert all(failure_count(address=f"10.9.8.{n}", email=senco.email) == 0 for n in range(8))


def test_it_does_not_let_an_untrusted_peer_pin_its_failures_on_someone_else(
    senco: User, settings: pytest.FixtureRequest
) -> None:
    settings.TANDEM_TRUSTED_PROXIES = [PROXY]  # type: ignore[attr-defined]
    settings.TANDEM_SIGNIN_FREE_FAILURES_PER_ACCOUNT = 2  # type: ignore[attr-defined]
    victim = "198.51.100.23"

    for n in range(8):
        post(Client(), email=senco.email, password=f"guess {n}", peer="192.0.2.50", forwarded_for=victim)

    # The SENCo's real address, named in every forged header, is not slowed at all.
    client = Client()
    response = post(client, email=senco.email, password=PASSWORD, peer=victim)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(senco.pk)


def test_it_reads_a_changed_proxy_setting(senco: User, settings: pytest.FixtureRequest) -> None:
    # The parsed networks are cached per setting value, so a new value takes effect at once.
    settings.TANDEM_TRUSTED_PROXIES = []  # type: ignore[attr-defined]
    post(Client(), email=senco.email, password="wrong", peer=PROXY, forwarded_for="203.0.113.7")
    assert failure_count(address=PROXY, email=senco.email) == 1

    settings.TANDEM_TRUSTED_PROXIES = ["127.0.0.0/8"]  # type: ignore[attr-defined]
    post(Client(), email=senco.email, password="wrong", peer=PROXY, forwarded_for="203.0.113.7")
    assert failure_count(address="203.0.113.7", email=senco.email) == 1
    assert failure_count(address=PROXY, email=senco.email) == 1
