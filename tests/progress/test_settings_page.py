"""A school's and a trust's own settings for the 6.17 engine: stored, inherited, used by the next run."""

from __future__ import annotations

from django.urls import reverse

from tandem.audit.models import AuditEvent
from tandem.progress.models import AnalysisRun, ProgressSettingsRecord
from tandem.progress.selectors import progress_settings_for
from tandem.progress.services import analysis_run_create
from tandem.progress.settings import EDITABLE_SETTINGS, ProgressSettings
from tests.once import with_form_token

DEFAULTS = ProgressSettings()


def _form(**changes: object) -> dict[str, object]:
    values = {name: getattr(DEFAULTS, name) for name in EDITABLE_SETTINGS}
    values.update(changes)
    return {k: ("" if v is None else ("on" if v is True else v)) for k, v in values.items() if v is not False}


def test_it_shows_every_setting_with_its_reason(client, world):
    client.force_login(world.a.head)
    page = client.get(reverse("progress_settings")).content.decode()
    assert "Jacobson" in page and "lowest-attaining 20%" in page
    assert "growth_threshold" in page and "Tandem default" in page


def test_it_stores_only_what_the_school_changed_and_the_next_run_uses_it(client, world):
    client.force_login(world.a.senco)
    response = client.post(
        reverse("progress_settings"), with_form_token(_form(growth_threshold=35), world.a.senco)
    )
    assert response.status_code == 302
    record = ProgressSettingsRecord.objects.get(school=world.a.school)
    assert record.values == {"growth_threshold": 35}
    assert AuditEvent.objects.filter(action="progress_settings.update").count() == 1
    run = analysis_run_create(actor=None, school=world.a.school)
    assert AnalysisRun.objects.get(pk=run.pk).settings["growth_threshold"] == 35


def test_it_lets_a_school_follow_its_trust_unless_it_changed_a_setting(client, world):
    client.force_login(world.trust_lead)
    client.post(
        reverse("progress_settings"),
        with_form_token(_form(growth_threshold=30, behind_gap_z=-0.5), world.trust_lead),
    )
    assert ProgressSettingsRecord.objects.get(trust=world.a.school.trust).values == {
        "growth_threshold": 30,
        "behind_gap_z": -0.5,
    }
    client.force_login(world.a.senco)
    client.post(
        reverse("progress_settings"),
        with_form_token(_form(growth_threshold=25, behind_gap_z=-0.5), world.a.senco),
    )
    effective = progress_settings_for(school=world.a.school)
    assert effective.settings.growth_threshold == 25 and effective.settings.behind_gap_z == -0.5
    sources = {row.name: row.source for row in effective.rows}
    assert sources["growth_threshold"] == "school" and sources["behind_gap_z"] == "trust"
    assert sources["rci_z"] == "Tandem default"
    # School B is in another trust: none of this applies to it.
    assert progress_settings_for(school=world.b.school).settings == DEFAULTS


def test_it_refuses_bad_values_and_keeps_the_old_ones(client, world):
    client.force_login(world.a.senco)
    response = client.post(
        reverse("progress_settings"), with_form_token(_form(growth_threshold=120), world.a.senco)
    )
    assert response.status_code == 400
    assert not ProgressSettingsRecord.objects.exists()
