"""A subject access export for a demo pupil holds every record about them, JSON and PDF, and no other pupil's
name; every model that refers to a pupil has its section, so a new one cannot be forgotten."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import pytest
from django.apps import apps
from django.db.models import ForeignKey, OneToOneField
from pypdf import PdfReader

from tandem.audit.models import AuditEvent
from tandem.demo.loader import load_demo
from tandem.people.models import Membership, Pupil
from tandem.plans.models import SupportPlan
from tandem.provision.models import Placement
from tandem.register.models import SenStatusPeriod
from tandem.subject_access.export import SECTIONS, archive, subject_access_data
from tests import factories as f

pytestmark = pytest.mark.django_db


def _models_referring_to_pupils() -> set[str]:
    return {
        model._meta.label
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, ForeignKey | OneToOneField) and field.related_model is Pupil
    }


def test_it_has_a_section_for_every_model_that_refers_to_a_pupil():
    missing = _models_referring_to_pupils() - set(SECTIONS)
    assert missing == set(), f"Add these to tandem.subject_access.export.SECTIONS: {sorted(missing)}"


def _demo_pupil() -> Pupil:
    """A demo pupil with the graduated approach (a plan), an intervention and an EHC plan period."""
    load_demo(seed=5, as_of=dt.date(2026, 11, 23), schools=1, pupils_per_school=220)
    planned = SupportPlan.objects.values("pupil_id")
    placed = Placement.objects.values("pupil_id")
    ehc = SenStatusPeriod.objects.filter(provision="E").values("pupil_id")
    pupil = Pupil.objects.filter(pk__in=planned).filter(pk__in=placed).filter(pk__in=ehc).first()
    if pupil is None:  # the demo's draws gave nobody all three: give the first EHC pupil the rest
        pupil = Pupil.objects.filter(pk__in=ehc).first()
        assert pupil is not None
        if not SupportPlan.objects.filter(pupil=pupil).exists():
            f.make_plan(pupil)
        if not Placement.objects.filter(pupil=pupil).exists():
            ta = Membership.objects.filter(school=pupil.school, role="teaching_assistant").first()
            assert ta is not None
            f.make_placement(group=f.make_intervention_group(deliverer=ta.user), pupil=pupil)
    return pupil


def test_it_exports_every_record_about_a_demo_pupil_and_no_other_pupils_name():
    pupil = _demo_pupil()
    # A session log of the pupil's intervention group that names a groupmate, and a concern naming another.
    placement = Placement.objects.filter(pupil=pupil).select_related("group").first()
    assert placement is not None
    mate = Pupil.objects.filter(school=pupil.school).exclude(pk=pupil.pk).first()
    assert mate is not None
    f.make_placement(group=placement.group, pupil=mate)
    f.make_session_log(
        group=placement.group,
        held_on=dt.date(2026, 11, 22),
        note=f"{mate.legal_forename} and {pupil.legal_forename} read together; {mate.legal_forename} "
        f"{mate.legal_surname} helped.",
    )
    f.make_concern(pupil, observed=f"Upset after {mate.legal_forename} {mate.legal_surname} took his book.")

    data = subject_access_data(pupil)
    content = archive(data)

    by_key = {section["key"]: section for section in data["sections"]}
    assert set(by_key) == set(SECTIONS)
    for key, section in SECTIONS.items():
        expected = {str(record.pk) for record in section.records(pupil)}
        assert {str(r["id"]) for r in by_key[key]["records"]} == expected, key
    for key in (
        "plans.SupportPlan",
        "provision.Placement",
        "register.SenStatusPeriod",
        "provision.SessionLog",
    ):
        assert by_key[key]["records"], f"the demo pupil has no {key}"
    assert any(r["provision"] == "E" for r in by_key["register.SenStatusPeriod"]["records"])
    assert data["subject"]["upn"] == pupil.upn

    zipped = zipfile.ZipFile(io.BytesIO(content))
    assert set(zipped.namelist()) == {"subject-access.json", "subject-access.pdf", "README.txt"}
    text = zipped.read("subject-access.json").decode()
    assert json.loads(text)["schema"] == "tandem-subject-access/1"
    pdf_text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(zipped.read("subject-access.pdf"))).pages
    )
    assert pupil.legal_surname in pdf_text
    others = Pupil.objects.filter(school=pupil.school).exclude(pk=pupil.pk)
    for other in others:
        names = {
            f"{first} {other.legal_surname}"
            for first in (other.legal_forename, other.preferred_forename)
            if first
        }
        for name in names:
            assert name not in text and name not in pdf_text
    # The groupmate's first name goes from the shared log, not from the pupil's own name.
    log = next(r for r in by_key["provision.SessionLog"]["records"] if r["held_on"] == "2026-11-22")
    assert mate.legal_forename not in log["note"] and pupil.legal_forename in log["note"]


def test_it_includes_who_viewed_or_changed_the_pupils_record(world):
    pupil = world.a.taught_pupil
    from tandem.access.actor import actor_for
    from tandem.audit.services import audit_record

    audit_record(
        actor=actor_for(world.a.teacher), action="sen_record.view", target_type="pupil", target_id=pupil.pk
    )
    audit_record(
        actor=actor_for(world.a.teacher),
        action="sen_record.view",
        target_type="pupil",
        target_id=world.a.ehc_pupil.pk,
    )

    events = next(s for s in subject_access_data(pupil)["sections"] if s["key"] == "audit.AuditEvent")[
        "records"
    ]

    assert [e["target_id"] for e in events] == [str(pupil.pk)]
    assert AuditEvent.objects.filter(action="sen_record.view").count() == 2
