from django.core.management.base import BaseCommand

from clinic.notifications.events import events_retry_due
from clinic.notifications.services import messages_retry_due


class Command(BaseCommand):
    help = (
        "The outbox sweep (run it every few minutes): re-enqueue notification events and "
        "messages whose retry is due, whose task was lost or whose worker died mid-send."
    )

    def handle(self, *args, **options):
        events = events_retry_due()
        messages = messages_retry_due()
        self.stdout.write(f"Re-enqueued {events} event(s) and {messages} message(s).")
