import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from clinic.appointments.reminders import reminders_send


class Command(BaseCommand):
    help = "Queue the day-before reminders (each appointment once, however often this runs)."

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Remind about this day (YYYY-MM-DD); default tomorrow.")

    def handle(self, *args, date=None, **options):
        try:
            day = dt.date.fromisoformat(date) if date else None
        except ValueError:
            raise CommandError("--date must be YYYY-MM-DD") from None
        count = reminders_send(day=day)
        self.stdout.write(f"Queued reminders for {count} appointment(s).")
