import datetime as dt

from icalendar import Calendar

from clinic.api.tests.base import TUESDAY, WEDNESDAY, ApiTestCase
from clinic.appointments.calendar import appointments_calendar
from clinic.appointments.services import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from clinic.testing import api_client

URL = "/cms-api/calendar/"


class CalendarFeedTests(ApiTestCase):
    def feed_url(self, user=None):
        response = self.call("GET", URL, user=user or self.alice.user)
        self.assertEqual(response.status_code, 200, response.content)
        return response.json()["url"]

    def fetch(self, url):
        # No credentials: calendar apps send none.
        return api_client().get(url.removeprefix("http://testserver"))

    def events(self, url):
        response = self.fetch(url)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/calendar"))
        calendar = Calendar.from_ical(response.content)
        return {str(e["uid"]): e for e in calendar.walk("VEVENT")}

    def test_the_feed_lists_upcoming_appointments_with_stable_uids(self):
        """One VEVENT per upcoming appointment; a move keeps the UID and raises SEQUENCE; a
        cancelled one is gone."""
        first = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30)
        )
        second = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0)
        )
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(11, 0))
        url = self.feed_url()
        self.assertTrue(url.startswith("http://testserver/calendar/"))
        self.assertEqual(url, self.feed_url())  # stable until renewed
        events = self.events(url)
        self.assertEqual(len(events), 2)
        event = events[f"appointment-{first.pk}@127.0.0.1"]
        self.assertEqual(event.decoded("dtstart").isoformat(), "2030-01-08T09:30:00+05:30")
        self.assertEqual(int(event["sequence"]), 0)
        self.assertIn("Dr. Asha Rao", str(event["summary"]))
        self.assertIn("12 MG Road", str(event["location"]))

        appointment_reschedule(
            patient=self.alice, appointment_id=first.pk, day=WEDNESDAY, start=dt.time(9, 0)
        )
        appointment_cancel(patient=self.alice, ids=[second.pk])
        events = self.events(url)
        self.assertEqual(list(events), [f"appointment-{first.pk}@127.0.0.1"])
        moved = events[f"appointment-{first.pk}@127.0.0.1"]
        self.assertEqual(int(moved["sequence"]), 1)
        self.assertEqual(moved.decoded("dtstart").date(), WEDNESDAY)

    def test_renewing_makes_the_old_url_404(self):
        old = self.feed_url()
        renewed = self.call("POST", URL, user=self.alice.user)
        self.assertEqual(renewed.status_code, 201)
        new = renewed.json()["url"]
        self.assertNotEqual(new, old)
        self.assertEqual(self.fetch(old).status_code, 404)
        self.assertEqual(self.fetch(new).status_code, 200)
        self.assertEqual(self.feed_url(), new)

    def test_feeds_are_private(self):
        alices, bobs = self.feed_url(), self.feed_url(self.bob.user)
        self.assertNotEqual(alices, bobs)
        self.assertGreaterEqual(len(alices.rsplit("/", 1)[1]), 40)
        self.assertEqual(self.fetch("/calendar/not-a-token.ics").status_code, 404)
        self.assertError(self.call("GET", URL), 401)

    def test_a_cancellation_calendar_cancels_the_same_event(self):
        appointment = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30)
        )
        request = Calendar.from_ical(appointments_calendar([appointment], method="REQUEST"))
        appointment_cancel(patient=self.alice, ids=[appointment.pk])
        appointment.refresh_from_db()
        cancel = Calendar.from_ical(appointments_calendar([appointment], method="CANCEL"))
        (booked,), (cancelled,) = request.walk("VEVENT"), cancel.walk("VEVENT")
        self.assertEqual((str(request["method"]), str(cancel["method"])), ("REQUEST", "CANCEL"))
        self.assertEqual(booked["uid"], cancelled["uid"])
        self.assertGreater(int(cancelled["sequence"]), int(booked["sequence"]))
        self.assertEqual(str(cancelled["status"]), "CANCELLED")
