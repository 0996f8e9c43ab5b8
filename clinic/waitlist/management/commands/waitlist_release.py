from django.core.management.base import BaseCommand

from clinic.waitlist.services import waitlist_release_lapsed


class Command(BaseCommand):
    help = (
        "Release lapsed waitlist holds (passing each slot to the next in line) and expire "
        "entries whose dates have passed. Run it every minute (cron)."
    )

    def handle(self, *args, **options):
        released = waitlist_release_lapsed()
        self.stdout.write(f"Released {released} lapsed hold(s).")
