"""One person takes at most TANDEM_DOWNLOADS_PER_HOUR lists of pupils' data out of Tandem an hour."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tandem.core.downloads import downloads_in_the_last_hour


def test_it_refuses_a_download_past_the_hourly_limit_and_says_until_when(client, world, settings):
    settings.TANDEM_DOWNLOADS_PER_HOUR = 2
    client.force_login(world.a.senco)
    assert client.get(reverse("export_roll")).status_code == 200
    assert client.get(reverse("export_flags") + "?format=xlsx").status_code == 200
    first = downloads_in_the_last_hour(user_id=world.a.senco.pk)[0]

    refused = client.get(reverse("export_marks"))
    assert refused.status_code == 429
    page = refused.content.decode()
    free_at = timezone.localtime(first + dt.timedelta(hours=1))
    assert "You have taken 2 lists of pupils' data out of Tandem in the last hour" in page
    assert f"You can download again from {free_at:%H:%M}." in page
    assert AuditEvent.objects.filter(
        action="export.limited", outcome="denied", actor_id=world.a.senco.pk
    ).exists()
    assert not AuditEvent.objects.filter(action="export.marks").exists()  # nothing read

    # A page that also offers a file is still a page; the limit is the person's, not the school's.
    assert client.get(reverse("provision_map")).status_code == 200
    assert client.get(reverse("provision_map") + "?format=csv").status_code == 429
    client.force_login(world.a.head)
    assert client.get(reverse("export_roll")).status_code == 200


def test_it_counts_only_the_last_hour_and_only_files(client, world):
    client.force_login(world.a.senco)
    client.get(reverse("export_roll"))
    client.get(reverse("provision_map"))  # the page, not a file
    user = world.a.senco.pk
    assert len(downloads_in_the_last_hour(user_id=user)) == 1
    later = timezone.now() + dt.timedelta(minutes=61)
    assert downloads_in_the_last_hour(user_id=user, now=later) == []
