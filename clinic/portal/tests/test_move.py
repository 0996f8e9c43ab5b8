from django.core import mail
from django.urls import reverse

from clinic.appointments.models import Appointment, Status
from clinic.portal.tests.base import NINE, NINE_THIRTY, TODAY, TUESDAY, PortalTestCase

TEN = NINE.replace(hour=10)


class MoveTests(PortalTestCase):
    def setUp(self):
        super().setUp()
        # Messages go to verified addresses only.
        type(self.alice).objects.filter(pk=self.alice.pk).update(email_verified=True)
        self.appointment = self.book(start=NINE)
        self.login()

    def picker(self, **params):
        url = reverse("portal:appointment_move", args=[self.appointment.pk])
        return self.client.get(url, params)

    def confirm_url(self):
        return reverse("portal:appointment_move_confirm", args=[self.appointment.pk])

    def move(self, day=TUESDAY, time="10:00"):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                self.confirm_url(),
                {"date": day.isoformat(), "time": time, "confirm": "yes"},
                follow=True,
            )

    def test_the_picker_offers_the_doctors_free_times_without_a_reason_field(self):
        response = self.picker(date=TUESDAY.isoformat())
        self.assertContains(response, "Move your appointment")
        self.assertContains(response, 'value="10:00"')
        self.assertNotContains(response, 'value="09:00"')  # its own slot, taken
        self.assertNotContains(response, 'name="reason"')
        self.assertNotContains(response, "checked")
        self.assertContains(response, f'action="{self.confirm_url()}"')

    def test_the_list_and_the_detail_page_offer_move(self):
        url = reverse("portal:appointment_move", args=[self.appointment.pk])
        self.assertContains(self.client.get(reverse("portal:appointments")), url)
        detail = reverse("portal:appointment_detail", args=[self.appointment.pk])
        self.assertContains(self.client.get(detail), url)

    def test_get_confirm_shows_from_and_to_and_changes_nothing(self):
        response = self.client.get(
            self.confirm_url(), {"date": TUESDAY.isoformat(), "time": "10:00"}
        )
        self.assertContains(response, "Tuesday 8 January 2030 at 09:00 AM")
        self.assertContains(response, "Tuesday 8 January 2030 at 10:00 AM")
        self.appointment.refresh_from_db()
        self.assertEqual(self.appointment.start, NINE)

    def test_post_moves_the_same_booking_and_says_from_where_to_where(self):
        response = self.move()
        self.assertRedirects(
            response, reverse("portal:appointment_detail", args=[self.appointment.pk])
        )
        self.assertContains(
            response,
            "Moved from Tuesday 8 January 2030 at 09:00 AM to Tuesday 8 January 2030 at 10:00 AM.",
        )
        self.appointment.refresh_from_db()
        self.assertEqual((self.appointment.date, self.appointment.start), (TUESDAY, TEN))
        self.assertEqual(self.appointment.status, Status.BOOKED)
        self.assertEqual(Appointment.objects.filter(patient=self.alice).count(), 1)
        # One message about the move, not a cancellation and a booking.
        self.assertEqual(len(mail.outbox), 1)
        self.assertNotIn("cancel", mail.outbox[0].subject.lower())

    def test_a_taken_slot_is_refused_cleanly_and_nothing_moves(self):
        self.book(patient=self.bob, start=TEN)
        response = self.move()
        [message] = [str(m) for m in response.context["messages"]]
        self.assertIn("is not free any more", message)
        self.assertNotRegex(message, r"^[a-z_-]+: ")
        self.appointment.refresh_from_db()
        self.assertEqual(self.appointment.start, NINE)

    def test_a_missing_time_goes_back_to_the_picker(self):
        response = self.client.post(self.confirm_url(), {"date": TUESDAY.isoformat()})
        self.assertRedirects(
            response,
            reverse("portal:appointment_move", args=[self.appointment.pk])
            + f"?date={TUESDAY.isoformat()}",
        )

    def test_another_patients_or_a_past_appointment_is_a_404(self):
        bobs = self.book(patient=self.bob, start=NINE_THIRTY)
        past = Appointment.objects.create(
            patient=self.alice,
            doctor=self.dr_rao,
            date=TODAY.replace(day=1),
            start=NINE,
            slot_number=1,
            status=Status.COMPLETED,
        )
        for appointment in (bobs, past):
            for name in ("portal:appointment_move", "portal:appointment_move_confirm"):
                with self.subTest(appointment=appointment.pk, name=name):
                    url = reverse(name, args=[appointment.pk])
                    self.assertEqual(self.client.get(url).status_code, 404)
                    response = self.client.post(
                        url, {"date": TUESDAY.isoformat(), "time": "10:00", "confirm": "yes"}
                    )
                    self.assertEqual(response.status_code, 404)
        bobs.refresh_from_db()
        self.assertEqual(bobs.start, NINE_THIRTY)
