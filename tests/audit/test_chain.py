"""The audit chain: every event sealed with a hash over it and the seal before it; `tandem audit verify`
reports the first event changed or removed after sealing; `tandem check` reports dropped triggers."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tandem.audit import triggers
from tandem.audit.chain import audit_seal, audit_verify
from tandem.audit.checks import audit_triggers_check
from tandem.audit.models import AuditEvent, AuditSeal
from tandem.audit.services import audit_record
from tandem.demo.loader import load_demo


def _events(n: int) -> list[AuditEvent]:
    return [
        AuditEvent.objects.get(pk=audit_record(actor=None, action="test.event", target_id=i).pk)  # type: ignore[union-attr]
        for i in range(n)
    ]


def _unguarded(sql: str, params: list[object]) -> None:
    """What only the database's owner can do: drop the guard, change the table, put the guard back."""
    triggers.remove(connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    triggers.install(connection)


def test_it_seals_every_event_in_order_and_finds_the_chain_intact(db):
    events = _events(5)
    assert audit_seal() == AuditEvent.objects.count()
    report = audit_verify()
    assert report.intact and report.sealed == AuditEvent.objects.count() and report.unsealed == 0
    # Newer events join the chain where it ended.
    last = AuditSeal.objects.order_by("-sequence").first()
    later = _events(2)
    assert audit_verify().unsealed == 2
    assert audit_seal() == 2
    assert [s.event_id for s in AuditSeal.objects.filter(sequence__gt=last.sequence)] == [e.pk for e in later]
    assert events[0].pk in set(AuditSeal.objects.values_list("event_id", flat=True))


def test_it_reports_an_event_changed_after_it_was_sealed_at_that_event(db):
    events = _events(6)
    audit_seal()
    changed = events[3]
    _unguarded("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["test.innocent", changed.pk])

    report = audit_verify()
    assert (report.intact, report.broken_at_event) == (False, changed.pk)
    assert "does not match its seal" in report.problem
    seal = AuditSeal.objects.get(event_id=changed.pk)
    assert report.sealed == seal.sequence - 1  # every link before it holds
    with pytest.raises(CommandError, match=f"broken at seal {seal.sequence:,} \\(event {changed.pk}\\)"):
        call_command("audit", "verify")


def test_it_reports_an_event_removed_after_it_was_sealed(db):
    events = _events(4)
    audit_seal()
    _unguarded("DELETE FROM audit_auditevent WHERE id = %s", [events[1].pk])
    report = audit_verify()
    assert report.broken_at_event == events[1].pk and "was removed" in report.problem


def test_it_refuses_changes_to_seals_as_to_events(db):
    _events(1)
    audit_seal()
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditseal SET chain_hash = %s", ["0" * 64])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditseal")


def test_it_tells_tandem_check_when_the_triggers_are_gone(db):
    assert audit_triggers_check() == []
    triggers.remove(connection, tables=(triggers.SEALS,))
    errors = audit_triggers_check()
    assert [e.id for e in errors] == ["tandem.audit.E001"]
    assert "audit_auditseal" in errors[0].msg and "audit_auditevent" not in errors[0].msg
    call_command("audit", "protect")
    assert audit_triggers_check() == []


def test_it_verifies_the_demo_trusts_whole_trail(db, capsys):
    load_demo(seed=31, as_of=dt.date(2026, 11, 23), schools=1, pupils_per_school=150)
    call_command("audit", "seal")
    call_command("audit", "verify")
    out = capsys.readouterr().out
    assert f"The audit chain is intact: {AuditEvent.objects.count():,} events sealed." in out
