"""First creation of the append-only triggers (see minyi/audit/triggers.py, which also re-creates
them after every migrate because SQLite drops triggers when a migration rebuilds a table)."""

from django.db import migrations


def forward(apps, schema_editor):
    from minyi.audit.triggers import ensure_triggers

    ensure_triggers(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
