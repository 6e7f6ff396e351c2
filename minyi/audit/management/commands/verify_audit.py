from django.apps import apps
from django.core.management.base import BaseCommand, CommandError

from minyi.audit.models import AuditEvent
from minyi.audit.services import GENESIS, verify_chain

#: Rows that are only ever written by audited actions: if any exists, the chain cannot be empty.
AUDITED_DATA = ["congress.Congress", "suggestions.Suggestion", "accounts.Membership"]


class Command(BaseCommand):
    help = (
        "Check the audit trail's hash chain; print OK and the head hash, or the first broken row. "
        "With --expect-head, also check that a head kept outside the database is still in the chain."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--expect-head",
            metavar="HASH",
            help="A head hash noted earlier (e.g. printed by `backup`): it must be the current head or a "
            "row of the chain; otherwise rows were removed or the database was rolled back.",
        )

    def handle(self, *args, **options):
        result = verify_chain()
        if not result.ok:
            raise CommandError(f"FAILED at row {result.seq}: {result.problem}")
        if result.checked == 0:
            present = {
                label: apps.get_model(label).objects.count()
                for label in AUDITED_DATA
                if apps.get_model(label).objects.exists()
            }
            if present:
                held = ", ".join(f"{n} {label}" for label, n in present.items())
                raise CommandError(
                    f"FAILED: the audit chain is empty but the database holds data ({held}): "
                    "the audit rows were removed or never loaded"
                )
        expected = (options.get("expect_head") or "").strip().lower()
        if expected:
            if expected == result.head_hash:
                pass
            elif expected == GENESIS or not AuditEvent.objects.filter(hash=expected).exists():
                raise CommandError(
                    f"FAILED: the expected head {expected} is not in the chain (now {result.checked} events, "
                    f"head {result.head_hash}): rows were removed or the database was rolled back"
                )
            else:
                seq = AuditEvent.objects.get(hash=expected).seq
                self.stdout.write(f"Expected head found at row {seq}; {result.checked - seq} events since.")
        self.stdout.write(f"OK: {result.checked} events, head {result.head_hash}")
