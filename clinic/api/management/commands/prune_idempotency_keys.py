from django.core.management.base import BaseCommand

from clinic.api.idempotency import prune


class Command(BaseCommand):
    help = "Delete Idempotency-Key records older than IDEMPOTENCY_KEY_TTL_HOURS (24)."

    def handle(self, *args, **options):
        deleted = prune()
        self.stdout.write(f"Deleted {deleted} expired idempotency key(s).")
