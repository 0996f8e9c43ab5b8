import datetime as dt

from django.urls import reverse

from clinic.appointments.models import Appointment, Status
from clinic.portal.tests.base import NINE, NINE_THIRTY, TODAY, TUESDAY, PortalTestCase


class AppointmentListTests(PortalTestCase):
    def test_active_lists_only_the_patients_upcoming_appointments(self):
        mine = self.book()
        bobs = self.book(patient=self.bob, start=NINE_THIRTY)
        self.login()
        response = self.client.get(reverse("portal:appointments"))
        self.assertEqual(list(response.context["appointments"]), [mine])
        self.assertContains(response, f'data-appointment="{mine.pk}"')
        self.assertNotContains(response, f'data-appointment="{bobs.pk}"')
        self.assertContains(response, reverse("portal:appointment_cancel", args=[mine.pk]))

    def test_past_lists_cancelled_and_finished_appointments_newest_first(self):
        old = Appointment.objects.create(
            patient=self.alice, doctor=self.dr_rao, date=TODAY - dt.timedelta(days=7),
            start=NINE, slot_number=1, status=Status.COMPLETED,
        )
        cancelled = self.book()
        Appointment.objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED)
        Appointment.objects.create(
            patient=self.bob, doctor=self.dr_rao, date=TODAY - dt.timedelta(days=7),
            start=NINE_THIRTY, slot_number=2, status=Status.COMPLETED,
        )
        self.login()
        response = self.client.get(reverse("portal:appointments_past"))
        self.assertEqual([a.pk for a in response.context["appointments"]], [cancelled.pk, old.pk])
        self.assertContains(response, "Cancelled")
        self.assertContains(response, "Completed")

    def test_the_query_count_stays_constant_as_appointments_grow(self):
        self.login()
        self.book()
        with self.assertNumQueries(7) as first:
            self.client.get(reverse("portal:appointments"))
        for n in range(1, 5):
            self.book(day=TUESDAY + dt.timedelta(days=n))
        with self.assertNumQueries(len(first.captured_queries)):
            response = self.client.get(reverse("portal:appointments"))
        self.assertEqual(len(response.context["appointments"]), 5)


class CancelTests(PortalTestCase):
    def test_get_asks_for_confirmation_and_changes_nothing(self):
        appointment = self.book()
        self.login()
        response = self.client.get(reverse("portal:appointment_cancel", args=[appointment.pk]))
        self.assertContains(response, "Cancel this appointment?")
        self.assertContains(response, "Tuesday 8 January 2030 at 09:00 AM")
        appointment.refresh_from_db()
        self.assertEqual(appointment.status, Status.BOOKED)

    def test_post_cancels_through_the_service(self):
        appointment = self.book()
        self.login()
        response = self.client.post(
            reverse("portal:appointment_cancel", args=[appointment.pk]), follow=True
        )
        self.assertRedirects(response, reverse("portal:appointments"))
        self.assertContains(response, "Your appointment has been cancelled.")
        appointment.refresh_from_db()
        self.assertEqual(appointment.status, Status.CANCELLED)
        self.assertEqual(appointment.cancelled_by, "patient")
        past = self.client.get(reverse("portal:appointments_past"))
        self.assertContains(past, f'data-appointment="{appointment.pk}"')

    def test_another_patients_appointment_is_a_404_and_stays_booked(self):
        bobs = self.book(patient=self.bob)
        self.login()
        url = reverse("portal:appointment_cancel", args=[bobs.pk])
        get = self.client.get(url)
        post = self.client.post(url)
        self.assertEqual(get.status_code, 404)
        self.assertEqual(post.status_code, 404)
        self.assertNotContains(post, "Bob", status_code=404)
        bobs.refresh_from_db()
        self.assertEqual(bobs.status, Status.BOOKED)

    def test_an_already_cancelled_or_started_appointment_cannot_be_cancelled(self):
        appointment = self.book()
        Appointment.objects.filter(pk=appointment.pk).update(status=Status.CANCELLED)
        self.login()
        url = reverse("portal:appointment_cancel", args=[appointment.pk])
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.post(url).status_code, 404)


class DetailTests(PortalTestCase):
    def test_it_shows_the_patients_own_appointment_with_cancel(self):
        appointment = self.book()
        self.login()
        response = self.client.get(reverse("portal:appointment_detail", args=[appointment.pk]))
        self.assertContains(response, "Your appointment")
        self.assertContains(response, "Tuesday 8 January 2030")
        self.assertContains(response, reverse("portal:appointment_cancel", args=[appointment.pk]))

    def test_another_patients_appointment_is_a_404(self):
        bobs = self.book(patient=self.bob)
        self.login()
        response = self.client.get(reverse("portal:appointment_detail", args=[bobs.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, "Bob", status_code=404)

    def test_a_cancelled_appointment_shows_its_status_and_no_cancel(self):
        appointment = self.book()
        Appointment.objects.filter(pk=appointment.pk).update(status=Status.CANCELLED)
        self.login()
        response = self.client.get(reverse("portal:appointment_detail", args=[appointment.pk]))
        self.assertContains(response, "Cancelled")
        self.assertNotContains(
            response, reverse("portal:appointment_cancel", args=[appointment.pk])
        )

    def test_the_list_links_each_appointment_to_its_page(self):
        appointment = self.book()
        self.login()
        response = self.client.get(reverse("portal:appointments"))
        self.assertContains(response, reverse("portal:appointment_detail", args=[appointment.pk]))

    def test_the_query_count_does_not_grow_with_the_patients_appointments(self):
        appointment = self.book()
        self.login()
        url = reverse("portal:appointment_detail", args=[appointment.pk])
        # session, user, patient, the appointment with its doctor, is it upcoming,
        # and the session's save (savepoint, update, release)
        with self.assertNumQueries(8) as first:
            self.client.get(url)
        for n in range(1, 5):
            self.book(day=TUESDAY + dt.timedelta(days=n))
        with self.assertNumQueries(len(first.captured_queries)):
            self.client.get(url)
