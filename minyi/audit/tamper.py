"""Test and drill helpers that simulate an attacker with database-owner rights: they drop the
append-only triggers so rows can be altered behind the application's back. Never used by the app."""

from django.db import connection


def drop_append_only_triggers() -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update ON audit_auditevent")
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_delete ON audit_auditevent")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS audit_auditevent_no_update")
