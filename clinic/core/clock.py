"""The clinic's notion of now: everything is in the clinic's time zone."""

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    return timezone.localtime()


def today() -> dt.date:
    return now().date()


def combine(day: dt.date, at: dt.time) -> dt.datetime:
    """An aware datetime for a clinic-local date and time."""
    return timezone.make_aware(dt.datetime.combine(day, at))


def slot_label(at: dt.time) -> str:
    """The seed's 12-hour slot label, e.g. '09:30 AM'."""
    return at.strftime("%I:%M %p")
