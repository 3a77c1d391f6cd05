"""The trust view: the trust's schools side by side, each figure opening the school's page."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.exchange.exports import flags_table, register_table, roll_table
from tandem.people.forms import PupilFilterForm
from tandem.plans.to_do import to_do
from tandem.provision.models import StaffRate
from tandem.schools.selectors import trust_school_detail, trust_schools_compared
from tests import factories as f


@pytest.fixture
def seeded(world):
    """School A and a second school C in the Alder trust, and school B (another trust) with records of every
    kind, so any figure of B's that leaked into A's trust would show."""
    today = timezone.localdate()
    a = world.a
    school_c = f.make_school(name="School C", trust=a.school.trust)
    c_pupils = [f.make_pupil(school=school_c, forename="Sam", surname=f"Sentinelc{i}") for i in range(4)]
    f.set_sen_status(pupil=c_pupils[0], provision="E", need_codes=["SEMH"])
    f.make_pupil(school=school_c, forename="Gone", surname="Sentinelcleft", left_on=today)
    for place in (a, world.b):
        window = f.make_window(school=place.school, start_year=2025, term="summer")
        f.make_progress_run(
            school=place.school,
            results=[
                {"pupil": p, "subject_id": subject, "window": window, "flagged": True, "is_current": True}
                for p in (place.taught_pupil, place.ehc_pupil)
                for subject in ("maths", "reading")
            ],
        )
        f.make_plan(place.taught_pupil, review_on=today - dt.timedelta(days=5))
        f.make_meeting(place.untaught_pupil, next_meeting_on=today + dt.timedelta(days=3))
        StaffRate.objects.create(school=place.school, staff_type="ta", hourly_rate=Decimal("20.00"))
        group = f.make_intervention_group(deliverer=place.ta)
        f.make_placement(group=group, pupil=place.taught_pupil)
        f.make_placement(
            group=group,
            pupil=place.ehc_pupil,
            ends_on=today,
            exit_score=92.0,
            exit_on=today,
        )
    return school_c


def _row(compared, name):
    return next(row for row in compared.schools if row.name == name)


def test_it_counts_each_schools_figures_for_a_two_school_trust(world, seeded):
    compared = trust_schools_compared(actor=actor_for(world.trust_lead))

    assert [row.name for row in compared.schools] == ["School A", "School C"]
    a, c = _row(compared, "School A"), _row(compared, "School C")
    assert (a.on_roll, a.sen_support, a.ehc_plan) == (3, 2, 1)
    assert (c.on_roll, c.sen_support, c.ehc_plan) == (4, 0, 1)  # the leaver is not on roll
    assert round(c.on_register_percent, 1) == 25.0
    assert {n.code: n.pupils for n in a.main_needs} == {"ASD": 1, "SLCN": 1, "SPLD": 1}
    assert (a.flagged, a.analysed) == (2, True)  # two pupils, each flagged in two subjects
    assert (c.flagged, c.analysed) == (0, False)
    assert (a.reviews_overdue, a.meetings_due) == (1, 1)
    # A place costs 20 minutes x 30 sessions at £20 an hour, shared by a group of 4: £50.
    assert (a.placements, a.provision_cost, a.costs_missing) == (2, Decimal("100.00"), False)
    assert a.finished_measured == 1
    assert compared.totals.on_roll == 7
    assert compared.totals.ehc_plan == 2
    assert compared.totals.cost_label == "£100.00"
    assert compared.pupil_level is True


def test_it_never_shows_another_trusts_schools_or_their_figures(client, world, seeded):
    client.force_login(world.trust_lead)
    for url in (reverse("trust"), reverse("home")):
        page = client.get(url).content.decode()
        assert "School A" in page and "School C" in page
        assert "School B" not in page
        assert "Sentinelb" not in page
        # School B has the same records as A: had they been counted, the trust's totals would be larger.
        assert "£100.00" in page and "£200.00" not in page


def test_it_shows_a_school_column_per_figure_and_the_totals_row(client, world, seeded):
    client.force_login(world.trust_lead)
    page = client.get(reverse("trust")).content.decode()
    assert '<th scope="col">School</th>' in page
    assert '<th scope="row">All schools</th>' in page
    assert "Not analysed yet" in page  # school C has no analysis: no "0 flagged" that looks like good news


def _links(page: str, prefix: str) -> set[str]:
    return {href.split("#")[0] for href in re.findall(r'href="([^"]+)"', page) if href.startswith(prefix)}


def test_it_links_every_figure_to_a_page_the_trust_lead_may_open(client, world, seeded):
    client.force_login(world.trust_lead)
    page = client.get(reverse("trust")).content.decode()
    schools = _links(page, "/trust/schools/")
    assert schools == {
        reverse("trust_school", args=[world.a.school.pk]),
        reverse("trust_school", args=[seeded.pk]),
    }
    school_page = client.get(reverse("trust_school", args=[world.a.school.pk]))
    assert school_page.status_code == 200
    detail = school_page.content.decode()
    onward = _links(detail, "/pupils/") | _links(detail, "/plans/") | _links(detail, "/interventions/")
    assert reverse("pupil_detail", args=[world.a.taught_pupil.pk]) in onward
    assert reverse("pupil_timeline", args=[world.a.untaught_pupil.pk]) in onward
    assert any(link.startswith("/plans/") for link in onward)
    assert any(link.startswith("/interventions/") for link in onward)
    for link in onward:
        assert client.get(link).status_code == 200, link


def test_it_answers_404_for_another_trusts_school(client, world, seeded):
    client.force_login(world.trust_lead)
    assert client.get(reverse("trust_school", args=[world.b.school.pk])).status_code == 404
    assert AuditEvent.objects.filter(
        action="trust_overview.view", target_id=str(world.b.school.pk), outcome="denied"
    ).exists()


def test_it_lists_the_pupils_behind_school_as_figures_for_the_trust_lead(world, seeded):
    detail = trust_school_detail(actor=actor_for(world.trust_lead), school_id=world.a.school.pk)
    assert {r.pupil_id for r in detail.flags} == {world.a.taught_pupil.pk, world.a.ehc_pupil.pk}
    assert [p.pupil_id for p in detail.reviews_overdue] == [world.a.taught_pupil.pk]
    assert [p.pk for p in detail.meetings_due] == [world.a.untaught_pupil.pk]
    assert [line.places for line in detail.provision] == [2]


def test_it_gives_the_trust_admin_figures_and_no_pupil(client, world, seeded):
    client.force_login(world.trust_admin)
    page = client.get(reverse("trust")).content.decode()
    assert "Your role sees figures, never a pupil" in page
    school_page = client.get(reverse("trust_school", args=[world.a.school.pk]))
    assert school_page.status_code == 200
    text = school_page.content.decode()
    assert "Sentinela" not in text
    assert "/pupils/" not in text and "/plans/" not in text
    assert "Support plan reviews overdue (1)" in text


def test_it_records_a_view_of_the_trust_page_and_each_school_page(client, world, seeded):
    client.force_login(world.trust_lead)
    client.get(reverse("trust"))
    client.get(reverse("trust_school", args=[seeded.pk]))
    assert AuditEvent.objects.filter(action="trust.view", target_type="trust").count() == 1
    assert AuditEvent.objects.filter(action="trust_school.view", target_id=str(seeded.pk)).count() == 1


def test_it_offers_only_the_year_groups_the_trusts_schools_have(world, seeded):
    form = PupilFilterForm(actor=actor_for(world.trust_lead))
    choices = form.fields["year"].choices  # type: ignore[attr-defined]
    assert choices[1] == (0, "Reception")
    assert [label for _, label in choices][-1] == "Year 6"  # primary schools only: no Year 7 or Nursery


def test_it_never_asks_the_trust_lead_to_read_passports(world):
    passport = f.make_passport(world.a.taught_pupil)
    # The pupil's teacher is asked to read it; the trust lead, who may open every passport, is not.
    assert [p.pk for p in to_do(actor=actor_for(world.a.teacher)).passports_unread] == [passport.pk]
    assert to_do(actor=actor_for(world.trust_lead)).passports_unread == []


def test_it_adds_a_school_column_to_the_trust_leads_lists(client, world, seeded):
    client.force_login(world.trust_lead)
    school_header = re.compile(r'<th scope="col"( aria-sort="\w+")?>(<a [^>]*>)?School\b')
    for name in ("progress_list", "register", "pupil_list", "group_list"):
        page = client.get(reverse(name)).content.decode()
        assert school_header.search(page), name
        assert "<td>School A</td>" in page, name
    client.force_login(world.a.senco)
    assert not school_header.search(client.get(reverse("progress_list")).content.decode())


def test_it_ends_the_trust_leads_downloads_with_a_school_column(world, seeded):
    lead, senco = actor_for(world.trust_lead), actor_for(world.a.senco)
    for table in (roll_table, register_table, flags_table):
        mine = table(actor=lead)
        assert mine.headers[-1] == "School"
        # School C has pupils on roll and on the register, but no analysis yet, so no flags.
        expected = {"School A"} if table is flags_table else {"School A", "School C"}
        assert {row[-1] for row in mine.rows} == expected
        assert "School" not in table(actor=senco).headers
