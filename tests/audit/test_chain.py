import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from minyi import audit
from minyi.audit.models import AppendOnlyError, AuditEvent
from minyi.audit.services import verify_chain
from minyi.audit.tamper import drop_append_only_triggers
from minyi.congress.actions import do_update_policy


def _three_events(world):
    policy = world.congress.policy
    do_update_policy(policy, actor=world.admin, changes={"review_days": 4})
    do_update_policy(policy, actor=world.admin, changes={"assign_days": 6})
    do_update_policy(policy, actor=world.admin, changes={"warning_days": 2})
    return list(AuditEvent.objects.order_by("seq"))


def test_chain_verifies_after_normal_writes(world, capsys):
    events = _three_events(world)
    assert [e.seq for e in events] == [1, 2, 3]
    assert events[1].prev_hash == events[0].hash
    call_command("verify_audit")
    assert capsys.readouterr().out.startswith("OK: 3 events")


def test_altered_row_is_detected(world):
    events = _three_events(world)
    drop_append_only_triggers()  # an attacker with database-owner rights
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET note = 'x' WHERE id = {events[1].pk}")
    result = verify_chain()
    assert not result.ok and result.seq == 2 and "altered" in result.problem
    with pytest.raises(CommandError, match="row 2"):
        call_command("verify_audit")


def test_altered_json_value_is_detected(world):
    events = _three_events(world)
    drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE audit_auditevent SET new = '{{\"review_days\": 9}}' WHERE id = {events[0].pk}"
        )
    result = verify_chain()
    assert not result.ok and result.seq == 1


def test_removed_row_is_detected(world):
    events = _three_events(world)
    drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM audit_auditevent WHERE id = {events[1].pk}")
    result = verify_chain()
    assert not result.ok and result.seq == 2 and "missing" in result.problem


def test_removed_last_row_is_detected(world):
    events = _three_events(world)
    drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM audit_auditevent WHERE id = {events[2].pk}")
    result = verify_chain()
    assert not result.ok and "head" in result.problem


def test_events_cannot_be_changed_or_deleted_through_the_orm(world):
    event = _three_events(world)[0]
    event.note = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_record_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit.record("x.y", actor=None)
    assert AuditEvent.objects.count() == 0


def test_database_refuses_updates_of_audit_rows(world):
    event = _three_events(world)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE audit_auditevent SET note = 'x' WHERE id = {event.pk}")
    assert verify_chain().ok


def test_postgresql_refuses_deletes_of_audit_rows(world):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite keeps DELETE possible for the test flush; the chain detects it (see above)")
    event = _three_events(world)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM audit_auditevent WHERE id = {event.pk}")
    assert verify_chain().ok
