"""Database triggers that refuse UPDATE (both databases) and DELETE (PostgreSQL) of audit rows, so
that even code bypassing the ORM cannot rewrite history.

They are (re)created after every `migrate` (post_migrate signal), because SQLite drops a table's
triggers whenever a migration rebuilds the table. SQLite keeps DELETE possible because Django's
test flush uses it; the hash chain still detects a removed row there."""

from django.db import connection as default_connection

PG = [
    """CREATE OR REPLACE FUNCTION minyi_audit_append_only() RETURNS trigger AS $$
    BEGIN RAISE EXCEPTION 'audit events are append-only'; END; $$ LANGUAGE plpgsql""",
    """CREATE OR REPLACE TRIGGER audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION minyi_audit_append_only()""",
    """CREATE OR REPLACE TRIGGER audit_auditevent_no_delete BEFORE DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION minyi_audit_append_only()""",
]
SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS audit_auditevent_no_update BEFORE UPDATE ON audit_auditevent
    BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END""",
]


def ensure_triggers(connection=default_connection) -> None:
    statements = PG if connection.vendor == "postgresql" else SQLITE
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def ensure_after_migrate(sender, using="default", **kwargs) -> None:
    from django.db import connections

    if sender.label == "audit":
        ensure_triggers(connections[using])
