"""The head's and the SENCo's home pages show the tiles, the gaps chart with its table and the
accountability table; school B's records never reach school A's pages; the teacher's home is as it was."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.audit.models import AuditEvent
from tests.dashboards import seed

TODAY = dt.date(2026, 12, 7)


@pytest.fixture
def seeded(world, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    seed.seed_school(world.a)
    seed.seed_school(world.b)
    return world


def _home(client, user, query: str = "") -> str:
    client.force_login(user)
    response = client.get(reverse("home") + query)
    assert response.status_code == 200
    return response.content.decode()


def _tile(html: str, key: str) -> str:
    match = re.search(
        rf'data-tile="{key}">\s*<a href="([^"]+)"><span class="glance-figure">([^<]+)</span>', html
    )
    assert match, f"no {key} tile"
    return f"{match.group(2)} -> {match.group(1)}"


@pytest.mark.parametrize("role", ["head", "senco"])
def test_it_shows_each_tile_with_its_link(client, seeded, role):
    html = _home(client, getattr(seeded.a, role))
    assert _tile(html, "flags") == f"{seed.FLAGS_WAITING} -> /progress/"
    assert _tile(html, "reviews") == f"{seed.REVIEWS_OVERDUE} -> /compliance/#overdue-heading"
    assert _tile(html, "meetings") == f"{seed.MEETINGS_DUE} -> /compliance/#due-heading"
    assert _tile(html, "logs") == f"{seed.LOGS_UNACKNOWLEDGED} -> #accountability-heading"
    assert _tile(html, "cost") == f"{seed.COST} -> /provision-map/"


@pytest.mark.parametrize("role", ["head", "senco"])
def test_it_shows_the_gaps_as_a_chart_a_table_and_a_sentence(client, seeded, role):
    html = _home(client, getattr(seeded.a, role), "?year=4")
    assert '<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg chart-line" role="img"' in html
    assert 'aria-labelledby="gap-chart-title gap-chart-desc"' in html
    assert "narrowed from 1.00 to 0.60 standard deviations since Autumn 2025/26." in html
    table = html[html.index('<table class="gap-table">') : html.index("</table>", html.index("gap-table"))]
    assert "<td>1.00</td>" in table and "<td>0.60</td>" in table
    assert '<option value="4" selected>Year 4</option>' in html  # the choice stays in the form


def test_it_keeps_inline_styles_out_of_the_page(client, seeded):
    html = _home(client, seeded.a.head)
    assert "style=" not in html and "<style" not in html
    assert not re.search(r"\son[a-z]+=", html)


def test_it_lists_teachers_of_this_school_only(client, seeded):
    html = _home(client, seeded.a.senco)
    table = html[html.index('<table class="accountability">') :]
    table = table[: table.index("</table>")]
    assert "Teacher A" in table and "Other Teacher A" in table
    assert "Teacher B" not in table


def test_it_never_counts_school_bs_records_on_school_as_page(client, world, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args: TODAY)
    seed.seed_school(world.b)
    html = _home(client, world.a.head)
    for key, url in (
        ("flags", "/progress/"),
        ("reviews", "/compliance/#overdue-heading"),
        ("logs", "#accountability-heading"),
    ):
        assert _tile(html, key) == f"0 -> {url}"
    assert _tile(html, "cost") == "£0.00 -> /provision-map/"
    assert "Sentinelb" not in html and "Teacher B" not in html
    assert "There are no progress results yet" in html


def test_it_audits_the_view_without_pupil_names(client, seeded):
    _home(client, seeded.a.senco)
    event = AuditEvent.objects.filter(action="home.view").latest("pk")
    assert "progress_gaps" in event.fields and "accountability" in event.fields


def test_it_leaves_the_teachers_home_unchanged(client, seeded):
    html = _home(client, seeded.a.teacher)
    assert "What needs attention" not in html
    assert "gap-chart" not in html
    assert "Accountability by teacher" not in html


def test_it_shows_a_plain_message_before_any_analysis(client, world):
    html = _home(client, world.a.head)
    assert "There are no progress results yet" in html
    assert "<svg" not in html
