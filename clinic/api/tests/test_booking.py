import datetime as dt

import time_machine
from django.test import override_settings

from clinic.api.tests.base import TUESDAY, WEDNESDAY, ApiTestCase
from clinic.appointments.models import Appointment, Status
from clinic.appointments.services import appointment_book
from clinic.testing import FIXED_NOW, api_client, make_doctor

URL = "/cms-api/booking/"


class BookingCreateTests(ApiTestCase):
    def book(self, body, user=None):
        return self.call("POST", URL, body, user=user or self.alice.user)

    def test_it_books_a_free_slot_in_the_seed_shape(self):
        """POST {date, slot, doc_id} answers 201 with the seed's body and spellings."""
        response = self.book({"date": "2030-01-08", "slot": "09:30 AM", "doc_id": self.dr_rao.pk})
        self.assertEqual(response.status_code, 201, response.content)
        appointment = Appointment.objects.get()
        self.assertEqual(
            response.json(),
            {
                "MSG": " Slot Booked!",
                "data": {
                    "Booking_id": appointment.pk,
                    "patient": {
                        "id": self.alice.user_id,
                        "name": "Alice Adams",
                        "username": "alice",
                        "gender": "Female",
                    },
                    "doctor": {
                        "doctor_id": self.dr_rao.pk,
                        "name": "Dr. Asha Rao",
                        "gender": "Male",
                        "domain": "Cardiology",
                        "ofiice_number": "101",
                    },
                    "booking_date": "2030-01-08",
                    "time_slot": "09:30 AM",
                },
            },
        )
        self.assertEqual(appointment.patient, self.alice)
        self.assertEqual((appointment.date, appointment.start), (TUESDAY, dt.time(9, 30)))

    def test_it_accepts_one_digit_days_and_any_slot_case(self):
        """The seed's own `2021-07-6` date form and `09:30 am` both work."""
        response = self.book({"date": "2030-1-8", "slot": "9:30 am", "doc_id": self.dr_rao.pk})
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(Appointment.objects.get().start, dt.time(9, 30))

    def test_it_refuses_a_taken_slot_with_409(self):
        """A slot another patient holds is a conflict, and no second row appears."""
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30))
        before = self.snapshot()
        response = self.book({"date": "2030-01-08", "slot": "09:30 AM", "doc_id": self.dr_rao.pk})
        self.assertError(response, 409, "not free any more")
        self.assertEqual(self.snapshot(), before)

    def test_it_refuses_the_patient_in_two_places_with_409(self):
        """The caller's own appointment at that time with another doctor is a conflict."""
        other = make_doctor(name="Dr. Other")
        appointment_book(patient=self.alice, doctor=other, day=TUESDAY, start=dt.time(9, 30))
        before = self.snapshot()
        response = self.book({"date": "2030-01-08", "slot": "09:30 AM", "doc_id": self.dr_rao.pk})
        self.assertError(response, 409, "You already have an appointment")
        self.assertEqual(self.snapshot(), before)

    def test_it_rejects_bad_input_naming_the_field(self):
        """Each bad value is a 400 naming its field, and nothing is booked."""
        good = {"date": "2030-01-08", "slot": "09:30 AM", "doc_id": self.dr_rao.pk}
        cases = [
            ({**good, "date": "2030-02-30"}, "date"),  # impossible date
            ({**good, "date": "08/01/2030"}, "date"),
            ({**good, "date": 20300108}, "date"),
            ({**good, "date": "2030-01-06"}, "date"),  # yesterday
            ({**good, "date": "2030-13-01"}, "date"),
            ({**good, "date": "2030-01-13"}, "slot"),  # a Sunday: the doctor has no slots
            ({**good, "slot": "13:30 PM"}, "slot"),
            ({**good, "slot": "10:15 AM"}, "slot"),  # not one of the doctor's slots
            ({**good, "slot": "07:00 PM"}, "slot"),
            ({**good, "slot": 930}, "slot"),
            ({**good, "doc_id": "twelve"}, "doc_id"),
            ({**good, "doc_id": -1}, "doc_id"),
            ({"slot": "09:30 AM", "doc_id": self.dr_rao.pk}, "date"),
            ({"date": "2030-01-08", "doc_id": self.dr_rao.pk}, "slot"),
            ({"date": "2030-01-08", "slot": "09:30 AM"}, "doc_id"),
            ({**good, "date": "2031-06-01"}, "date"),  # beyond the booking horizon
        ]
        for body, field in cases:
            with self.subTest(body=body):
                self.assertError(self.book(body), 400, field)
        self.assertEqual(Appointment.objects.count(), 0)

    def test_it_refuses_a_slot_that_has_started(self):
        """Today's 09:00 slot is bookable at 08:00 but not once it has started."""
        with time_machine.travel(FIXED_NOW + dt.timedelta(hours=1, minutes=5), tick=False):
            response = self.book(
                {"date": "2030-01-07", "slot": "09:00 AM", "doc_id": self.dr_rao.pk}
            )
        self.assertError(response, 400, "slot")
        self.assertEqual(Appointment.objects.count(), 0)

    def test_it_answers_404_for_an_unknown_doctor(self):
        response = self.book({"date": "2030-01-08", "slot": "09:30 AM", "doc_id": 999999})
        self.assertError(response, 404, "999999")
        self.assertEqual(Appointment.objects.count(), 0)

    def test_it_rejects_malformed_json(self):
        """A body that is not JSON is a 400, not a 500."""
        response = self.call("POST", URL, raw='{"date": "2030-01-08",', user=self.alice.user)
        self.assertError(response, 400, "Malformed")
        response = self.call("POST", URL, raw='["not", "an", "object"]', user=self.alice.user)
        self.assertError(response, 400, "JSON object")
        self.assertEqual(Appointment.objects.count(), 0)

    def test_it_needs_a_token(self):
        response = self.call("POST", URL, {"date": "2030-01-08", "slot": "09:30 AM", "doc_id": 1})
        self.assertError(response, 401)
        response = self.call(
            "POST", URL, {}, HTTP_AUTHORIZATION="Token not-a-real-token"
        )
        self.assertError(response, 401)
        self.assertEqual(Appointment.objects.count(), 0)

    def test_staff_without_a_patient_profile_gets_403(self):
        response = self.book(
            {"date": "2030-01-08", "slot": "09:30 AM", "doc_id": self.dr_rao.pk}, user=self.staff
        )
        self.assertError(response, 403, "patient profile")
        self.assertEqual(Appointment.objects.count(), 0)

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
    def test_it_refuses_an_oversized_body_with_413(self):
        body = {"date": "2030-01-08", "slot": "09:30 AM", "doc_id": self.dr_rao.pk,
                "reason": "x" * 2000}
        self.assertError(self.book(body), 413, "too large")
        self.assertEqual(Appointment.objects.count(), 0)

    def test_it_refuses_other_content_types_with_415(self):
        response = self.call(
            "POST", URL, raw="date=2030-01-08", content_type="text/plain", user=self.alice.user
        )
        self.assertError(response, 415)
        self.assertEqual(Appointment.objects.count(), 0)

    def test_it_answers_405_for_other_methods(self):
        for method in ("PUT", "PATCH"):
            with self.subTest(method=method):
                self.assertError(self.call(method, URL, {}, user=self.alice.user), 405)


class BookingListTests(ApiTestCase):
    def test_it_lists_active_bookings_soonest_first(self):
        """Only the caller's future booked appointments, soonest first, in the seed shape."""
        later = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=WEDNESDAY, start=dt.time(9, 0)
        )
        sooner = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(11, 0)
        )
        cancelled = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0)
        )
        Appointment.objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED)
        appointment_book(patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0))
        response = self.call("GET", URL, user=self.alice.user)
        self.assertEqual(response.status_code, 200)
        rows = response.json()
        self.assertEqual([row["Booking_id"] for row in rows], [sooner.pk, later.pk])
        self.assertEqual(rows[0]["time_slot"], "11:00 AM")
        self.assertEqual(rows[0]["booking_date"], "2030-01-08")
        self.assertEqual(rows[0]["doctor"]["ofiice_number"], "101")
        self.assertEqual(rows[0]["patient"]["id"], self.alice.user_id)

    def test_empty_body_no_body_and_empty_object_are_the_same(self):
        appointment_book(patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0))
        answers = [
            self.call("GET", URL, user=self.alice.user).json(),
            self.call("GET", URL, {}, user=self.alice.user).json(),
            self.call("GET", URL, raw="", user=self.alice.user).json(),
            self.call("GET", URL, raw="null", user=self.alice.user).json(),
            api_get(self.alice.user, URL).json(),
        ]
        self.assertEqual(len(answers[0]), 1)
        for answer in answers[1:]:
            self.assertEqual(answer, answers[0])

    def test_its_query_count_is_constant(self):
        """Appointments: 1 query for N and for 3N bookings (the token with user and
        patient comes from the cache)."""
        client = api_client(self.alice.user)
        client.get(URL)  # its first use caches the token (clinic/accounts/token_cache.py)
        doctors = [make_doctor(name=f"Dr. Q{i}") for i in range(6)]
        times = [dt.time(9, 0), dt.time(9, 30), dt.time(10, 0)]
        for rows in (2, 6):
            Appointment.objects.all().delete()
            for i in range(rows):
                appointment_book(
                    patient=self.alice, doctor=doctors[i], day=TUESDAY + dt.timedelta(days=i % 3),
                    start=times[i // 3],
                )
            with self.subTest(rows=rows), self.assertNumQueries(1):
                response = client.get(URL)
            self.assertEqual(len(response.json()), rows)


def api_get(user, path, **params):
    return api_client(user).get(path, params)


class BookingCancelTests(ApiTestCase):
    def setUp(self):
        super().setUp()
        self.first = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 0)
        )
        self.second = appointment_book(
            patient=self.alice, doctor=self.dr_rao, day=TUESDAY, start=dt.time(9, 30)
        )
        self.bobs = appointment_book(
            patient=self.bob, doctor=self.dr_rao, day=TUESDAY, start=dt.time(10, 0)
        )

    def cancel(self, ids, user=None):
        return self.call("DELETE", URL, {"booking-ids": ids}, user=user or self.alice.user)

    def test_it_cancels_one_booking(self):
        response = self.cancel([self.first.pk])
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(response.json(), {"MSG": " Appointment Canceled"})
        self.first.refresh_from_db()
        self.assertEqual(self.first.status, Status.CANCELLED)
        self.second.refresh_from_db()
        self.assertEqual(self.second.status, Status.BOOKED)

    def test_it_cancels_several_bookings(self):
        response = self.cancel([self.first.pk, self.second.pk])
        self.assertEqual(response.json(), {"MSG": " Appointments Canceled"})
        self.assertEqual(
            Appointment.objects.filter(patient=self.alice, status=Status.CANCELLED).count(), 2
        )

    def test_it_takes_ids_as_query_parameters_too(self):
        response = self.call(
            "DELETE", f"{URL}?booking-ids={self.first.pk},{self.second.pk}", user=self.alice.user
        )
        self.assertEqual(response.json(), {"MSG": " Appointments Canceled"})

    def test_bob_cannot_cancel_alices_booking(self):
        """Another patient's id is a 404 and nothing changes, not even bob's own booking."""
        before = self.snapshot()
        response = self.cancel([self.bobs.pk, self.first.pk], user=self.bob.user)
        self.assertError(response, 404, str(self.first.pk))
        self.assertEqual(self.snapshot(), before)

    def test_it_is_all_or_nothing(self):
        """One unknown id among good ones cancels none of them."""
        before = self.snapshot()
        self.assertError(self.cancel([self.first.pk, 987654]), 404, "987654")
        self.assertEqual(self.snapshot(), before)

    def test_a_cancelled_booking_cannot_be_cancelled_again(self):
        self.cancel([self.first.pk])
        before = self.snapshot()
        self.assertError(self.cancel([self.first.pk]), 404)
        self.assertEqual(self.snapshot(), before)

    def test_it_rejects_bad_ids(self):
        before = self.snapshot()
        for body in ({}, {"booking-ids": []}, {"booking-ids": "x"}, {"booking-ids": [1.5]},
                     {"booking-ids": 3}, {"booking-ids": [None]}):
            with self.subTest(body=body):
                response = self.call("DELETE", URL, body, user=self.alice.user)
                self.assertError(response, 400, "booking-ids")
        self.assertEqual(self.snapshot(), before)

