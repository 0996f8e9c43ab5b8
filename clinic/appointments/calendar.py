"""iCalendar (RFC 5545) for appointments, made with the `icalendar` package.

Each appointment is one VEVENT whose UID never changes (it is the booking's id),
and whose SEQUENCE is the appointment's `sequence`: one more on every move and
on the cancellation, so calendar apps replace the event they hold (METHOD
REQUEST) or remove it (METHOD CANCEL) instead of adding a second one.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import transaction
from icalendar import Calendar, Event

from clinic.appointments.models import Appointment, CalendarFeed, Status
from clinic.core import clock
from clinic.core.links import portal_url
from clinic.patients.models import Patient

PRODID = "-//CMS clinic//Appointments//EN"
# How long an appointment shows in a calendar when its end is not stored.
DEFAULT_MINUTES = 30


def appointment_uid(appointment: Appointment) -> str:
    host = settings.PORTAL_BASE_URL.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return f"appointment-{appointment.pk}@{host or 'cms'}"


def appointment_event(appointment: Appointment, *, cancelled: bool = False) -> Event:
    """The VEVENT of an appointment whose doctor is loaded."""
    starts = appointment.starts_at
    end = getattr(appointment, "end", None)
    ends = (
        clock.combine(appointment.date, end)
        if end
        else starts + dt.timedelta(minutes=DEFAULT_MINUTES)
    )
    clinic = settings.CLINIC
    doctor = appointment.doctor
    event = Event()
    event.add("uid", appointment_uid(appointment))
    event.add("sequence", appointment.sequence)
    event.add("dtstamp", clock.now())
    event.add("dtstart", starts)
    event.add("dtend", ends)
    event.add("summary", f"Appointment with {doctor.name}")
    event.add("location", f"{clinic['NAME']}, {clinic['ADDRESS']} (room {doctor.office_number})")
    url = portal_url("appointment_detail", appointment.pk)
    event.add(
        "description",
        f"{doctor.name} ({doctor.specialty}), token {appointment.slot_number}, "
        f"booking #{appointment.pk}.\nMove or cancel: {url}",
    )
    event.add("url", url)
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def appointments_calendar(appointments, *, method: str | None = None) -> bytes:
    """A VCALENDAR with one VEVENT per appointment; `method` REQUEST or CANCEL for email."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", f"{settings.CLINIC['NAME']} appointments")
    if method:
        calendar.add("method", method)
    for appointment in appointments:
        calendar.add_component(
            appointment_event(
                appointment,
                cancelled=method == "CANCEL" or appointment.status == Status.CANCELLED,
            )
        )
    return calendar.to_ical()


def calendar_feed_token(*, patient: Patient) -> str:
    """The patient's feed token, made on first use."""
    feed = CalendarFeed.objects.filter(patient=patient).values_list("token", flat=True).first()
    if feed:
        return feed
    with transaction.atomic():
        feed, _ = CalendarFeed.objects.get_or_create(
            patient=patient, defaults={"token": secrets.token_urlsafe(32)}
        )
    return feed.token


def calendar_feed_renew(*, patient: Patient) -> str:
    """A new feed token for the patient; the old one stops working at once."""
    token = secrets.token_urlsafe(32)
    CalendarFeed.objects.update_or_create(patient=patient, defaults={"token": token})
    return token


def calendar_feed_for_token(token: str) -> bytes | None:
    """The feed behind a token (its patient's upcoming appointments), or None."""
    feed = CalendarFeed.objects.select_related("patient").filter(token=token).first()
    if feed is None:
        return None
    upcoming = (
        feed.patient.appointments.upcoming().select_related("doctor").order_by("date", "start")
    )
    return appointments_calendar(upcoming)
