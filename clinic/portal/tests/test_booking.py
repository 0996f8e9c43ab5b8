import datetime as dt

from django.urls import reverse

from clinic.appointments.models import Appointment, Status
from clinic.doctors.models import TimeOff
from clinic.portal.tests.base import NINE, NINE_THIRTY, TODAY, TUESDAY, PortalTestCase
from clinic.testing import make_doctor


class ChooseDoctorTests(PortalTestCase):
    def test_it_lists_doctors_linking_to_their_booking_page(self):
        make_doctor(name="Dr. Kiran Kid", specialty="Pediatrics")
        self.login()
        response = self.client.get(reverse("portal:book"), {"specialty": "Cardiology"})
        self.assertContains(response, reverse("portal:book_doctor", args=[self.dr_rao.pk]))
        self.assertNotContains(response, "Dr. Kiran Kid")


class DatePickerTests(PortalTestCase):
    def url(self, **params):
        return reverse("portal:book_doctor", args=[self.dr_rao.pk]), params

    def get(self, **params):
        self.login()
        url, params = self.url(**params)
        return self.client.get(url, params)

    def test_only_dates_with_free_slots_are_offered(self):
        """Time off, fully booked days and Sundays are left out."""
        TimeOff.objects.create(doctor=self.dr_rao, start_date=TUESDAY, end_date=TUESDAY)
        wednesday = TUESDAY + dt.timedelta(days=1)
        for at in [dt.time(9 + i // 2, 30 * (i % 2)) for i in range(6)]:
            self.book(patient=self.bob, day=wednesday, start=at)
        response = self.get()
        days = list(response.context["free_days"])
        self.assertEqual(days[0], TODAY)
        self.assertNotIn(TUESDAY, days)
        self.assertNotIn(wednesday, days)
        self.assertNotIn(TODAY + dt.timedelta(days=6), days)
        self.assertEqual(len(days), 10)  # two weeks, less 2 Sundays, time off and a full day
        self.assertIsNone(response.context["day"])
        self.assertContains(response, "Pick a date to see its free times.")

    def test_a_picked_date_shows_its_free_times_without_the_taken_ones(self):
        self.book(patient=self.bob, day=TUESDAY, start=NINE_THIRTY)
        response = self.get(date=TUESDAY.isoformat())
        self.assertEqual(response.context["slots"], [
            dt.time(9), dt.time(10), dt.time(10, 30), dt.time(11), dt.time(11, 30)
        ])
        self.assertContains(response, 'value="10:00"')
        self.assertNotContains(response, 'value="09:30"')
        self.assertContains(response, 'aria-current="date"')

    def test_no_time_is_picked_for_the_patient(self):
        """Picking a date alone must not book its earliest slot: no radio starts checked."""
        response = self.get(date=TUESDAY.isoformat())
        self.assertContains(response, 'name="time"', count=6)
        self.assertNotContains(response, "checked")

    def test_an_htmx_request_gets_only_the_picker_fragment(self):
        """Same URL with or without JS; htmx swaps #picker, and caches keep them apart."""
        self.login()
        url, params = self.url(date=TUESDAY.isoformat())
        response = self.client.get(url, params, headers={"HX-Request": "true"})
        html = response.content.decode()
        self.assertTrue(html.lstrip().startswith('<div id="picker"'))
        self.assertNotIn("<html", html)
        self.assertIn("09:30 AM", html)
        self.assertIn("HX-Request", response["Vary"])

    def test_the_picker_pages_through_the_booking_window(self):
        response = self.get(start=(TODAY + dt.timedelta(days=14)).isoformat())
        days = list(response.context["free_days"])
        self.assertEqual(days[0], TODAY + dt.timedelta(days=14))
        self.assertEqual(response.context["previous_start"], TODAY)
        far = self.get(start=(TODAY + dt.timedelta(days=400)).isoformat())
        self.assertIsNone(far.context["next_start"])

    def test_a_bad_date_parameter_is_ignored(self):
        response = self.get(date="not-a-date")
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["day"])

    def test_an_unknown_or_inactive_doctor_is_a_404(self):
        self.login()
        gone = make_doctor(name="Dr. Gone", is_active=False)
        for doctor_id in (gone.pk, 99999):
            for name in ("portal:book_doctor", "portal:book_confirm"):
                with self.subTest(doctor_id=doctor_id, view=name):
                    response = self.client.get(reverse(name, args=[doctor_id]))
                    self.assertEqual(response.status_code, 404)


class ConfirmTests(PortalTestCase):
    def confirm_url(self):
        return reverse("portal:book_confirm", args=[self.dr_rao.pk])

    def post_confirm(self):
        return self.client.post(self.confirm_url(), {**self.slot(), "confirm": "yes"}, follow=True)

    def slot(self, **extra):
        return {"date": TUESDAY.isoformat(), "time": "09:30", "reason": "Chest pain", **extra}

    def test_get_shows_a_summary_and_books_nothing(self):
        self.login()
        response = self.client.get(self.confirm_url(), self.slot())
        self.assertContains(response, "Tuesday 8 January 2030")
        self.assertContains(response, "09:30 AM")
        self.assertContains(response, "Chest pain")
        self.assertFalse(Appointment.objects.exists())

    def test_post_books_through_the_service_and_shows_it(self):
        self.login()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.confirm_url(), {**self.slot(), "confirm": "yes"}, follow=True
            )
        appointment = Appointment.objects.get()
        detail = reverse("portal:appointment_detail", args=[appointment.pk])
        self.assertRedirects(response, f"{detail}?booked=1")
        self.assertEqual(
            (appointment.patient, appointment.date, appointment.start, appointment.slot_number),
            (self.alice, TUESDAY, NINE_THIRTY, 2),
        )
        self.assertEqual(appointment.reason, "Chest pain")
        self.assertContains(response, "Booked: Dr. Asha Rao on Tuesday 8 January 2030 at 09:30 AM")
        self.assertContains(response, f'data-appointment-detail="{appointment.pk}"')

    def test_after_booking_a_confirmation_page_says_what_when_and_where(self):
        self.login()
        response = self.post_confirm()
        appointment = Appointment.objects.get()
        self.assertContains(response, "You are booked")
        page = response.content.decode()
        for shown in (
            "Dr. Asha Rao", "Cardiology", "Tuesday 8 January 2030", "09:30 AM",
            "Token number", f"<dd class=\"col-sm-8\">{appointment.slot_number}</dd>",
            "12 MG Road, Bengaluru 560001", "Room 101", "Chest pain",
        ):
            with self.subTest(shown=shown):
                self.assertIn(shown, page)
        self.assertContains(response, reverse("portal:appointment_cancel", args=[appointment.pk]))

    def test_a_service_error_shows_no_raw_field_name(self):
        """The API's "date: ..." format stays in the API; the portal shows the words only."""
        self.login()
        yesterday = (TODAY - dt.timedelta(days=1)).isoformat()
        response = self.client.post(
            self.confirm_url(), {**self.slot(date=yesterday), "confirm": "yes"}, follow=True
        )
        [message] = [str(m) for m in response.context["messages"]]
        self.assertEqual(message, "Cannot book a date in the past.")

    def test_a_slot_taken_meanwhile_gives_a_clear_message_and_fresh_slots(self):
        """Bob books 09:30 while Alice is on the confirm page: no error page for Alice."""
        self.login()
        self.client.get(self.confirm_url(), self.slot())
        self.book(patient=self.bob, day=TUESDAY, start=NINE_THIRTY)
        response = self.post_confirm()
        self.assertRedirects(
            response,
            reverse("portal:book_doctor", args=[self.dr_rao.pk]) + f"?date={TUESDAY.isoformat()}",
        )
        self.assertContains(response, "is not free any more. Please pick another.")
        self.assertNotIn(NINE_THIRTY, response.context["slots"])
        self.assertIn(NINE, response.context["slots"])
        self.assertEqual(Appointment.objects.filter(patient=self.alice).count(), 0)

    def test_a_clash_with_the_patients_own_booking_is_explained(self):
        other = make_doctor(name="Dr. Other")
        self.book(doctor=other, day=TUESDAY, start=NINE_THIRTY)
        self.login()
        response = self.post_confirm()
        self.assertContains(response, "You already have an appointment on 2030-01-08 at 09:30 AM.")
        self.assertEqual(Appointment.objects.filter(doctor=self.dr_rao).count(), 0)

    def test_a_slot_outside_the_schedule_or_in_the_past_is_refused_kindly(self):
        self.login()
        for slot in (
            self.slot(time="13:00"),
            self.slot(date=(TODAY - dt.timedelta(days=1)).isoformat()),
            self.slot(date="2031-06-01"),
        ):
            with self.subTest(slot=slot):
                response = self.client.post(
                    self.confirm_url(), {**slot, "confirm": "yes"}, follow=True
                )
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(list(response.context["messages"])), 1)
        self.assertFalse(Appointment.objects.exists())

    def test_a_missing_time_sends_the_patient_back_to_pick_one(self):
        self.login()
        response = self.client.post(self.confirm_url(), {"date": TUESDAY.isoformat()})
        self.assertRedirects(
            response,
            reverse("portal:book_doctor", args=[self.dr_rao.pk]) + f"?date={TUESDAY.isoformat()}",
        )

    def test_a_cancelled_slot_is_bookable_again(self):
        self.login()
        taken = self.book(patient=self.bob, day=TUESDAY, start=NINE_THIRTY)
        Appointment.objects.filter(pk=taken.pk).update(status=Status.CANCELLED)
        self.client.post(self.confirm_url(), {**self.slot(), "confirm": "yes"})
        self.assertTrue(Appointment.objects.filter(patient=self.alice, status="booked").exists())
