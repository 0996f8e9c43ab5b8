"""Confirmation, reschedule and cancellation emails carry an .ics that updates one event."""

import datetime as dt

from django.core import mail
from icalendar import Calendar

from clinic.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from clinic.notifications.tests.base import NotifyTestCase
from clinic.testing import FIXED_NOW

TUESDAY = FIXED_NOW.date() + dt.timedelta(days=1)


class CalendarEmailTests(NotifyTestCase):
    def ics_of(self, email) -> Calendar:
        (attachment,) = email.attachments
        name, content, mimetype = attachment
        self.assertEqual(mimetype, "text/calendar")
        self.assertTrue(name.endswith(".ics"))
        return Calendar.from_ical(content)

    def test_book_move_cancel_update_one_calendar_event(self):
        with self.captureOnCommitCallbacks(execute=True):
            appointment = appointment_book(
                patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30)
            )
        with self.captureOnCommitCallbacks(execute=True):
            appointment_reschedule(
                patient=self.alice,
                appointment_id=appointment.pk,
                day=TUESDAY,
                start=dt.time(11, 0),
            )
        with self.captureOnCommitCallbacks(execute=True):
            appointment_cancel(patient=self.alice, ids=[appointment.pk])
        booked, moved, cancelled = (self.ics_of(m) for m in mail.outbox)
        methods = [str(c["method"]) for c in (booked, moved, cancelled)]
        self.assertEqual(methods, ["REQUEST", "REQUEST", "CANCEL"])
        events = [c.walk("VEVENT")[0] for c in (booked, moved, cancelled)]
        self.assertEqual(len({str(e["uid"]) for e in events}), 1)
        self.assertEqual([int(e["sequence"]) for e in events], [0, 1, 2])
        self.assertEqual(events[0].decoded("dtstart").time(), dt.time(9, 30))
        self.assertEqual(events[1].decoded("dtstart").time(), dt.time(11, 0))
        self.assertEqual(str(events[2]["status"]), "CANCELLED")
        self.assertIn("http", str(events[0]["url"]))
        # SMS carry no attachment and still go out.
        self.assertEqual(len(self.sms_outbox), 3)

    def test_messages_link_to_the_portal_and_give_the_site(self):
        """Absolute links on PORTAL_BASE_URL, and the site's address (and map link, if any)."""
        with self.settings(PORTAL_BASE_URL="https://portal.example"):
            with self.captureOnCommitCallbacks(execute=True):
                appointment = appointment_book(
                    patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30)
                )
        (email,) = mail.outbox
        self.assertIn(
            f"Manage:   https://portal.example/appointments/{appointment.pk}/", email.body
        )
        location = appointment.location
        self.assertIsNotNone(location)
        self.assertIn(f"Where:    {location['name']}, {location['address']}", email.body)
        html, _ = email.alternatives[0]
        self.assertIn('href="https://portal.example/"', html)
