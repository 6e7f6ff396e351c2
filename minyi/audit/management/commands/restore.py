import sys
from pathlib import Path

from django.core.cache import cache
from django.core.management.base import BaseCommand, CommandError

from minyi.audit.backup import BackupError, read_manifest, restore_backup


class Command(BaseCommand):
    help = (
        "Replace the database and the stored files with those of a `backup` archive, then check the "
        "audit chain against the head named in the archive's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("archive", help="A minyi-backup-*.tar.gz written by `backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")

    def handle(self, *args, **options):
        archive = Path(options["archive"])
        try:
            manifest = read_manifest(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        audit = manifest["audit"]
        self.stdout.write(
            f"Archive {archive.name}: made {manifest['created_at']} by Minyi {manifest['app_version']}, "
            f"{manifest['database']} database, audit {audit['events']} events, head {audit['head_hash']}"
        )
        if not options["yes"]:
            if not sys.stdin.isatty():
                raise CommandError(
                    "restore replaces the whole database and every stored file; "
                    "stop the site and the worker, then run again with --yes"
                )
            answer = input("This replaces the whole database and every stored file. Type 'yes' to go on: ")
            if answer.strip().lower() != "yes":
                raise CommandError("restore cancelled")
        try:
            result = restore_backup(archive)
        except BackupError as exc:
            raise CommandError(f"restore failed: {exc}") from exc
        chain = result.chain
        self.stdout.write(f"Restored the database and {result.media_files} stored files.")
        # Pages and counts are kept under the data version (core.kept_pages), which an older backup
        # takes back to numbers already used for other data: forget them (a shared cache; an
        # in-process cache goes with the web service's restart, as the guide says).
        cache.clear()
        if not chain.ok:
            raise CommandError(f"FAILED at row {chain.seq}: {chain.problem}")
        self.stdout.write(f"OK: {chain.checked} events, head {chain.head_hash}")
        if not result.matches:
            raise CommandError(
                f"MISMATCH: the manifest names {audit['events']} events, head {audit['head_hash']}"
            )
        self.stdout.write("The head equals the manifest's.")
