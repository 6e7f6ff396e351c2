from django.core.management.base import BaseCommand, CommandError

from minyi.audit.services import verify_chain


class Command(BaseCommand):
    help = "Check the audit trail's hash chain; print OK and the head hash, or the first broken row."

    def handle(self, *args, **options):
        result = verify_chain()
        if not result.ok:
            raise CommandError(f"FAILED at row {result.seq}: {result.problem}")
        self.stdout.write(f"OK: {result.checked} events, head {result.head_hash}")
