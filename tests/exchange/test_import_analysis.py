"""New marks queue the 6.17 analysis: it runs by itself after a marks import, never after other kinds."""

from __future__ import annotations

from tandem.access.actor import actor_for
from tandem.exchange.services import import_apply, import_upload
from tandem.jobs.models import Job, JobStatus
from tandem.progress.services import ANALYSIS_JOB
from tests import factories as f


def _marksheet(world) -> str:
    a = world.a
    f.make_window(school=a.school, start_year=2024, term="spring")
    return (
        f"UPN,Surname,Forename,Maths Spring 2024/25\n{a.taught_pupil.upn},X,Y,97\n{a.ehc_pupil.upn},X,Y,88\n"
    )


def _apply(user, text: str, kind: str = "marksheet") -> None:
    record = import_upload(actor=actor_for(user), kind=kind, file_name="marks.csv", data=text.encode())
    import_apply(actor=actor_for(user), record_id=record.pk)


def test_it_queues_an_analysis_of_the_school_after_a_marks_import(world):
    _apply(world.a.admin, _marksheet(world))
    job = Job.objects.get(kind=ANALYSIS_JOB)
    assert (job.school_id, job.status, job.arguments) == (
        world.a.school.pk,
        JobStatus.QUEUED,
        {"reason": "import"},
    )
    assert job.requested_by_id == world.a.admin.pk


def test_it_queues_one_analysis_for_imports_made_before_it_starts(world):
    text = _marksheet(world)
    _apply(world.a.admin, text)
    _apply(world.a.admin, text.replace(",97", ",99"))
    assert Job.objects.filter(kind=ANALYSIS_JOB).count() == 1


def test_it_queues_nothing_when_the_import_changed_no_marks(world):
    text = _marksheet(world)
    _apply(world.a.admin, text)
    Job.objects.update(status=JobStatus.DONE)
    _apply(world.a.admin, text)  # the same marks again: nothing new to analyse
    assert Job.objects.filter(kind=ANALYSIS_JOB).count() == 1
