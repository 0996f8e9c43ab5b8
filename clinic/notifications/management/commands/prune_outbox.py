from django.core.management.base import BaseCommand, CommandError

from clinic.notifications.pruning import BATCH_SIZE, outbox_prune


class Command(BaseCommand):
    help = (
        "Delete outbox events that are done and messages that were sent or skipped, older "
        "than OUTBOX_RETENTION_DAYS (run it daily). Pending, retrying and failed rows stay."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="Override OUTBOX_RETENTION_DAYS.")
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)

    def handle(self, *args, days=None, batch_size=BATCH_SIZE, **options):
        if batch_size < 1:
            raise CommandError("--batch-size must be at least 1.")
        try:
            deleted = outbox_prune(retention_days=days, batch_size=batch_size)
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"Deleted {deleted['events']} finished event(s) and "
            f"{deleted['messages']} finished message(s)."
        )
