"""What the MIS said: each applied SEN file (and each Common Transfer File carrying a current status) keeps,
per pupil it names, the status it gave, in the import's own transaction; the census check compares with it."""

from __future__ import annotations

from tandem.access.actor import actor_for
from tandem.exchange.models import MisSenStatus
from tandem.exchange.services import import_apply, import_upload
from tandem.people.models import Pupil
from tests import factories as f
from tests.exchange.test_ctf_import import SEN, UPN, _ctf, _pupil

SEN_HEADER = "UPN,SEN Status,Start Date,Primary Need,Secondary Need\n"


def _apply(user, data: str, *, kind: str = "sen", skip_errors: bool = False):
    actor = actor_for(user)
    record = import_upload(actor=actor, kind=kind, file_name="sen.csv", data=data.encode())
    return import_apply(actor=actor, record_id=record.pk, skip_errors=skip_errors)


def _said() -> dict[object, str]:
    return dict(MisSenStatus.objects.values_list("pupil_id", "provision"))


def test_it_keeps_what_the_sen_file_said_for_each_pupil_it_applied(world):
    a = world.a
    missing = f.valid_upn(990, estab="0999")
    data = SEN_HEADER + f"{a.taught_pupil.upn},K,,SLCN,\n{a.ehc_pupil.upn},E,,ASD,\n{missing},K,,SLCN,\n"
    applied = _apply(a.senco, data, skip_errors=True)
    # The row left out (no such pupil) says nothing; unchanged rows count too: the MIS said them.
    assert _said() == {a.taught_pupil.pk: "K", a.ehc_pupil.pk: "E"}
    row = MisSenStatus.objects.get(pupil=a.taught_pupil)
    assert (row.school_id, row.import_record_id, row.applied_at) == (
        a.school.pk,
        applied.pk,
        applied.applied_at,
    )


def test_it_replaces_the_row_with_a_newer_import_and_keeps_pupils_it_leaves_out(world):
    a = world.a
    _apply(a.senco, SEN_HEADER + f"{a.taught_pupil.upn},K,,SLCN,\n{a.ehc_pupil.upn},E,,ASD,\n")
    newer = _apply(a.senco, SEN_HEADER + f"{a.taught_pupil.upn},N,,,\n")
    assert _said() == {a.taught_pupil.pk: "N", a.ehc_pupil.pk: "E"}
    assert MisSenStatus.objects.get(pupil=a.taught_pupil).import_record_id == newer.pk
    assert MisSenStatus.objects.count() == 2


def test_it_keeps_a_ctf_pupils_current_status_for_the_senco_only(world):
    actor = actor_for(world.a.admin)
    record = import_upload(actor=actor, kind="ctf", file_name="in.xml", data=_ctf(_pupil(sen=SEN)))
    import_apply(actor=actor, record_id=record.pk)
    assert _said() == {}  # SEN history is left out for the school admin, and so is what it said

    actor = actor_for(world.a.senco)
    record = import_upload(actor=actor, kind="ctf", file_name="in2.xml", data=_ctf(_pupil(sen=SEN)))
    applied = import_apply(actor=actor, record_id=record.pk)
    pupil = Pupil.objects.get(school=world.a.school, upn=UPN)
    assert _said() == {pupil.pk: "E"}  # the open period's status, not the ended K
    assert MisSenStatus.objects.get(pupil=pupil).import_record_id == applied.pk


def test_it_keeps_nothing_for_a_ctf_without_sen_history(world):
    actor = actor_for(world.a.senco)
    record = import_upload(actor=actor, kind="ctf", file_name="in.xml", data=_ctf(_pupil()))
    import_apply(actor=actor, record_id=record.pk)
    assert _said() == {}
