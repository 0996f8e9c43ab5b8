from django.core.management.base import BaseCommand

from clinic.notifications.services import messages_retry_due


class Command(BaseCommand):
    help = "Re-enqueue notifications whose retry is due or whose enqueue was lost."

    def handle(self, *args, **options):
        count = messages_retry_due()
        self.stdout.write(f"Re-enqueued {count} message(s).")
