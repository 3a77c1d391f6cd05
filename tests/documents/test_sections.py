"""The governors' report's one figure no page shows: the register at the end of past terms, from the dated
status periods and needs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.documents.content import Audience
from tandem.documents.drafting import Drafting
from tandem.documents.governors import register_on, register_section
from tandem.lib.terms import term_containing, terms_up_to
from tests import factories as f

pytestmark = pytest.mark.django_db


def _ctx(world) -> Drafting:
    today = timezone.localdate()
    term = term_containing(today)
    return Drafting(
        actor=actor_for(world.a.senco),
        school=world.a.school,
        period_start=term.starts_on,
        period_end=term.ends_on,
        audience=Audience.INTERNAL,
        today=today,
    )


def test_it_counts_last_terms_register_from_the_dated_records(world):
    ctx = _ctx(world)
    this_term = term_containing(ctx.today)
    last_day = this_term.starts_on - dt.timedelta(days=1)
    before = register_on(ctx, last_day)
    newcomer = f.make_pupil(school=world.a.school, forename="Noor", surname="Sentinelanew")
    f.set_sen_status(pupil=newcomer, provision="K", need_codes=["SLCN"], since=this_term.starts_on)
    leaver = f.make_pupil(
        school=world.a.school, forename="Otis", surname="Sentinelagone", left_on=this_term.starts_on
    )
    f.set_sen_status(pupil=leaver, provision="E", need_codes=["HI"], since=dt.date(2020, 9, 1))
    elsewhere = f.make_pupil(school=world.b.school, forename="Ezra", surname="Sentinelbelse")
    f.set_sen_status(pupil=elsewhere, provision="E", need_codes=["HI"], since=dt.date(2020, 9, 1))
    after = register_on(ctx, last_day)
    # No joining date is kept, so the newcomer counts as on roll, but not on the register before it began.
    assert after.on_roll == before.on_roll + 2
    assert after.sen_support == before.sen_support
    assert after.ehc_plan == before.ehc_plan + 1
    sensory = "Sensory and/or physical"
    assert after.by_area.get(sensory, 0) == before.by_area.get(sensory, 0) + 1


def test_it_shows_three_terms_ending_with_todays_register(world):
    section = register_section(_ctx(world))
    _, trend, _ = section.tables
    assert [row[0].split(" (")[0] for row in trend.rows] == [
        t.label for t in terms_up_to(_ctx(world).period_end, 3)
    ]
    # School A today: the taught and untaught pupils on SEN support, one EHC plan; School B never counts.
    assert trend.rows[-1][2:5] == ("2", "1", "3")
    assert dict(section.lines)["EHC plans"] == "1 (33.3%)"
