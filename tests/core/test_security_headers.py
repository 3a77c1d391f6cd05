"""Every page and download: a Content-Security-Policy with no inline code, a Permissions-Policy, and no
copy kept by a browser's cache or a proxy. (tests/access/test_policy_urls.py checks every page of the
access matrix; tests/browser/conftest.py fails a browser test if the policy refuses anything.)"""

from __future__ import annotations

from django.templatetags.static import static
from django.urls import reverse

from tandem.core.middleware import CONTENT_SECURITY_POLICY


def test_it_keeps_downloads_of_pupils_data_out_of_every_cache(client, world):
    client.force_login(world.a.senco)
    response = client.get(reverse("export_roll"))
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Cache-Control"] == "private, no-store"
    assert response["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_it_allows_scripts_and_styles_only_from_tandems_own_files(client, db):
    policy = client.get(reverse("account_login"))["Content-Security-Policy"]
    directives = dict(d.split(" ", 1) for d in policy.split("; "))
    assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
    assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
    assert "unsafe" not in policy


def test_it_lets_static_files_be_cached(client, db):
    response = client.get(static("tandem/poll.js"))
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
