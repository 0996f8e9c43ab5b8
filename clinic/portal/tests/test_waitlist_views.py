import datetime as dt

from django.core import mail
from django.test import override_settings
from django.urls import reverse

from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_cancel
from clinic.portal.tests.base import NINE, TODAY, TUESDAY, PortalTestCase
from clinic.waitlist.models import EntryStatus, WaitlistEntry
from clinic.waitlist.services import waitlist_join

WEDNESDAY = TUESDAY + dt.timedelta(days=1)
LOCMEM_SMS = "clinic.notifications.backends.sms_locmem.LocmemSmsBackend"


@override_settings(SMS_BACKEND=LOCMEM_SMS)
class WaitlistTests(PortalTestCase):
    def setUp(self):
        super().setUp()
        # Offers go to verified addresses only.
        type(self.alice).objects.filter(pk=self.alice.pk).update(email_verified=True)
        self.login()

    def join(self, **data):
        form = {"doctor": self.dr_rao.pk, "first_day": TUESDAY.isoformat(), **data}
        return self.client.post(reverse("portal:waitlist_join"), form, follow=True)

    def offer_to_alice(self):
        """Bob cancels the slot Alice waits for: the offer goes to her."""
        entry = waitlist_join(patient=self.alice, doctor=self.dr_rao, first_day=TUESDAY)
        bobs = self.book(patient=self.bob, day=TUESDAY, start=NINE)
        with self.captureOnCommitCallbacks(execute=True):
            appointment_cancel(patient=self.bob, ids=[bobs.pk])
        entry.refresh_from_db()
        self.assertEqual(entry.status, EntryStatus.OFFERED)
        return entry

    def test_join_puts_the_patient_on_the_doctors_waitlist(self):
        response = self.join(last_day=WEDNESDAY.isoformat())
        self.assertRedirects(response, reverse("portal:waitlist"))
        self.assertContains(response, "You are on Dr. Asha Rao&#x27;s waitlist.")
        entry = WaitlistEntry.objects.get()
        self.assertEqual(
            (entry.patient, entry.doctor, entry.first_day, entry.last_day, entry.status),
            (self.alice, self.dr_rao, TUESDAY, WEDNESDAY, EntryStatus.WAITING),
        )
        self.assertContains(response, f'data-entry="{entry.pk}"')

    def test_the_join_form_starts_from_the_booking_pickers_doctor_and_date(self):
        response = self.client.get(
            reverse("portal:waitlist_join"),
            {"doctor": self.dr_rao.pk, "date": TUESDAY.isoformat()},
        )
        self.assertContains(response, f'<option value="{self.dr_rao.pk}" selected>')
        self.assertContains(response, f'value="{TUESDAY.isoformat()}"')
        picker = self.client.get(reverse("portal:book_doctor", args=[self.dr_rao.pk]))
        self.assertContains(picker, f"{reverse('portal:waitlist_join')}?doctor={self.dr_rao.pk}")

    def test_bad_dates_are_field_errors_without_field_names_and_nothing_is_made(self):
        for data, field in (
            ({"first_day": (TODAY - dt.timedelta(days=1)).isoformat()}, "first_day"),
            ({"last_day": TODAY.isoformat()}, "last_day"),
        ):
            with self.subTest(data=data):
                response = self.join(**data)
                self.assertEqual(response.status_code, 200)
                errors = response.context["form"].errors
                self.assertIn(field, errors)
                self.assertNotRegex(" ".join(errors[field]), r"^(from|to): ")
        self.assertFalse(WaitlistEntry.objects.exists())

    def test_an_overlapping_second_join_is_refused(self):
        self.join()
        response = self.join()
        self.assertContains(response, "You already wait for Dr. Asha Rao")
        self.assertEqual(WaitlistEntry.objects.count(), 1)

    def test_a_live_offer_shows_with_its_claim_link_and_the_claim_books_it(self):
        entry = self.offer_to_alice()
        listing = self.client.get(reverse("portal:waitlist"))
        claim_url = reverse("portal:waitlist_claim", args=[entry.pk])
        self.assertContains(listing, "Offer for you")
        self.assertContains(listing, claim_url)
        offer = self.client.get(claim_url)
        self.assertContains(offer, "A slot is held for you")
        self.assertContains(offer, "09:00 AM")
        self.assertFalse(Appointment.objects.filter(patient=self.alice).exists())
        claimed = self.client.post(claim_url, follow=True)
        appointment = Appointment.objects.get(patient=self.alice, status=Status.BOOKED)
        self.assertRedirects(
            claimed,
            reverse("portal:appointment_detail", args=[appointment.pk]) + "?booked=1",
        )
        self.assertEqual((appointment.date, appointment.start), (TUESDAY, NINE))
        entry.refresh_from_db()
        self.assertEqual(entry.status, EntryStatus.BOOKED)

    def test_the_offer_message_links_to_the_claim_page(self):
        entry = self.offer_to_alice()
        claim_url = reverse("portal:waitlist_claim", args=[entry.pk])
        bodies = [m.body for m in mail.outbox if "alice" in m.to[0]]
        self.assertTrue(any(claim_url in body for body in bodies), bodies)

    def test_a_second_claim_is_refused_cleanly(self):
        entry = self.offer_to_alice()
        url = reverse("portal:waitlist_claim", args=[entry.pk])
        self.client.post(url, follow=True)
        again = self.client.post(url, follow=True)
        self.assertContains(again, "This offer is no longer open")
        [message] = [str(m) for m in again.context["messages"]]
        self.assertNotRegex(message, r"^[a-z_-]+: ")
        self.assertEqual(Appointment.objects.filter(patient=self.alice).count(), 1)

    def test_leave_ends_the_entry(self):
        self.join()
        entry = WaitlistEntry.objects.get()
        response = self.client.post(reverse("portal:waitlist_leave", args=[entry.pk]), follow=True)
        self.assertContains(response, "You have left Dr. Asha Rao&#x27;s waitlist.")
        entry.refresh_from_db()
        self.assertEqual(entry.status, EntryStatus.CANCELLED)
        self.assertEqual(
            self.client.get(reverse("portal:waitlist_leave", args=[entry.pk])).status_code, 405
        )

    def test_another_patients_entry_is_a_404(self):
        bobs = waitlist_join(patient=self.bob, doctor=self.dr_rao, first_day=TUESDAY)
        for name in ("portal:waitlist_claim", "portal:waitlist_leave"):
            with self.subTest(name=name):
                response = self.client.post(reverse(name, args=[bobs.pk]))
                self.assertEqual(response.status_code, 404)
        bobs.refresh_from_db()
        self.assertEqual(bobs.status, EntryStatus.WAITING)

    def test_the_list_keeps_its_query_count_as_entries_grow(self):
        self.join()
        # session, user, patient, the entries with their doctors, the session's save
        with self.assertNumQueries(7) as first:
            self.client.get(reverse("portal:waitlist"))
        for n in range(2, 6):
            day = TUESDAY + dt.timedelta(days=7 * n)
            waitlist_join(patient=self.alice, doctor=self.dr_rao, first_day=day)
        with self.assertNumQueries(len(first.captured_queries)):
            response = self.client.get(reverse("portal:waitlist"))
        self.assertEqual(len(response.context["entries"]), 5)
