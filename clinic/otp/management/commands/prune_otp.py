from django.core.management.base import BaseCommand

from clinic.otp.services import otp_prune_expired


class Command(BaseCommand):
    help = "Delete one-time-password rows whose code and send limits have all expired."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {otp_prune_expired()} expired one-time-password row(s).")
