from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from minyi.audit.backup import BackupError, create_backup
from minyi.audit.services import verify_chain


class Command(BaseCommand):
    help = (
        "Write one archive with the database (SQLite online backup or pg_dump), the stored files and a "
        "manifest naming the audit chain's head. Restore it with `restore`."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            default=str(Path(settings.BASE_DIR) / "var" / "backups"),
            help="Directory for the archive (default var/backups).",
        )

    def handle(self, *args, **options):
        chain = verify_chain()
        if not chain.ok:
            self.stderr.write(
                f"WARNING: the audit chain is broken at row {chain.seq}: {chain.problem}. "
                "The backup is made anyway, as evidence; keep it apart from the regular ones."
            )
        try:
            archive, manifest = create_backup(Path(options["output"]))
        except BackupError as exc:
            raise CommandError(f"backup failed: {exc}") from exc
        audit = manifest["audit"]
        media = sum(1 for name in manifest["files"] if name.startswith("media/"))
        self.stdout.write(f"Backup written: {archive}")
        self.stdout.write(
            f"  database {manifest['database']}, {media} stored files, "
            f"audit {audit['events']} events, head {audit['head_hash']}"
        )
        self.stdout.write("  Keep the head hash outside this server: `verify_audit --expect-head HASH`.")
