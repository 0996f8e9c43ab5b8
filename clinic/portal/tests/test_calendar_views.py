import re

from django.urls import reverse
from icalendar import Calendar

from clinic.appointments.calendar import appointment_uid
from clinic.portal.tests.base import NINE_THIRTY, PortalTestCase


class AddToCalendarTests(PortalTestCase):
    def test_a_visit_downloads_as_an_ics_with_the_feeds_uid(self):
        appointment = self.book()
        self.login()
        response = self.client.get(reverse("portal:appointment_ics", args=[appointment.pk]))
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertIn('filename="appointment-2030-01-08.ics"', response["Content-Disposition"])
        [event] = Calendar.from_ical(response.content).walk("VEVENT")
        self.assertEqual(str(event["uid"]), appointment_uid(appointment))
        self.assertIn("Dr. Asha Rao", str(event["summary"]))
        detail = self.client.get(reverse("portal:appointment_detail", args=[appointment.pk]))
        self.assertContains(detail, reverse("portal:appointment_ics", args=[appointment.pk]))

    def test_another_patients_visit_is_a_404(self):
        bobs = self.book(patient=self.bob, start=NINE_THIRTY)
        self.login()
        response = self.client.get(reverse("portal:appointment_ics", args=[bobs.pk]))
        self.assertEqual(response.status_code, 404)


class FeedTests(PortalTestCase):
    def feed_url(self):
        page = self.client.get(reverse("portal:calendar"))
        return re.search(r'value="(http://testserver/calendar/[^"]+\.ics)"', page.content.decode())

    def test_the_feed_url_serves_the_patients_visits_and_renew_ends_the_old_one(self):
        self.book()
        self.login()
        old = self.feed_url().group(1)
        served = self.client.get(old)
        self.assertEqual(served.status_code, 200)
        self.assertTrue(served["Content-Type"].startswith("text/calendar"))
        self.assertEqual(len(Calendar.from_ical(served.content).walk("VEVENT")), 1)
        self.assertEqual(self.feed_url().group(1), old)  # stable until renewed

        renewed = self.client.post(reverse("portal:calendar"), follow=True)
        self.assertContains(renewed, "Your calendar link is new")
        new = self.feed_url().group(1)
        self.assertNotEqual(new, old)
        self.assertEqual(self.client.get(old).status_code, 404)
        self.assertEqual(self.client.get(new).status_code, 200)
