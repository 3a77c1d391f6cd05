"""Recording a pupil's own views: who may, what is refused (with nothing saved), and the audit event."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404
from django.utils import timezone

from tandem.access.actor import actor_for
from tandem.audit.models import AuditEvent
from tandem.lib.about_me import NOTHING_ANSWERED
from tandem.pupil_voice.models import AboutMe, HowRecorded
from tandem.pupil_voice.selectors import about_me_latest, about_me_list
from tandem.pupil_voice.services import CHOOSE_HOW, about_me_record
from tests.pupil_voice.makers import make_about_me

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _record(user, pupil, **fields):
    values = {"how_recorded": HowRecorded.SAID, "recorded_on": TODAY, "good_at": "Drawing.", **fields}
    return about_me_record(actor=actor_for(user), pupil=pupil, **values)


def test_it_records_the_answers_with_the_adult_who_helped_and_audits_the_field_names(world):
    about = _record(
        world.a.ta, world.a.taught_pupil, good_at="  Lego  ", what_is_hard="Noise at lunch.", what_helps=""
    )
    assert (about.good_at, about.what_helps, about.what_is_hard) == ("Lego", "", "Noise at lunch.")
    assert about.recorded_with == world.a.ta
    assert about.school_id == world.a.school.pk
    event = AuditEvent.objects.get(action="about_me.record")
    assert (event.target_type, event.target_id) == ("about_me", str(about.pk))
    assert event.actor_id == world.a.ta.pk
    # Names of the fields written, never the words.
    assert event.fields == sorted(["good_at", "what_is_hard", "how_recorded", "recorded_on"])
    assert "Lego" not in str(event.__dict__)


@pytest.mark.parametrize("persona", ["teacher", "ta", "senco"])
def test_it_lets_each_adult_who_works_with_the_pupil_record_their_views(world, persona):
    _record(getattr(world.a, persona), world.a.taught_pupil)
    assert AboutMe.objects.count() == 1


def test_it_refuses_when_nothing_is_answered(world):
    with pytest.raises(ValidationError) as error:
        _record(world.a.teacher, world.a.taught_pupil, good_at="   ", what_i_want="")
    assert error.value.message_dict[NON_FIELD_ERRORS] == [NOTHING_ANSWERED]
    assert not AboutMe.objects.exists()
    assert not AuditEvent.objects.filter(action="about_me.record").exists()


def test_it_refuses_an_answer_that_is_too_long_and_says_which(world):
    with pytest.raises(ValidationError) as error:
        _record(world.a.teacher, world.a.taught_pupil, what_i_want="x" * 1001)
    assert error.value.message_dict == {
        "what_i_want": ["Keep this to 1,000 characters or fewer (it has 1,001)."]
    }
    assert not AboutMe.objects.exists()


def test_it_refuses_an_unknown_way_of_recording_and_a_date_to_come(world):
    with pytest.raises(ValidationError) as error:
        _record(
            world.a.teacher,
            world.a.taught_pupil,
            how_recorded="telepathy",
            recorded_on=TODAY + dt.timedelta(days=1),
        )
    assert error.value.message_dict["how_recorded"] == [CHOOSE_HOW]
    assert "recorded_on" in error.value.message_dict
    assert not AboutMe.objects.exists()


def test_it_answers_404_for_another_schools_pupil(world):
    with pytest.raises(Http404):
        _record(world.a.senco, world.b.taught_pupil)
    assert not AboutMe.objects.exists()


def test_it_answers_404_to_a_teaching_assistant_for_a_pupil_of_a_group_they_do_not_support(world):
    with pytest.raises(Http404):
        _record(world.a.ta, world.a.untaught_pupil)
    assert not AboutMe.objects.exists()


def test_it_answers_404_to_roles_that_may_only_read_or_not_at_all(world):
    for user in (world.a.head, world.a.admin, world.a.dpo, world.trust_lead):
        with pytest.raises(Http404):
            _record(user, world.a.taught_pupil)
    assert not AboutMe.objects.exists()


def test_it_lists_newest_first_without_withdrawn_records_and_audits_the_reads(world):
    pupil = world.a.taught_pupil
    older = make_about_me(pupil, recorded_with=world.a.ta, recorded_on=TODAY - dt.timedelta(days=90))
    newer = make_about_me(pupil, recorded_with=world.a.teacher, recorded_on=TODAY - dt.timedelta(days=3))
    make_about_me(
        pupil,
        recorded_with=world.a.teacher,
        recorded_on=TODAY,
        withdrawn_at=timezone.now(),
        withdrawn_by=world.a.senco,
        withdrawn_reason="Written for the wrong pupil.",
    )
    make_about_me(world.a.ehc_pupil, recorded_with=world.a.teacher)
    head = actor_for(world.a.head)
    assert list(about_me_list(actor=head, pupil_id=pupil.pk).records) == [newer, older]
    assert about_me_latest(actor=head, pupil_id=pupil.pk) == newer
    listed = AuditEvent.objects.get(action="about_me.list")
    assert (listed.target_type, listed.target_id) == ("pupil", str(pupil.pk))
    viewed = AuditEvent.objects.get(action="about_me.view")
    assert (viewed.target_type, viewed.target_id) == ("about_me", str(newer.pk))


def test_it_gives_no_newest_record_to_someone_out_of_reach_and_audits_nothing(world):
    make_about_me(world.a.untaught_pupil, recorded_with=world.a.senco)
    assert about_me_latest(actor=actor_for(world.a.teacher), pupil_id=world.a.untaught_pupil.pk) is None
    assert about_me_latest(actor=actor_for(world.b.senco), pupil_id=world.a.untaught_pupil.pk) is None
    with pytest.raises(Http404):
        about_me_list(actor=actor_for(world.a.ta), pupil_id=world.a.untaught_pupil.pk)
    assert not AuditEvent.objects.filter(action__startswith="about_me.", outcome="ok").exists()


def test_it_keeps_a_record_with_nothing_answered_out_of_the_database(world):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_about_me(
            world.a.taught_pupil,
            recorded_with=world.a.ta,
            good_at="",
            what_helps="",
            what_is_hard="",
            what_i_want="",
        )
