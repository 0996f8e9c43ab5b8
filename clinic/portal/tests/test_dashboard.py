import datetime as dt

from django.urls import reverse

from clinic.appointments.services import appointment_cancel
from clinic.labs.models import LabReport
from clinic.portal.tests.base import NINE, NINE_THIRTY, TUESDAY, PortalTestCase
from clinic.testing import make_doctor


class DashboardTests(PortalTestCase):
    def test_it_shows_the_next_appointment_and_the_counts(self):
        later = self.book(day=TUESDAY + dt.timedelta(days=1))
        soon = self.book(day=TUESDAY, start=NINE_THIRTY)
        cancelled = self.book(day=TUESDAY, start=NINE)
        appointment_cancel(patient=self.alice, ids=[cancelled.pk])
        self.book(patient=self.bob, day=TUESDAY, start=dt.time(10, 0))
        LabReport.objects.create(
            patient=self.alice, doctor=self.dr_rao, test="CBC", date=dt.date(2030, 1, 2)
        )
        LabReport.objects.create(
            patient=self.bob, doctor=self.dr_rao, test="MRI", date=dt.date(2030, 1, 2)
        )
        self.login()
        response = self.client.get(reverse("portal:dashboard"))
        self.assertEqual(response.context["next_appointment"], soon)
        self.assertEqual(response.context["upcoming_count"], 2)
        self.assertEqual(response.context["past_count"], 1)
        self.assertEqual(response.context["report_count"], 1)
        self.assertContains(response, "Tuesday 8 January 2030 at 09:30 AM")
        self.assertNotEqual(later, soon)

    def test_without_appointments_it_offers_to_book(self):
        self.login()
        response = self.client.get(reverse("portal:dashboard"))
        self.assertIsNone(response.context["next_appointment"])
        self.assertContains(response, "You have no upcoming appointment.")

    def test_the_query_count_stays_constant_as_appointments_grow(self):
        self.login()
        self.book()
        self.client.get(reverse("portal:dashboard"))
        with self.assertNumQueries(10) as first:
            self.client.get(reverse("portal:dashboard"))
        other = make_doctor(name="Dr. Other")
        for day in range(1, 5):  # Wednesday to Saturday
            self.book(doctor=other, day=TUESDAY + dt.timedelta(days=day), start=NINE)
        with self.assertNumQueries(len(first.captured_queries)):
            response = self.client.get(reverse("portal:dashboard"))
        self.assertEqual(response.context["upcoming_count"], 5)
